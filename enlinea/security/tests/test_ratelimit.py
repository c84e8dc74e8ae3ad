"""Rate limits per IP and per account, with the Spanish message and an audit row."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from enlinea.security.models import AuditEvent, SecurityEvent
from enlinea.security.ratelimit import MSG_RATE_LIMITED, rate_limited

pytestmark = pytest.mark.django_db


def _request(ip: str = "179.60.191.12"):
    return RequestFactory().post("/", REMOTE_ADDR=ip, HTTP_USER_AGENT="Mozilla/5.0")


def _hits(count: int, **kwargs) -> list[bool]:
    ip = kwargs.pop("ip", "179.60.191.12")
    return [rate_limited(_request(ip), **kwargs) for _ in range(count)]


def test_the_message_is_spanish_and_kind() -> None:
    assert MSG_RATE_LIMITED == (
        "Hiciste demasiados intentos seguidos. Por tu seguridad, espera unos minutos e "
        "intenta de nuevo."
    )


def test_per_ip_limit_refuses_after_the_rate_and_only_that_ip(settings) -> None:
    settings.ACCESS_RATE_LOGIN_IP = "3/m"
    assert _hits(4, group="login", rate_setting="ACCESS_RATE_LOGIN_IP") == [
        False,
        False,
        False,
        True,
    ]
    assert _hits(1, group="login", rate_setting="ACCESS_RATE_LOGIN_IP", ip="190.152.1.2") == [False]
    event = AuditEvent.objects.get(kind=SecurityEvent.RATE_LIMITED)
    assert (event.ip, event.username) == ("179.60.191.12", "")
    assert event.detail == {"group": "login", "rate": "3/m"}


def test_per_account_limit_follows_the_account_across_ips(settings) -> None:
    settings.ACCESS_RATE_LOGIN_USER = "2/m"
    results = [
        rate_limited(
            _request(f"10.0.0.{n}"),
            group="login",
            rate_setting="ACCESS_RATE_LOGIN_USER",
            account=name,
        )
        for n, name in enumerate(["andreslopez", " AndresLopez ", "ANDRESLOPEZ"])
    ]
    assert results == [False, False, True]
    other = rate_limited(
        _request(), group="login", rate_setting="ACCESS_RATE_LOGIN_USER", account="mariaperez"
    )
    assert other is False
    event = AuditEvent.objects.get(kind=SecurityEvent.RATE_LIMITED)
    assert event.username == "ANDRESLOPEZ"


def test_groups_count_separately(settings) -> None:
    settings.ACCESS_RATE_REGISTER_IP = "1/m"
    settings.ACCESS_RATE_RECOVERY_IP = "1/m"
    assert _hits(2, group="register", rate_setting="ACCESS_RATE_REGISTER_IP") == [False, True]
    assert _hits(1, group="recovery", rate_setting="ACCESS_RATE_RECOVERY_IP") == [False]


def test_peeking_does_not_count(settings) -> None:
    settings.ACCESS_RATE_CODE_IP = "1/m"
    peeks = _hits(3, group="code", rate_setting="ACCESS_RATE_CODE_IP", increment=False)
    assert peeks == [False, False, False]
    assert _hits(2, group="code", rate_setting="ACCESS_RATE_CODE_IP") == [False, True]


def test_an_optional_setting_uses_its_default(settings) -> None:
    assert not hasattr(settings, "ACCESS_RATE_NOT_DEFINED")
    hits = _hits(3, group="x", rate_setting="ACCESS_RATE_NOT_DEFINED", default="2/m")
    assert hits == [False, False, True]


def test_limits_can_be_turned_off(settings) -> None:
    settings.RATELIMIT_ENABLE = False
    settings.ACCESS_RATE_LOGIN_IP = "1/m"
    assert _hits(3, group="login", rate_setting="ACCESS_RATE_LOGIN_IP") == [False] * 3
    assert not AuditEvent.objects.exists()
