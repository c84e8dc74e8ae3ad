"""Security counters under parallel requests (PostgreSQL, real threads).

Each thread is its own browser as far as the server knows: its own Django test
client and database connection. Recovery's threads share one session cookie (one
attacker's attempt fired many times at once); the login's are separate sessions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from conftest import MEMBER_PASSWORD, device_trusted_token
from enlinea.access import credentials, recovery, session
from enlinea.access.devices import DEVICE_COOKIE
from enlinea.access.models import AuditKind, LoginRecord, OnlineProfile, RecoveryAttempt
from enlinea.access.tests.profile_support import ANSWERS, enrolled_member, text
from enlinea.access.views_recovery import RECOVERY
from enlinea.notifications.models import Channel, Message
from enlinea.security.models import AuditEvent, SecurityChallenge

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# How long a thread may take before the test gives up (a hang, not a timing assert).
PATIENCE_SECONDS = 120


class _Started:
    """Calls running each in its own thread (with its own database connection)."""

    def __init__(self, calls: list[Callable[[], Any]], *, together: bool = True) -> None:
        self._start = threading.Barrier(len(calls)) if together else None
        self._results: list[Any] = [None] * len(calls)
        self._errors: list[BaseException] = []
        self._threads = [
            threading.Thread(target=self._run, args=(n, call)) for n, call in enumerate(calls)
        ]
        for thread in self._threads:
            thread.start()

    def _run(self, index: int, call: Callable[[], Any]) -> None:
        try:
            if self._start is not None:
                self._start.wait()
            self._results[index] = call()
        except BaseException as exc:  # reported by results()
            self._errors.append(exc)
        finally:
            connection.close()

    def results(self) -> list[Any]:
        """Wait for every call; their results, in order (a failure in one fails the test)."""
        for thread in self._threads:
            thread.join(PATIENCE_SECONDS)
        assert not any(thread.is_alive() for thread in self._threads), "a thread hung"
        assert not self._errors, self._errors
        return self._results


# ---------------------------------------------------------------- recovery answers


def test_parallel_wrong_answer_sets_count_exactly_the_limit_then_refuse_the_right_ones(
    settings,
) -> None:
    # The rate limits are not what stops them here: the attempt's row lock is.
    settings.ACCESS_RATE_RECOVERY_ANSWERS_IP = "100/h"
    settings.ACCESS_RATE_RECOVERY_ANSWERS_MEMBER = "100/h"
    socio = enrolled_member()
    first = Client()
    started = first.post(
        reverse("profile:recover"),
        {"identification": socio.identification, "username": "andreslopez"},
    )
    assert started["Location"] == reverse("profile:recover_questions")
    asked = first.session[RECOVERY]["questions"]
    token = first.session[RECOVERY]["attempt"]
    cookie = first.cookies[django_settings.SESSION_COOKIE_NAME].value
    wrong = {question: "incorrecta" for question in asked}

    def wrong_set() -> tuple[int, str]:
        client = Client()
        client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
        response = client.post(reverse("profile:recover_questions"), wrong)
        return response.status_code, text(response)

    parallel = 8
    outcomes = _Started([wrong_set] * parallel).results()

    limit = settings.ACCESS_RECOVERY_MAX_ANSWER_TRIES
    assert limit == 3
    counted = AuditEvent.objects.filter(kind=AuditKind.RECOVERY_FAILED, user=socio.user)
    assert counted.count() == limit
    assert sorted(counted.values_list("detail__wrong", flat=True)) == [1, 2, 3]
    attempt = RecoveryAttempt.objects.get(member=socio)
    assert attempt.wrong_sets == limit
    assert attempt.ended_at is not None
    # One answer told "2 left", one "1 left"; the other six were sent back to the start.
    said = [body for status, body in outcomes if status == 400]
    assert len(said) == 2
    assert any("Te quedan 2 intentos." in body for body in said)
    assert any("Te queda 1 intento." in body for body in said)
    assert sorted(status for status, _ in outcomes) == [302] * (parallel - 2) + [400] * 2

    # The right answers are refused now, through the pages and by the service itself.
    right = {question: ANSWERS[question] for question in asked}
    late = Client()
    late.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    response = late.post(reverse("profile:recover_questions"), right)
    assert response.status_code == 302
    assert response["Location"] == reverse("profile:recover")
    outcome = recovery.recovery_answers_check(member=socio, token=token, answers=right)
    assert (outcome.ok, outcome.ended) == (False, True)
    assert not SecurityChallenge.objects.filter(member=socio).exists()
    assert counted.count() == limit


# ---------------------------------------------------------------- login lockout


def _waiting_on_locks() -> int:
    """Connections of this test database waiting for a lock (PostgreSQL's own view)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _until_waiting(count: int) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while _waiting_on_locks() < count:
        assert time.monotonic() < deadline, f"never saw {count} requests waiting"
        time.sleep(0.02)


def test_parallel_passwords_after_four_failures_lock_once_and_refuse_the_right_one(
    member, settings
) -> None:
    settings.ACCESS_RATE_LOGIN_IP = "100/m"
    settings.ACCESS_RATE_LOGIN_USER = "100/m"
    for _ in range(4):
        credentials.login_failure_record(user=member)
    token = device_trusted_token("andreslopez")

    def client_at_password() -> Client:
        client = Client()
        client.cookies[DEVICE_COOKIE] = token  # a right password would log in at once
        client.post(reverse("session:login"), {"username": "andreslopez"})
        return client

    wrong_count = 6
    wrong_clients = [client_at_password() for _ in range(wrong_count)]
    right_client = client_at_password()

    def attempt(client: Client, password: str) -> Callable[[], tuple[int, str, bool]]:
        def call() -> tuple[int, str, bool]:
            response = client.post(reverse("session:password"), {"password": password})
            return response.status_code, text(response), "_auth_user_id" in client.session

        return call

    # Hold the member's access row so that every try queues behind it, the wrong ones
    # first: the right password then comes after the fifth failure, whoever runs first.
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            OnlineProfile.objects.select_for_update().get(user=member)
            holding.set()
            assert release.wait(PATIENCE_SECONDS)

    holder = _Started([hold])
    assert holding.wait(PATIENCE_SECONDS)
    wrongs = _Started([attempt(client, "Incorrecta#1") for client in wrong_clients])
    _until_waiting(wrong_count)
    right = _Started([attempt(right_client, MEMBER_PASSWORD)])
    _until_waiting(wrong_count + 1)
    release.set()
    holder.results()
    results = wrongs.results() + right.results()

    assert len(results) == wrong_count + 1
    for status, body, logged_in in results:
        assert (status, logged_in) == (200, False)
        assert session.MSG_LOCKED in body
        assert "Cómo desbloquear tu acceso" in body
    profile = OnlineProfile.objects.get(user=member)
    assert profile.is_locked
    assert profile.lock_reason == OnlineProfile.LockReason.FAILURES
    assert profile.failed_logins == settings.ACCESS_MAX_FAILED_LOGINS
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED, user=member).count() == 1
    assert Message.objects.filter(kind="acceso_bloqueado", channel=Channel.EMAIL).count() == 1
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGIN, user=member).exists()
    assert not LoginRecord.objects.filter(user=member).exists()
    refused = AuditEvent.objects.filter(
        kind=AuditKind.LOGIN_FAILED, user=member, detail__reason="locked"
    )
    # The right password was refused as locked (and counted nothing).
    assert refused.filter(detail__consecutive__isnull=True).count() == 1
