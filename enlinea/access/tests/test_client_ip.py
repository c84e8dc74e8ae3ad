"""The client's IP behind a reverse proxy, and the login's per-username counter.

Every place that records or counts an address (audit rows, login records, devices,
consents, rate limits) reads it through ``enlinea.web.client_ip``; a forged
X-Forwarded-For from a peer that is not a trusted proxy is ignored.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import MEMBER_PASSWORD
from enlinea.access.devices import DEVICE_COOKIE
from enlinea.access.models import AuditKind, Device, LoginRecord
from enlinea.notifications.models import Channel, Message
from enlinea.security.audit import request_meta
from enlinea.security.models import AuditEvent, SecurityEvent
from enlinea.security.ratelimit import MSG_RATE_LIMITED, rate_limited
from enlinea.web.client_ip import client_ip

PROXY = "10.0.0.2"  # the reverse proxy, as the app's peer
CLIENT = "179.60.191.12"
FORGED = "8.8.8.8"
WRONG = "Incorrecta#1"


def _request(peer: str = PROXY, forwarded: str | None = None):
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().post("/", REMOTE_ADDR=peer, HTTP_USER_AGENT="Mozilla/5.0", **extra)


@pytest.fixture
def behind_proxy(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


# ---------------------------------------------------------------- the address


def test_without_trusted_proxies_the_peer_is_the_client_and_the_header_is_ignored(
    settings,
) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request(peer=CLIENT, forwarded=FORGED)) == CLIENT
    assert client_ip(_request(peer=PROXY, forwarded=CLIENT)) == PROXY


@pytest.mark.usefixtures("behind_proxy")
def test_behind_a_trusted_proxy_the_client_is_the_address_it_forwarded() -> None:
    assert client_ip(_request(forwarded=CLIENT)) == CLIENT
    assert client_ip(_request(forwarded=f"{CLIENT}:51234")) == CLIENT
    assert client_ip(_request(forwarded="[2800:bf0:1::7]:443")) == "2800:bf0:1::7"


@pytest.mark.usefixtures("behind_proxy")
def test_what_the_client_wrote_before_its_own_address_is_ignored() -> None:
    # The client sent "X-Forwarded-For: 8.8.8.8"; the proxy appended the real peer.
    assert client_ip(_request(forwarded=f"{FORGED}, {CLIENT}")) == CLIENT
    assert client_ip(_request(forwarded=f"basura, {FORGED}, unknown, {CLIENT}")) == CLIENT


@pytest.mark.usefixtures("behind_proxy")
def test_a_forged_header_from_a_peer_that_is_not_a_proxy_is_ignored() -> None:
    assert client_ip(_request(peer=CLIENT, forwarded=FORGED)) == CLIENT
    assert client_ip(_request(peer=CLIENT, forwarded=f"{FORGED}, {PROXY}")) == CLIENT


def test_several_proxies_are_peeled_off_from_our_side(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.2", "172.16.0.0/12"]  # the balancer, then nginx
    chain = f"{FORGED}, {CLIENT}, 172.16.4.9"
    assert client_ip(_request(forwarded=chain)) == CLIENT
    # Somebody reaching nginx around the balancer is that somebody, not its claim.
    assert client_ip(_request(forwarded=f"{FORGED}, 190.11.2.3")) == "190.11.2.3"


@pytest.mark.usefixtures("behind_proxy")
def test_a_proxy_without_a_header_or_a_chain_of_proxies_only_gives_a_proxy() -> None:
    assert client_ip(_request()) == PROXY
    assert client_ip(_request(forwarded="no-es-una-ip")) == PROXY
    assert client_ip(_request(forwarded="10.0.0.7, 10.0.0.9")) == "10.0.0.7"


def test_no_address_at_all_is_none_and_the_rate_limit_key_still_works(settings) -> None:
    request = RequestFactory().post("/", REMOTE_ADDR="")
    assert client_ip(request) is None
    assert request_meta(request)["ip"] is None
    settings.ACCESS_RATE_LOGIN_IP = "1/m"
    assert rate_limited(request, group="t", rate_setting="ACCESS_RATE_LOGIN_IP") is False


def test_a_bad_trusted_proxy_stops_startup(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TRUSTED_PROXIES"}}
    env.update(
        DJANGO_SETTINGS_MODULE="enlinea.settings",
        VAR_DIR=str(tmp_path / "var"),
        TRUSTED_PROXIES="10.0.0.0/24,proxy.local",
    )
    probe = "import django; django.setup(); from django.conf import settings; settings.DEBUG"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Configuración inválida" in result.stderr
    assert "TRUSTED_PROXIES: 'proxy.local'" in result.stderr


# ---------------------------------------------------------------- where it is used


def _login(client: Client, username: str, password: str, **extra):
    client.post(reverse("session:login"), {"username": username}, **extra)
    return client.post(reverse("session:password"), {"password": password}, **extra)


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
def test_audit_rows_login_records_and_devices_get_the_clients_address(
    client: Client, member
) -> None:
    via_proxy = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{FORGED}, {CLIENT}"}
    _login(client, "andreslopez", WRONG, **via_proxy)
    _login(client, "andreslopez", MEMBER_PASSWORD, **via_proxy)
    code_url = client.post(
        reverse("session:device"), {"save_device": "si", "alias": "Mi laptop"}, **via_proxy
    )["Location"]
    message = Message.objects.filter(
        kind="codigo_seguridad", channel=Channel.EMAIL, recipient="andres.lopez@example.com"
    ).first()
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    response = client.post(code_url, {"code": code}, **via_proxy)
    assert response.status_code == 302
    assert DEVICE_COOKIE in response.cookies

    kinds = {AuditKind.LOGIN_FAILED, AuditKind.LOGIN, AuditKind.DEVICE_REGISTERED}
    events = AuditEvent.objects.filter(kind__in=kinds)
    assert {event.kind for event in events} == kinds
    assert {event.ip for event in events} == {CLIENT}
    assert LoginRecord.objects.get(user=member).ip == CLIENT
    assert Device.objects.get(user=member).ip == CLIENT


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_header_does_not_reach_the_audit_log(
    client: Client, member, settings
) -> None:
    settings.TRUSTED_PROXIES = []
    _login(client, "andreslopez", WRONG, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=FORGED)
    assert AuditEvent.objects.get(kind=AuditKind.LOGIN_FAILED).ip == CLIENT


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
def test_consents_record_the_clients_address() -> None:
    meta = request_meta(_request(forwarded=CLIENT))
    assert meta == {"ip": CLIENT, "user_agent": "Mozilla/5.0"}


# ---------------------------------------------------------------- rate limits by client


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
def test_clients_behind_one_proxy_do_not_lock_each_other_out(client: Client, settings) -> None:
    settings.ACCESS_RATE_LOGIN_IP = "3/m"
    for n in range(10):
        response = client.post(
            reverse("session:login"),
            {"username": f"persona{n}x"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"190.11.2.{n + 1}",
        )
        assert response.status_code == 302, n
    assert not AuditEvent.objects.filter(kind=SecurityEvent.RATE_LIMITED).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
def test_one_client_behind_the_proxy_is_still_limited_and_audited_by_its_address(
    client: Client, settings
) -> None:
    settings.ACCESS_RATE_LOGIN_IP = "3/m"
    statuses = [
        client.post(
            reverse("session:login"),
            {"username": f"persona{n}x"},
            REMOTE_ADDR=PROXY,
            # A new forged address each time: only the proxy's own hop counts.
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, {CLIENT}",
        ).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert AuditEvent.objects.get(kind=SecurityEvent.RATE_LIMITED).ip == CLIENT


@pytest.mark.django_db
def test_a_direct_client_cannot_dodge_the_limit_with_forged_headers(
    client: Client, settings
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.ACCESS_RATE_LOGIN_IP = "3/m"
    statuses = [
        client.post(
            reverse("session:login"),
            {"username": f"persona{n}x"},
            REMOTE_ADDR=CLIENT,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


# ---------------------------------------------------------------- per-username counter


@pytest.mark.django_db
def test_typing_a_username_many_times_does_not_block_its_owner(
    client: Client, member, settings
) -> None:
    settings.ACCESS_RATE_LOGIN_USER = "10/10m"
    for n in range(15):
        stranger = Client()
        response = stranger.post(
            reverse("session:login"), {"username": "andreslopez"}, REMOTE_ADDR=f"190.11.3.{n}"
        )
        assert response.status_code == 302, n
        # Reaching the password page and sending it empty is not a wrong password either.
        assert stranger.post(reverse("session:password"), {"password": ""}).status_code == 200
    response = _login(client, "andreslopez", MEMBER_PASSWORD, REMOTE_ADDR="190.11.2.3")
    assert response["Location"] == reverse("session:device")  # right password, new browser
    assert not AuditEvent.objects.filter(kind=SecurityEvent.RATE_LIMITED).exists()


@pytest.mark.django_db
def test_ten_wrong_passwords_block_the_username_whatever_the_ip(
    client: Client, other_member, settings
) -> None:
    settings.ACCESS_RATE_LOGIN_USER = "10/10m"
    settings.ACCESS_MAX_FAILED_LOGINS = 20  # the lockout is another control
    for n in range(10):
        response = _login(Client(), "mariaperez", WRONG, REMOTE_ADDR=f"190.11.4.{n}")
        assert response.status_code == 200, n
        assert MSG_RATE_LIMITED not in response.content.decode()
    response = _login(client, "mariaperez", MEMBER_PASSWORD, REMOTE_ADDR="190.11.2.3")
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(kind=SecurityEvent.RATE_LIMITED)
    assert (event.username, event.detail["group"]) == ("mariaperez", "login-password")


@pytest.mark.django_db
def test_an_unknown_username_counts_wrong_passwords_like_a_real_one(
    client: Client, settings
) -> None:
    settings.ACCESS_RATE_LOGIN_USER = "3/10m"
    statuses = [
        _login(Client(), "nadiesabe9", WRONG, REMOTE_ADDR=f"190.11.5.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
