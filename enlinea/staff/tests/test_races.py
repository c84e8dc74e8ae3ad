"""The staff lock under parallel tries (PostgreSQL, real threads, separate clients)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from enlinea.access.models import AuditKind
from enlinea.security.models import AuditEvent
from enlinea.staff.models import StaffAccess

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PATIENCE_SECONDS = 120  # a hang, not a timing assert


def _in_parallel(passwords: list[str], *, username: str) -> list[int]:
    """POST the password step once per password, all released at the same moment."""
    start = threading.Barrier(len(passwords))
    statuses: list[int] = [0] * len(passwords)
    errors: list[BaseException] = []

    def run(index: int, password: str) -> None:
        try:
            client = Client(REMOTE_ADDR=f"190.11.2.{index}")
            start.wait()
            response = client.post(
                reverse("admin:login"), {"username": username, "password": password}
            )
            statuses[index] = response.status_code
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, p)) for n, p in enumerate(passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE_SECONDS)
        assert not thread.is_alive(), "a login thread hung"
    assert not errors, errors
    return statuses


def test_parallel_wrong_passwords_count_every_failure_and_lock_once(cajero, settings) -> None:
    settings.STAFF_RATE_LOGIN_USER = "100/10m"
    tries = settings.ACCESS_MAX_FAILED_LOGINS + 3
    _in_parallel(["Equivocada#2026"] * tries, username="cajero")
    access = StaffAccess.objects.get(user=cajero)
    assert access.is_locked
    assert access.failed_logins == settings.ACCESS_MAX_FAILED_LOGINS  # none lost, none extra
    events = AuditEvent.objects.filter(user=cajero)
    assert events.filter(kind=AuditKind.STAFF_LOCKED).count() == 1
    assert (
        events.filter(kind=AuditKind.STAFF_LOGIN_FAILED, detail__reason="wrong_password").count()
        == settings.ACCESS_MAX_FAILED_LOGINS
    )
    assert events.filter(kind=AuditKind.STAFF_LOGIN_FAILED, detail__reason="locked").count() == 3


def test_parallel_code_guesses_of_one_pending_login_get_nowhere(cajero, settings) -> None:
    """A burst of codes against one pending login (one session cookie, many threads):
    no login, every counted guess is audited, a guess refused during django-otp's wait
    counts nothing, and the lock is never passed."""
    from django_otp.oath import TOTP

    from enlinea.staff.testing import staff_totp_device

    settings.STAFF_RATE_LOGIN_USER = "100/10m"
    settings.STAFF_RATE_LOGIN_IP = "100/10m"
    device = staff_totp_device(cajero)
    pending = Client()
    assert pending.post(
        reverse("admin:login"), {"username": "cajero", "password": "Operaciones#2026"}
    )["Location"] == reverse("admin:staff_code")
    cookie = pending.cookies[settings.SESSION_COOKIE_NAME].value
    right = TOTP(device.bin_key).token()
    guesses = [f"{(right + n) % 1_000_000:06d}" for n in range(1, 21)]  # all wrong
    start = threading.Barrier(len(guesses))
    statuses: list[int] = [0] * len(guesses)
    errors: list[BaseException] = []

    def run(index: int, code: str) -> None:
        try:
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = cookie
            start.wait()
            statuses[index] = client.post(reverse("admin:staff_code"), {"code": code}).status_code
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE_SECONDS)
        assert not thread.is_alive(), "a code thread hung"
    assert not errors, errors

    access = StaffAccess.objects.get(user=cajero)
    events = AuditEvent.objects.filter(user=cajero, kind=AuditKind.STAFF_OTP_FAILED)
    counted = events.filter(detail__reason="wrong_totp").count()
    assert 1 <= counted <= settings.ACCESS_MAX_FAILED_LOGINS
    assert access.failed_logins == counted  # none lost, none extra
    assert access.is_locked == (counted == settings.ACCESS_MAX_FAILED_LOGINS)
    assert not AuditEvent.objects.filter(user=cajero, kind=AuditKind.STAFF_LOGIN).exists()
    assert set(statuses) <= {200, 302}
