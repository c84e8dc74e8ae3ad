"""The SMS gateway interface and its local simulator.

A production adapter is a new class with the same ``send`` method, chosen with the
``SMS_GATEWAY`` setting; callers never change.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The gateway did not accept the message (it will be retried)."""


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str) -> str:
        """Send ``text`` to the mobile number ``to``; returns the gateway's id."""


class SimulatedSmsGateway:
    """Writes each SMS to the development mailbox instead of a phone network."""

    def send(self, *, to: str, text: str) -> str:
        from enlinea.notifications.models import Channel, MailboxItem

        if not to.isdigit() or len(to) != 10:
            raise SmsError(f"Número de celular inválido: {to!r}")
        item = MailboxItem.objects.create(channel=Channel.SMS, recipient=to, body=text)
        return f"sim-{item.pk}"


@cache
def _gateway_class(path: str) -> type:
    return import_string(path)


def sms_gateway() -> SmsGateway:
    return _gateway_class(settings.SMS_GATEWAY)()
