from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "Correo electrónico"
    SMS = "sms", "SMS"


class Message(models.Model):
    """One notification in the outbox.

    A message is written in the same transaction as the change it reports, then
    delivered by the background worker. Failed deliveries are retried with a growing
    delay; after the last try the message stays here as FALLIDO for staff to retry, so
    a failure never loses it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pendiente"
        SENT = "sent", "Enviado"
        FAILED = "failed", "Fallido"

    channel = models.CharField("canal", max_length=8, choices=Channel.choices)
    kind = models.CharField("tipo", max_length=40)
    recipient = models.CharField("destinatario", max_length=254)
    subject = models.CharField("asunto", max_length=200, blank=True)
    body = models.TextField("texto")
    html_body = models.TextField("HTML", blank=True)
    status = models.CharField(
        "estado", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    next_attempt_at = models.DateTimeField("próximo intento", default=timezone.now)
    last_error = models.TextField("último error", blank=True)
    created_at = models.DateTimeField("creado", default=timezone.now)
    sent_at = models.DateTimeField("enviado", null=True, blank=True)

    class Meta:
        verbose_name = "mensaje"
        verbose_name_plural = "mensajes"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notif_message_due_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["email", "sms"]), name="notif_message_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed"]),
                name="notif_message_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} a {self.recipient}: {self.subject or self.kind}"


class MailboxItem(models.Model):
    """What the development mailbox (/dev/buzon/) shows: e-mails and simulated SMS.

    Only written when no SMTP server is configured (e-mail) or the SMS simulator is
    the gateway; production with real adapters never writes here.
    """

    channel = models.CharField("canal", max_length=8, choices=Channel.choices)
    recipient = models.CharField("destinatario", max_length=254)
    subject = models.CharField("asunto", max_length=200, blank=True)
    body = models.TextField("texto")
    html_body = models.TextField("HTML", blank=True)
    created_at = models.DateTimeField("recibido", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "mensaje del buzón de desarrollo"
        verbose_name_plural = "buzón de desarrollo"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject or self.body[:40]}"
