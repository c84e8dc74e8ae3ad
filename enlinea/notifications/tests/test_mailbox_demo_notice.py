"""Finding 11: the development mailbox says plainly what it is, and never serves
behind HTTPS."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from enlinea.notifications.models import Channel, MailboxItem

pytestmark = pytest.mark.django_db

NOTICE = (
    "Herramienta de demostración: aquí se ven todos los códigos y contraseñas enviados. "
    "Nunca debe estar activa en producción."
)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


@pytest.fixture
def item():
    return MailboxItem.objects.create(
        channel=Channel.EMAIL,
        recipient="andres.lopez@example.com",
        subject="Tu código de seguridad",
        body="Tu código es 123456.",
    )


def test_the_mailbox_and_each_message_carry_the_demo_notice(client, settings, item) -> None:
    settings.DEMO_MODE = True
    assert NOTICE in text(client.get(reverse("notifications:mailbox")))
    assert NOTICE in text(client.get(reverse("notifications:mailbox_item", args=[item.pk])))


@pytest.mark.parametrize(("debug", "demo"), [(True, False), (False, True)])
def test_the_mailbox_is_404_behind_https(client, settings, item, debug, demo) -> None:
    settings.DEBUG, settings.DEMO_MODE, settings.HTTPS = debug, demo, True
    assert client.get(reverse("notifications:mailbox"), secure=True).status_code == 404
    detail = reverse("notifications:mailbox_item", args=[item.pk])
    assert client.get(detail, secure=True).status_code == 404
