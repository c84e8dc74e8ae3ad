"""Rate limits per IP and per account (django-ratelimit counters in the shared cache).

The IP is the client's, also behind a reverse proxy: django-ratelimit's ``"ip"`` key
reads it through ``RATELIMIT_IP_META_KEY`` = ``enlinea.web.client_ip.client_ip_key``
(set in settings, so every per-IP counter of the site agrees with the audit rows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from enlinea.security.audit import audit_record
from enlinea.security.models import SecurityEvent

MSG_RATE_LIMITED = (
    "Hiciste demasiados intentos seguidos. Por tu seguridad, espera unos minutos e "
    "intenta de nuevo."
)


def _rate(rate_setting: str, default: str | None) -> str:
    if default is None:
        return getattr(settings, rate_setting)
    return getattr(settings, rate_setting, default)


def _key(account: str | None) -> str | Callable[[str, HttpRequest], str]:
    if account is None:
        return "ip"
    value = account.strip().lower()[:150]

    def key(group: str, request: HttpRequest) -> str:
        return value

    return key


def _group(group: str, account: str | None) -> str:
    return f"{group}:{'ip' if account is None else 'account'}"


def rate_limited(
    request: HttpRequest,
    *,
    group: str,
    rate_setting: str,
    account: str | None = None,
    increment: bool = True,
    default: str | None = None,
    user: Any = None,
) -> bool:
    """True when this request is over the limit named by ``rate_setting``.

    Without ``account`` the counter is per client IP; with it, per that value
    (username, cédula), whatever the IP. Every refusal is audited. ``default`` is the
    rate when the setting is not defined (for limits whose setting is optional).
    ``user``: whose counter it is, for the audit row (an account key such as
    ``user:<pk>`` is not a username).

    ``increment=False`` only looks: True once the counter has reached the rate, so
    that a flow which counts only some outcomes (a wrong password, with
    ``rate_count``) refuses the try after the last one the rate allows.
    """
    rate = _rate(rate_setting, default)
    usage = get_usage(
        request,
        group=_group(group, account),
        key=_key(account),
        rate=rate,
        increment=increment,
    )
    if usage is None:  # RATELIMIT_ENABLE=false
        return False
    hit = bool(usage["should_limit"]) or (not increment and usage["count"] >= usage["limit"])
    if hit:
        audit_record(
            kind=SecurityEvent.RATE_LIMITED,
            request=request,
            user=user,
            username="" if user is not None else account or "",
            group=group,
            rate=rate,
        )
    return hit


def rate_count(
    request: HttpRequest,
    *,
    group: str,
    rate_setting: str,
    account: str | None = None,
    default: str | None = None,
) -> None:
    """Count one try against the limit without deciding anything (no refusal, no audit).

    For counters that move only on some outcomes: the caller looks first with
    ``rate_limited(..., increment=False)`` and counts after the outcome is known.
    """
    get_usage(
        request,
        group=_group(group, account),
        key=_key(account),
        rate=_rate(rate_setting, default),
        increment=True,
    )


def code_rate_limited(request: HttpRequest, member: Any) -> bool:
    """Codes sent and resent: limited per member; per IP too in the public flows.

    A logged-in member is not limited by IP: a cooperative's branch or a mobile
    carrier puts many members behind one address.
    """
    if rate_limited(
        request, group="code", rate_setting="ACCESS_RATE_CODE_IP", account=f"member:{member.pk}"
    ):
        return True
    return not request.user.is_authenticated and rate_limited(
        request, group="code", rate_setting="ACCESS_RATE_CODE_IP"
    )
