"""Registered devices: described from real user agents, token only hashed, owner-scoped."""

from __future__ import annotations

import hashlib

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from enlinea.access import devices
from enlinea.access.models import AuditKind, Device
from enlinea.access.tests.cast import online_member
from enlinea.notifications.models import Channel, Message
from enlinea.security.models import AuditEvent

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            ANDROID_CHROME,
            {
                "brand": "Samsung",
                "model": "SM-A536E",
                "os": "Android",
                "os_version": "13",
                "browser": "Google Chrome",
            },
        ),
        (
            WINDOWS_EDGE,
            {
                "brand": "Computador",
                "model": "Windows",
                "os": "Windows",
                "os_version": "10",
                "browser": "Microsoft Edge",
            },
        ),
        (
            IPHONE_SAFARI,
            {
                "brand": "Apple",
                "model": "iPhone",
                "os": "iOS",
                "os_version": "17.1.2",
                "browser": "Safari",
            },
        ),
        (
            "",
            {
                "brand": "Desconocida",
                "model": "Desconocido",
                "os": "Desconocido",
                "os_version": "—",
                "browser": "Navegador desconocido",
            },
        ),
    ],
)
def test_device_is_described_from_the_user_agent(agent: str, expected: dict[str, str]) -> None:
    assert devices.device_describe(agent) == expected


def test_absurdly_long_user_agents_fit_the_columns() -> None:
    described = devices.device_describe("Mozilla/5.0 (Linux; Android 13; " + "X" * 500 + ")")
    assert all(len(value) <= 80 for value in described.values())


def _request(agent: str = ANDROID_CHROME, ip: str = "179.60.191.12", token: str = ""):
    request = RequestFactory().post("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    if token:
        request.COOKIES[devices.DEVICE_COOKIE] = token
    return request


@pytest.fixture
def socio():
    return online_member()


@pytest.mark.django_db
def test_register_keeps_only_the_hash_of_the_token_and_describes_the_phone(socio) -> None:
    device, token = devices.device_register(
        user=socio.user, alias="  Mi celular ", request=_request()
    )
    assert len(token) >= 40
    row = Device.objects.filter(pk=device.pk).values().get()
    assert all(token not in str(value) for value in row.values())
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert (row["alias"], row["brand"], row["model"], row["os"], row["os_version"]) == (
        "Mi celular",
        "Samsung",
        "SM-A536E",
        "Android",
        "13",
    )
    assert (row["browser"], row["ip"]) == ("Google Chrome", "179.60.191.12")
    assert AuditEvent.objects.filter(kind=AuditKind.DEVICE_REGISTERED, user=socio.user).count() == 1
    notice = Message.objects.get(channel=Channel.EMAIL)
    assert "Registraste el dispositivo «Mi celular» (Google Chrome)." in notice.body


@pytest.mark.django_db
def test_blank_alias_gets_a_default(socio) -> None:
    device, _ = devices.device_register(user=socio.user, alias="   ", request=_request())
    assert device.alias == "Mi dispositivo"


@pytest.mark.django_db
def test_the_cookie_recognises_the_browser_only_for_its_owner(socio) -> None:
    device, token = devices.device_register(user=socio.user, alias="Casa", request=_request())
    assert devices.device_for_request(user=socio.user, request=_request(token=token)) == device
    other = online_member(username="mariaperez", email="maria@example.com")
    assert devices.device_for_request(user=other.user, request=_request(token=token)) is None
    assert devices.device_for_request(user=socio.user, request=_request(token="x" * 43)) is None
    assert devices.device_for_request(user=socio.user, request=_request(token="x" * 101)) is None
    assert devices.device_for_request(user=socio.user, request=_request()) is None


def test_device_cookie_is_long_lived_httponly_and_lax(settings) -> None:
    settings.SESSION_COOKIE_SECURE = True
    response = HttpResponse()
    devices.device_cookie_set(response, "token-value")
    cookie = response.cookies[devices.DEVICE_COOKIE]
    assert cookie.value == "token-value"
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 400 * 24 * 3600


@pytest.mark.django_db
def test_touch_updates_the_last_activity_and_ip(socio) -> None:
    device, _ = devices.device_register(user=socio.user, alias="Casa", request=_request())
    before = device.last_active_at
    devices.device_touch(device=device, request=_request(ip="190.152.1.2"))
    device.refresh_from_db()
    assert device.ip == "190.152.1.2"
    assert device.last_active_at >= before


@pytest.mark.django_db
def test_lookups_are_owner_scoped(socio) -> None:
    device, _ = devices.device_register(user=socio.user, alias="Casa", request=_request())
    other = online_member(username="mariaperez", email="maria@example.com")
    assert devices.device_for_user(user=socio.user, device_id=device.pk) == device
    with pytest.raises(Http404):
        devices.device_for_user(user=other.user, device_id=device.pk)
    with pytest.raises(Http404):
        devices.device_remove(user=other.user, device_id=device.pk, reason="x", request=_request())
    assert list(devices.devices_for_user(user=other.user)) == []
    device.refresh_from_db()
    assert device.removed_at is None


@pytest.mark.django_db
def test_remove_records_the_reason_and_the_device_is_gone(socio) -> None:
    device, token = devices.device_register(user=socio.user, alias="Oficina", request=_request())
    Message.objects.all().delete()
    devices.device_remove(
        user=socio.user, device_id=device.pk, reason="  Ya no lo uso ", request=_request()
    )
    device.refresh_from_db()
    assert device.removed_at is not None
    assert device.removal_reason == "Ya no lo uso"
    assert list(devices.devices_for_user(user=socio.user)) == []
    assert devices.device_for_request(user=socio.user, request=_request(token=token)) is None
    with pytest.raises(Http404):
        devices.device_for_user(user=socio.user, device_id=device.pk)
    event = AuditEvent.objects.get(kind=AuditKind.DEVICE_REMOVED)
    assert event.detail == {"device": device.pk, "reason": "Ya no lo uso"}
    assert "Eliminaste el dispositivo «Oficina»." in Message.objects.get(channel=Channel.EMAIL).body
