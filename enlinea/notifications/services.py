"""Notifications: write to the outbox now, deliver in the background worker."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from enlinea.notifications.models import Channel, Message
from enlinea.notifications.sms import sms_gateway

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Messages that carry a secret (a security code, temporary credentials): once delivered,
# the outbox keeps only the envelope, so the database never holds a usable secret
# longer than delivery needs. A message still pending or FALLIDO keeps its body (a
# retry needs it); a code is useless after ACCESS_CODE_TTL_SECONDS anyway.
# "credenciales_temporales" is the old one-message kind, kept for rows queued before
# the username and password were split; "recordatorio_usuario" reminds a username;
# "tarjeta_pin_generado" carries Generar PIN's one-time link.
SECRET_KINDS = frozenset(
    {
        "codigo_seguridad",
        "credenciales_temporales",
        "usuario_temporal",
        "clave_temporal",
        "recordatorio_usuario",
        "tarjeta_pin_generado",
    }
)
REDACTED_BODY = "(Contenido eliminado después del envío: contenía un código o una clave.)"
# 30 s, 1 min, 2 min … capped at one hour between tries.
_BASE_DELAY = timedelta(seconds=30)
_MAX_DELAY = timedelta(hours=1)


def _render_plain(name: str, context: Mapping[str, Any]) -> str:
    """Plain text is not HTML: no escaping (a name like O'Brien stays as typed)."""
    template = get_template(name).template  # the Django engine's own Template
    return template.render(Context(dict(context), autoescape=False))


def _render(kind: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """(subject, text body, SMS text) from ``notifications/mensajes/<kind>.txt``.

    The template's first line is ``Asunto: …``; the SMS text comes from
    ``<kind>.sms.txt`` when it exists, else from the subject.
    """
    full_context = {"institution": settings.INSTITUTION, **context}
    text = _render_plain(f"notifications/mensajes/{kind}.txt", full_context).strip()
    first, _, body = text.partition("\n")
    if not first.startswith("Asunto:"):
        raise ValueError(f"notifications/mensajes/{kind}.txt must start with 'Asunto:'")
    subject = first.removeprefix("Asunto:").strip()
    try:
        sms = _render_plain(f"notifications/mensajes/{kind}.sms.txt", full_context).strip()
    except TemplateDoesNotExist:  # the subject is the SMS
        sms = f"{settings.INSTITUTION['short_name']}: {subject}"
    return subject, body.strip(), sms


def notification_send(
    *,
    kind: str,
    context: Mapping[str, Any],
    email: str = "",
    phone: str = "",
    channels: Iterable[str] = (Channel.EMAIL, Channel.SMS),
) -> list[Message]:
    """Store one message per channel and schedule its delivery after COMMIT.

    Call it inside the transaction of the change it reports: if that rolls back, no
    message exists; if it commits, the message is delivered (and retried) later.
    """
    subject, body, sms_text = _render(kind, context)
    wanted = set(channels)
    messages = []
    if Channel.EMAIL in wanted and email:
        html = render_to_string(
            "notifications/email.html",
            {"institution": settings.INSTITUTION, "subject": subject, "body": body},
        )
        messages.append(
            Message(
                channel=Channel.EMAIL,
                kind=kind,
                recipient=email,
                subject=subject,
                body=body,
                html_body=html,
            )
        )
    if Channel.SMS in wanted and phone:
        messages.append(
            Message(channel=Channel.SMS, kind=kind, recipient=phone, subject="", body=sms_text)
        )
    Message.objects.bulk_create(messages)
    ids = [message.pk for message in messages]  # both engines return the new ids
    transaction.on_commit(lambda: _enqueue(ids))
    return messages


def member_notify(*, member: Any, kind: str, context: Mapping[str, Any] | None = None) -> None:
    """Notify a member on their registered e-mail and mobile."""
    notification_send(
        kind=kind,
        context={"member": member, **(context or {})},
        email=member.email,
        phone=member.mobile_phone,
    )


def _enqueue(ids: list[int]) -> None:
    from enlinea.notifications.tasks import deliver_messages

    try:
        deliver_messages(ids)
    except Exception:  # the periodic flush picks them up
        logger.exception("could not enqueue delivery of messages %s", ids)


def _deliver_one(message: Message) -> None:
    if message.channel == Channel.EMAIL:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        email.send(fail_silently=False)
    else:
        sms_gateway().send(to=message.recipient, text=message.body)


def message_deliver(*, message_id: int) -> bool:
    """Deliver one pending message; on failure schedule the next try. True if sent.

    The row is locked (``skip_locked``) so two workers never send it twice.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Message.Status.PENDING)
            .first()
        )
        if message is None:
            return False
        now = timezone.now()
        message.attempts += 1
        try:
            _deliver_one(message)
        except Exception as exc:
            logger.warning("delivery of message %s failed: %s", message.pk, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            else:
                delay = min(_BASE_DELAY * (2 ** (message.attempts - 1)), _MAX_DELAY)
                message.next_attempt_at = now + delay
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        message.status = Message.Status.SENT
        message.sent_at = now
        message.last_error = ""
        fields = ["attempts", "status", "sent_at", "last_error"]
        if message.kind in SECRET_KINDS:
            message.body, message.html_body = REDACTED_BODY, ""
            fields += ["body", "html_body"]
        message.save(update_fields=fields)
        return True


def outbox_flush(*, limit: int = 500) -> int:
    """Deliver every pending message whose time has come; returns how many were sent."""
    due = Message.objects.filter(
        status=Message.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "id")
    sent = 0
    for message_id in due.values_list("pk", flat=True)[:limit]:
        sent += message_deliver(message_id=message_id)
    return sent


def message_retry(*, message_id: int) -> None:
    """Staff: put a FALLIDO message back in the queue."""
    Message.objects.filter(pk=message_id, status=Message.Status.FAILED).update(
        status=Message.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue([message_id]))
