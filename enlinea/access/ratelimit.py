"""Rate limits per IP and per account (django-ratelimit counters in the shared cache)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from enlinea.access.audit import audit_record
from enlinea.access.models import AuditKind

MSG_RATE_LIMITED = (
    "Hiciste demasiados intentos seguidos. Por tu seguridad, espera unos minutos e "
    "intenta de nuevo."
)


def rate_limited(
    request: HttpRequest,
    *,
    group: str,
    rate_setting: str,
    account: str | None = None,
    increment: bool = True,
    default: str | None = None,
) -> bool:
    """True when this request is over the limit named by ``rate_setting``.

    Without ``account`` the counter is per client IP; with it, per that value
    (username, cédula), whatever the IP. Every refusal is audited. ``default`` is the
    rate when the setting is not defined (for limits whose setting is optional).
    """
    rate = (
        getattr(settings, rate_setting)
        if default is None
        else getattr(settings, rate_setting, default)
    )
    if account is None:
        key = "ip"
    else:
        value = account.strip().lower()[:150]

        def key(group: str, request: HttpRequest) -> str:
            return value

    hit = is_ratelimited(
        request,
        group=f"{group}:{'ip' if account is None else 'account'}",
        key=key,
        rate=rate,
        increment=increment,
    )
    if hit:
        audit_record(
            kind=AuditKind.RATE_LIMITED,
            request=request,
            username=account or "",
            group=group,
            rate=rate,
        )
    return hit
