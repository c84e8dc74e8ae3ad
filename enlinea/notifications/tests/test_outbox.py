"""The outbox: written with the change, delivered at COMMIT, retried, never lost."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.notifications import services
from enlinea.notifications.models import Channel, MailboxItem, Message
from enlinea.notifications.services import (
    MAX_ATTEMPTS,
    member_notify,
    message_deliver,
    message_retry,
    notification_send,
    outbox_flush,
)
from enlinea.notifications.tasks import flush_outbox

pytestmark = pytest.mark.django_db

CHANGE = "Cambiaste tu imagen de seguridad."


@pytest.fixture
def socio():
    return member_create(**member_data(email="andres.lopez@example.com"))


@pytest.fixture
def closed_port() -> int:
    """A local port with nobody listening (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _notify(member) -> None:
    member_notify(member=member, kind="cambio_seguridad", context={"change": CHANGE})


def _email() -> Message:
    return Message.objects.get(channel=Channel.EMAIL)


def test_messages_are_written_in_the_callers_transaction(
    socio, django_capture_on_commit_callbacks
) -> None:
    class Undone(Exception):
        pass

    def change_that_fails() -> None:
        with transaction.atomic():
            _notify(socio)
            assert Message.objects.count() == 2
            raise Undone

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Undone):
        change_that_fails()
    assert Message.objects.count() == 0
    assert callbacks == []  # nothing was scheduled for delivery
    assert MailboxItem.objects.count() == 0


def test_nothing_is_sent_before_commit(socio, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(socio)
    assert len(callbacks) == 1
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.PENDING}
    assert MailboxItem.objects.count() == 0


def test_email_is_delivered_at_commit_through_smtp_with_the_institutions_branding(
    socio, smtp_server, django_capture_on_commit_callbacks, settings
) -> None:
    settings.INSTITUTION = {**settings.INSTITUTION, "name": "Cooperativa Progreso"}
    with django_capture_on_commit_callbacks(execute=True):
        _notify(socio)
    received = smtp_server.wait_for(to="andres.lopez@example.com")
    assert received["Subject"] == "Cambio en tu acceso a Cooprogreso En Línea"
    assert received["From"] == settings.DEFAULT_FROM_EMAIL
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Hola, Andres David:")
    assert CHANGE in text
    assert "centro de llamadas 1800 266 776" in text
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Cooperativa Progreso En Línea" in html
    assert f"background:{settings.INSTITUTION['color_primary']}" in html
    assert '<html lang="es">' in html
    assert CHANGE in html
    email = _email()
    assert (email.status, email.attempts, email.last_error) == (Message.Status.SENT, 1, "")
    assert email.sent_at is not None


