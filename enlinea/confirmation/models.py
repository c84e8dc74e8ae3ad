"""A pending operation: what the member asked for, waiting for its security code."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class PendingOperation(models.Model):
    """One operation of the confirmation flow, from its form to its result.

    It is reached only through its own unguessable ``token`` and only by its member,
    so several operations (several tabs) can wait for their codes at once. ``content``
    is everything the operation will do and everything its code confirms: never a
    raw password, answer or code, only their hashes. Once DONE or FAILED the row keeps
    the outcome, so a refresh or a second click shows the first result again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pendiente"
        DONE = "done", "Realizada"
        FAILED = "failed", "Rechazada"
        EXPIRED = "expired", "Expirada"

    token = models.CharField(max_length=64, unique=True)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="pending_operations",
        verbose_name="socio",
    )
    kind = models.CharField("operación", max_length=40)
    content = models.JSONField("contenido", default=dict)
    challenge = models.ForeignKey(
        "security.SecurityChallenge",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="factor de seguridad",
    )
    status = models.CharField(
        "estado", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    result = models.JSONField("resultado", default=dict, blank=True)
    created_at = models.DateTimeField("iniciada", default=timezone.now)
    expires_at = models.DateTimeField("expira")
    done_at = models.DateTimeField("terminada", null=True, blank=True)

    class Meta:
        verbose_name = "operación pendiente"
        verbose_name_plural = "operaciones pendientes"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "done", "failed", "expired"]),
                name="confirmation_operation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "expired"]) | Q(done_at__isnull=False),
                name="confirmation_operation_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.get_status_display()}"

    @property
    def failure_message(self) -> str:
        return str(self.result.get("message", "")) if self.status == self.Status.FAILED else ""
