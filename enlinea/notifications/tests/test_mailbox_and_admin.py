"""The development mailbox (/dev/buzon/) and the outbox in the back office."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enlinea.access.tests.cast import support_staff as cast_support_staff
from enlinea.notifications.models import Channel, MailboxItem, Message
from enlinea.notifications.services import MAX_ATTEMPTS, notification_send
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

CHANGE = "Cambiaste tu contraseña."


@pytest.fixture
def items():
    email = MailboxItem.objects.create(
        channel=Channel.EMAIL,
        recipient="andres.lopez@example.com",
        subject="Cambio en tu acceso a Cooprogreso En Línea",
        body=f"Hola, Andres:\n\n{CHANGE}",
    )
    sms = MailboxItem.objects.create(
        channel=Channel.SMS, recipient="0991234567", body=f"Cooprogreso: {CHANGE}"
    )
    return email, sms


@pytest.mark.parametrize(("debug", "demo"), [(True, False), (False, True)])
def test_mailbox_lists_and_shows_messages_in_development_or_demo(
    client, settings, items, debug, demo
) -> None:
    settings.DEBUG, settings.DEMO_MODE = debug, demo
    email, _sms = items
    page = client.get("/dev/buzon/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Buzón de desarrollo" in html
    assert "Cambio en tu acceso a Cooprogreso En Línea" in html
    assert "0991234567" in html
    assert page["Cache-Control"].startswith("max-age=0")
    detail = client.get(reverse("notifications:mailbox_item", args=[email.pk]))
    assert detail.status_code == 200
    assert CHANGE in detail.content.decode()
    assert "andres.lopez@example.com" in detail.content.decode()


def test_mailbox_filters_by_recipient(client, settings, items) -> None:
    settings.DEMO_MODE = True
    html = client.get("/dev/buzon/", {"para": "0991234567"}).content.decode()
    assert "Cooprogreso: Cambiaste tu contraseña." in html
    assert "andres.lopez@example.com" not in html


def test_mailbox_is_empty_politely(client, settings) -> None:
    settings.DEMO_MODE = True
    assert "No hay mensajes todavía." in client.get("/dev/buzon/").content.decode()


def test_mailbox_does_not_exist_outside_development_and_demo(client, settings, items) -> None:
    settings.DEBUG, settings.DEMO_MODE = False, False
    email, _ = items
    assert client.get("/dev/buzon/").status_code == 404
    assert client.get(reverse("notifications:mailbox_item", args=[email.pk])).status_code == 404


def test_unknown_mailbox_item_is_404(client, settings) -> None:
    settings.DEMO_MODE = True
    assert client.get(reverse("notifications:mailbox_item", args=[999999])).status_code == 404


# ---------------------------------------------------------------- back office


@pytest.fixture
def failed_email(django_capture_on_commit_callbacks) -> Message:
    with django_capture_on_commit_callbacks(execute=False):
        notification_send(
            kind="codigo_seguridad",
            context={"code": "482913", "description": "Cambio de contraseña", "minutes": 3},
            email="andres.lopez@example.com",
        )
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED, attempts=MAX_ATTEMPTS, last_error="ConnectionRefusedError"
    )
    return message


@pytest.fixture
def support_staff(db):
    return cast_support_staff()


def test_staff_see_the_envelope_but_never_the_body(client, support_staff, failed_email) -> None:
    staff_login(client, support_staff)
    listing = client.get(reverse("admin:notifications_message_changelist"))
    assert listing.status_code == 200
    assert "andres.lopez@example.com" in listing.content.decode()
    page = client.get(reverse("admin:notifications_message_change", args=[failed_email.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "ConnectionRefusedError" in html
    assert "482913" not in html  # the code is only in the body, which staff never see
    assert "482913" not in listing.content.decode()


def test_nobody_adds_changes_or_deletes_messages(admin_client, failed_email) -> None:
    assert admin_client.get(reverse("admin:notifications_message_add")).status_code == 403
    delete = reverse("admin:notifications_message_delete", args=[failed_email.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=failed_email.pk).exists()


def test_staff_retry_action_requeues_and_delivers_a_failed_message(
    client, support_staff, failed_email, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_BACKEND = "enlinea.notifications.backends.MailboxEmailBackend"
    staff_login(client, support_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "retry", "_selected_action": [failed_email.pk]},
            follow=True,
        )
    assert "1 mensaje(s) vuelven a la cola." in response.content.decode()
    failed_email.refresh_from_db()
    assert (failed_email.status, failed_email.attempts) == (Message.Status.SENT, 1)
    assert MailboxItem.objects.filter(recipient="andres.lopez@example.com").count() == 1


def test_development_mailbox_is_not_in_the_back_office(admin_client) -> None:
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "buzón de desarrollo" not in html.lower()
