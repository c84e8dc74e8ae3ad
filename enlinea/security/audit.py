"""The audit log: one call per security-relevant event, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest

from enlinea.security.audit_kinds import audit_kind_known
from enlinea.security.models import AuditEvent
from enlinea.web.client_ip import client_ip


def request_meta(request: HttpRequest | None) -> dict[str, Any]:
    """IP (``enlinea.web.client_ip``: the client's, also behind a proxy) and user agent of
    a request, for audit rows, device records and consents."""
    if request is None:
        return {"ip": None, "user_agent": ""}
    return {
        "ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:1000],
    }


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: Any = None,
    member: Any = None,
    username: str = "",
    **detail: Any,
) -> AuditEvent:
    """Write one audit row. ``detail`` must never hold a secret (code, password, answer).

    ``kind`` is a kind registered with ``audit_kind_register`` (the apps' enums of kinds,
    ``SecurityEvent``, ``access.models.AuditKind``…, register theirs).
    """
    if not audit_kind_known(str(kind)):
        raise ValueError(f"Unregistered audit kind {kind!r}: register it with audit_kind_register")
    if member is None and user is not None:
        member = getattr(user, "member", None) if _has_member(user) else None
    if user is None and member is not None:
        user = member.user
    return AuditEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        member=member,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        detail=detail,
        **request_meta(request),
    )


def _has_member(user: Any) -> bool:
    try:
        return user.member is not None
    except ObjectDoesNotExist:  # staff and users without a member
        return False


# What the back office's Soporte role needs to read the access records (read-only
# admin in enlinea/access/admin.py); enlinea/products/roles.py lists roles.
AUDIT_VIEW_PERMISSIONS = (
    "security.view_auditevent",
    "security.view_securitychallenge",
    "access.view_onlineprofile",
    "access.view_device",
    "access.view_consent",
    "access.view_loginrecord",
    "notifications.view_message",
)
