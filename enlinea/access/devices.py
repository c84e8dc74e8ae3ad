"""Registered devices: a random token in a long-lived cookie, only its hash stored."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from user_agents import parse as parse_user_agent

from enlinea.access.models import AuditKind, Device
from enlinea.access.services import browser_name
from enlinea.notifications.services import member_notify
from enlinea.security.audit import audit_record, request_meta

DEVICE_COOKIE = "enlinea_dispositivo"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_describe(user_agent: str) -> dict[str, str]:
    """Marca, modelo, sistema operativo, versión and navegador from a user agent."""
    ua = parse_user_agent(user_agent or "")
    os_family = "" if ua.os.family == "Other" else ua.os.family
    brand = ua.device.brand or ""
    model = ua.device.model or ""
    if not brand and ua.is_pc:
        brand, model = "Computador", os_family or "Escritorio"
    return {
        "brand": brand[:60] or "Desconocida",
        "model": model[:60] or "Desconocido",
        "os": os_family[:60] or "Desconocido",
        "os_version": ua.os.version_string[:30] or "—",
        "browser": browser_name(user_agent),
    }


def device_for_request(*, user: Any, request: HttpRequest) -> Device | None:
    """The active registered device this browser is, for this user; else None."""
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    if not token or len(token) > 100:
        return None
    return Device.objects.filter(
        user=user, token_hash=_token_hash(token), removed_at__isnull=True
    ).first()


def device_register(*, user: Any, alias: str, request: HttpRequest) -> tuple[Device, str]:
    """Register this browser; returns the device and the token for ``device_cookie_set``."""
    token = secrets.token_urlsafe(32)
    meta = request_meta(request)
    device = Device.objects.create(
        user=user,
        token_hash=_token_hash(token),
        alias=alias.strip()[:40] or "Mi dispositivo",
        user_agent=meta["user_agent"],
        ip=meta["ip"],
        **device_describe(meta["user_agent"]),
    )
    audit_record(kind=AuditKind.DEVICE_REGISTERED, request=request, user=user, device=device.pk)
    member = getattr(user, "member", None)
    if member is not None:
        member_notify(
            member=member,
            kind="cambio_seguridad",
            context={"change": f"Registraste el dispositivo «{device.alias}» ({device.browser})."},
        )
    return device, token


def device_cookie_set(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def device_touch(*, device: Device, request: HttpRequest) -> None:
    Device.objects.filter(pk=device.pk).update(
        last_active_at=timezone.now(), ip=request_meta(request)["ip"]
    )


def devices_for_user(*, user: Any) -> QuerySet[Device]:
    return Device.objects.filter(user=user, removed_at__isnull=True).order_by("-last_active_at")


def device_for_user(*, user: Any, device_id: int) -> Device:
    """Owner-scoped lookup: someone else's device (or a removed one) is a 404."""
    device = devices_for_user(user=user).filter(pk=device_id).first()
    if device is None:
        raise Http404
    return device


def device_remove(*, user: Any, device_id: int, reason: str, request: HttpRequest) -> Device:
    device = device_for_user(user=user, device_id=device_id)
    device.removed_at = timezone.now()
    device.removal_reason = reason.strip()[:200]
    device.save(update_fields=["removed_at", "removal_reason"])
    audit_record(
        kind=AuditKind.DEVICE_REMOVED,
        request=request,
        user=user,
        device=device.pk,
        reason=device.removal_reason,
    )
    member = getattr(user, "member", None)
    if member is not None:
        member_notify(
            member=member,
            kind="cambio_seguridad",
            context={"change": f"Eliminaste el dispositivo «{device.alias}»."},
        )
    return device
