"""Idle timeout, "Continuar sesión", logout, and sessions ending on a password change or a
blocked access."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from enlinea.access import credentials
from enlinea.access.models import AuditKind
from enlinea.access.session import SESSION_ACTIVITY
from enlinea.security.models import AuditEvent
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db


def _idle_for(client: Client, seconds: int) -> None:
    session = client.session
    session[SESSION_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_a_member_page_carries_the_timings_for_the_warning(
    client: Client, member, client_login, settings
) -> None:
    settings.ACCESS_IDLE_TIMEOUT_SECONDS = 40
    settings.ACCESS_IDLE_WARNING_SECONDS = 15
    client_login(client)
    body = client.get(reverse("web:home")).content.decode()
    assert 'data-idle-timeout="40"' in body
    assert 'data-idle-warning="15"' in body
    assert f'data-idle-keepalive="{reverse("session:keep_alive")}"' in body
    assert f'data-idle-expired="{reverse("session:expired")}"' in body
    assert "Tu sesión está por expirar" in body
    assert "Continuar sesión" in body


def test_activity_within_the_limit_keeps_the_session(client: Client, member, client_login) -> None:
    client_login(client)
    _idle_for(client, 299)
    assert client.get(reverse("web:home")).status_code == 200
    assert int(time.time()) - client.session[SESSION_ACTIVITY] <= 1


def test_idle_session_ends_and_lands_on_the_expired_page(
    client: Client, member, client_login
) -> None:
    client_login(client)
    _idle_for(client, 300)
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("session:expired")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=AuditKind.SESSION_EXPIRED, user=member).count() == 1
    body = client.get(reverse("session:expired")).content.decode()
    assert '<h1 id="expired-title">Tu sesión se cerró</h1>' in body
    assert "pasaron 5 minutos sin actividad" in body
    assert "proteger tu dinero" in body
    # Afterwards the member pages ask for a login again.
    assert client.get(reverse("web:home"))["Location"].startswith(reverse("session:login"))


def test_the_expired_page_shows_the_configured_minutes(client: Client, settings) -> None:
    settings.ACCESS_IDLE_TIMEOUT_SECONDS = 600
    assert (
        "pasaron 10 minutos sin actividad"
        in client.get(reverse("session:expired")).content.decode()
    )


def test_htmx_requests_of_an_idle_session_are_sent_to_the_expired_page(
    client: Client, member, client_login
) -> None:
    client_login(client)
    _idle_for(client, 301)
    response = client.get(reverse("web:home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("session:expired")


def test_continuar_sesion_counts_as_activity(client: Client, member, client_login) -> None:
    client_login(client)
    _idle_for(client, 250)
    response = client.post(reverse("session:keep_alive"))
    assert response.status_code == 200
    assert response.json() == {"seconds": 300}
    assert int(time.time()) - client.session[SESSION_ACTIVITY] <= 1
    assert client.get(reverse("session:keep_alive")).status_code == 405


def test_continuar_sesion_too_late_is_refused(client: Client, member, client_login) -> None:
    client_login(client)
    _idle_for(client, 400)
    response = client.post(reverse("session:keep_alive"))
    assert response.status_code == 302
    assert response["Location"] == reverse("session:expired")
    anonymous = Client().post(reverse("session:keep_alive"))
    assert anonymous.status_code == 401


def test_the_expired_page_does_not_close_a_session_still_in_use(
    client: Client, member, client_login
) -> None:
    client_login(client)
    _idle_for(client, 100)
    response = client.get(reverse("session:expired"))
    assert response["Location"] == reverse("web:home")
    # Opening that page was not activity.
    assert int(time.time()) - client.session[SESSION_ACTIVITY] >= 99


def test_logout_is_a_post_audited_and_back_to_login(client: Client, member, client_login) -> None:
    client_login(client)
    assert client.get(reverse("session:logout")).status_code == 405
    response = client.post(reverse("session:logout"))
    assert response["Location"] == reverse("session:login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT, user=member).count() == 1


def test_a_password_change_ends_the_members_other_sessions(member, client_login, settings) -> None:
    phone, laptop = Client(), Client()
    client_login(phone)
    client_login(laptop)
    credentials.password_set(user=member, password="Nueva#Clave2026")
    for client in (phone, laptop):
        response = client.get(reverse("web:home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("session:login"))


def test_blocking_the_access_ends_the_sessions_already_open(member, client_login, settings) -> None:
    client = Client()
    client_login(client)
    credentials.access_lock(user=member, reason="self")
    response = client.get(reverse("web:home"))
    assert response["Location"] == reverse("session:login")
    assert "_auth_user_id" not in client.session
    body = client.get(response["Location"]).content.decode()
    assert "Tu acceso está bloqueado" in body
    assert AuditEvent.objects.filter(
        kind=AuditKind.LOGOUT, user=member, detail__reason="locked"
    ).exists()


def test_a_back_office_session_ends_after_its_own_idle_limit(
    client: Client, django_user_model, settings
) -> None:
    staff = django_user_model.objects.create_superuser("jefa", password="Operaciones#2026")
    staff_login(client, staff)
    client.get(reverse("admin:index"))  # starts the activity clock
    _idle_for(client, settings.ACCESS_IDLE_TIMEOUT_SECONDS + 60)  # past a member's limit
    assert client.get(reverse("admin:index")).status_code == 200
    _idle_for(client, settings.ACCESS_STAFF_IDLE_TIMEOUT_SECONDS)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={reverse('admin:index')}"
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=AuditKind.SESSION_EXPIRED, user=staff).count() == 1