def test_sms_goes_through_the_simulator_to_the_development_mailbox(
    socio, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _notify(socio)
    sms = MailboxItem.objects.get(channel=Channel.SMS)
    assert sms.recipient == "0991234567"
    assert sms.body == f"Cooprogreso: {CHANGE} Si no fuiste tu, llama al 1800 266 776."
    assert Message.objects.get(channel=Channel.SMS).status == Message.Status.SENT


def test_without_email_host_email_lands_in_the_development_mailbox(
    socio, django_capture_on_commit_callbacks, settings
) -> None:
    settings.EMAIL_BACKEND = "enlinea.notifications.backends.MailboxEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _notify(socio)
    item = MailboxItem.objects.get(channel=Channel.EMAIL)
    assert item.recipient == "andres.lopez@example.com"
    assert item.subject == "Cambio en tu acceso a Cooprogreso En Línea"
    assert CHANGE in item.body
    assert "Cooprogreso En Línea" in item.html_body


def test_channels_and_missing_addresses_are_respected(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sent = notification_send(
            kind="cambio_seguridad",
            context={"change": CHANGE},
            email="x@example.com",
            phone="",
        )
        only_sms = notification_send(
            kind="cambio_seguridad",
            context={"change": CHANGE},
            email="x@example.com",
            phone="0991234567",
            channels=[Channel.SMS],
        )
    assert [m.channel for m in sent] == [Channel.EMAIL]
    assert [m.channel for m in only_sms] == [Channel.SMS]


def test_a_template_without_subject_line_is_refused(settings, tmp_path) -> None:
    folder = tmp_path / "notifications" / "mensajes"
    folder.mkdir(parents=True)
    (folder / "sin_asunto.txt").write_text("Hola sin asunto\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    with pytest.raises(ValueError, match="must start with 'Asunto:'"):
        notification_send(kind="sin_asunto", context={}, email="x@example.com")
    assert Message.objects.count() == 0


# ---------------------------------------------------------------- failures and retries


def _point_email_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2


def _due_now(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_failed_delivery_stays_pending_with_the_error_and_a_later_try(
    socio, settings, closed_port, django_capture_on_commit_callbacks
) -> None:
    _point_email_at(settings, closed_port)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(socio)
    email = _email()
    assert email.status == Message.Status.PENDING
    assert email.attempts == 1
    assert email.last_error.startswith("ConnectionRefusedError")
    assert before + timedelta(seconds=30) <= email.next_attempt_at
    assert email.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    # The SMS is independent of the e-mail's failure.
    assert Message.objects.get(channel=Channel.SMS).status == Message.Status.SENT
    # Not due yet: a flush leaves it alone.
    assert outbox_flush() == 0
    assert _email().attempts == 1


def test_backoff_doubles_from_30_seconds_and_is_capped_at_one_hour(
    socio, settings, closed_port, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 12)
    _point_email_at(settings, closed_port)
    with django_capture_on_commit_callbacks(execute=False):
        _notify(socio)
    email = _email()
    delays = []
    for _ in range(11):
        _due_now(email)
        start = timezone.now()
        assert message_deliver(message_id=email.pk) is False
        email.refresh_from_db()
        delays.append(round((email.next_attempt_at - start).total_seconds() / 30) * 30)
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]
    assert email.status == Message.Status.PENDING


def test_flush_delivers_once_the_server_is_back(
    socio, smtp_server, settings, closed_port, django_capture_on_commit_callbacks
) -> None:
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = closed_port
    with django_capture_on_commit_callbacks(execute=True):
        _notify(socio)
    assert _email().status == Message.Status.PENDING
    settings.EMAIL_PORT = working_port
    _due_now(_email())
    assert outbox_flush() == 1
    received = smtp_server.wait_for(to="andres.lopez@example.com")
    assert received["Subject"] == "Cambio en tu acceso a Cooprogreso En Línea"
    email = _email()
    assert (email.status, email.attempts, email.last_error) == (Message.Status.SENT, 2, "")
    assert outbox_flush() == 0  # sent once, never twice
    assert len(smtp_server.messages) == 1


def test_after_the_last_try_the_message_is_failed_and_kept(
    socio, settings, closed_port, django_capture_on_commit_callbacks
) -> None:
    _point_email_at(settings, closed_port)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(socio)
    email = _email()
    for _ in range(MAX_ATTEMPTS - 1):
        _due_now(email)
        outbox_flush()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Message.Status.FAILED, MAX_ATTEMPTS)
    assert CHANGE in email.body  # the content is kept for a retry
    assert email.last_error.startswith("ConnectionRefusedError")
    _due_now(email)
    assert outbox_flush() == 0
    assert _email().attempts == MAX_ATTEMPTS


def test_retry_requeues_a_failed_message_and_delivers_it(
    socio, smtp_server, settings, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        _notify(socio)
    Message.objects.filter(channel=Channel.EMAIL).update(
        status=Message.Status.FAILED, attempts=MAX_ATTEMPTS, last_error="SMTPServerDisconnected"
    )
    with django_capture_on_commit_callbacks(execute=True):
        message_retry(message_id=_email().pk)
    smtp_server.wait_for(to="andres.lopez@example.com")
    email = _email()
    assert (email.status, email.attempts) == (Message.Status.SENT, 1)


def test_an_invalid_mobile_number_fails_in_the_simulator_and_is_retried(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            kind="cambio_seguridad", context={"change": CHANGE}, phone="12345", channels=["sms"]
        )
    sms = Message.objects.get()
    assert (sms.status, sms.attempts) == (Message.Status.PENDING, 1)
    assert sms.last_error == "SmsError: Número de celular inválido: '12345'"


# ---------------------------------------------------------------- the worker


def test_flush_outbox_is_a_periodic_huey_task_every_minute() -> None:
    assert flush_outbox.task_class in HUEY._registry._periodic_tasks
    task = flush_outbox.task_class()
    assert task.validate_datetime(datetime(2026, 3, 1, 10, 17, tzinfo=UTC))
    assert task.validate_datetime(datetime(2026, 3, 1, 23, 59, tzinfo=UTC))


def test_flush_outbox_task_delivers_what_is_due(socio, monkeypatch, settings) -> None:
    settings.EMAIL_BACKEND = "enlinea.notifications.backends.MailboxEmailBackend"
    with transaction.atomic():
        _notify(socio)  # on_commit is not run in this test's transaction
    called = []
    real_flush = services.outbox_flush
    monkeypatch.setattr(services, "outbox_flush", lambda **kw: called.append(kw) or real_flush())
    flush_outbox()  # immediate mode: runs now (periodic tasks keep no result)
    assert called == [{}]
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
    assert MailboxItem.objects.count() == 2


def test_a_delivered_code_leaves_no_secret_in_the_outbox(
    socio, smtp_server, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        member_notify(
            member=socio,
            kind="codigo_seguridad",
            context={"code": "482913", "description": "Cambio de contraseña", "minutes": 3},
        )
    received = smtp_server.wait_for(to="andres.lopez@example.com")
    assert "482913" in received.get_body(preferencelist=("plain",)).get_content()
    assert MailboxItem.objects.get(channel=Channel.SMS).body.count("482913") == 1
    for message in Message.objects.all():
        assert message.status == Message.Status.SENT
        assert message.body == services.REDACTED_BODY
        assert message.html_body == ""
        assert "482913" not in message.subject


def test_a_pending_code_keeps_its_body_for_the_retry(
    socio, settings, closed_port, django_capture_on_commit_callbacks
) -> None:
    _point_email_at(settings, closed_port)
    with django_capture_on_commit_callbacks(execute=True):
        member_notify(
            member=socio,
            kind="codigo_seguridad",
            context={"code": "482913", "description": "Cambio de contraseña", "minutes": 3},
        )
    assert "482913" in _email().body


def test_ordinary_notices_keep_their_body_after_delivery(
    socio, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _notify(socio)
    assert CHANGE in _email().body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_deliver_a_message_once(socio) -> None:
    messages = notification_send(
        kind="cambio_seguridad",
        context={"change": CHANGE},
        phone="0991234567",
        channels=["sms"],
    )
    # Delivered at COMMIT already: put it back in the queue for the race.
    MailboxItem.objects.all().delete()
    Message.objects.filter(pk=messages[0].pk).update(
        status=Message.Status.PENDING, attempts=0, sent_at=None
    )
    workers = 4
    barrier = threading.Barrier(workers)
    results: list[bool] = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(message_deliver(message_id=messages[0].pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * (workers - 1) + [True]
    assert MailboxItem.objects.filter(channel=Channel.SMS).count() == 1
    assert Message.objects.get(pk=messages[0].pk).attempts == 1


def test_plain_text_keeps_what_was_typed_and_the_html_part_escapes_it() -> None:
    change = "Registraste el dispositivo «Laptop de O'Brien & <Hijos>»."
    (message,) = notification_send(
        kind="cambio_seguridad", context={"change": change}, email="x@example.com"
    )
    assert change in message.body
    assert "&amp;" not in message.body
    assert "&#x27;" not in message.body
    assert "O&#x27;Brien &amp; &lt;Hijos&gt;" in message.html_body
    assert "<Hijos>" not in message.html_body
