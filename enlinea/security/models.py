"""The records of the shared security mechanisms: the audit log and the security codes.

Every app writes them (``enlinea.security.audit``, ``enlinea.security.codes``). The tables
keep the names they were created with (``access_auditevent``,
``access_securitychallenge``) when these models moved here from the access app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from enlinea.security.audit_kinds import audit_kind_label, audit_kind_register


class SecurityEvent(models.TextChoices):
    """Audit kinds of the shared mechanisms (each app registers its own kinds)."""

    CODE_SENT = "code_sent", "Código enviado"
    CODE_RESENT = "code_resent", "Código reenviado"
    CODE_VERIFIED = "code_verified", "Código validado"
    CODE_FAILED = "code_failed", "Código incorrecto"
    CODE_EXPIRED = "code_expired", "Código expirado"
    CODE_EXHAUSTED = "code_exhausted", "Código anulado por intentos"
    CODE_MISMATCH = "code_mismatch", "Código usado para otra operación"
    OPERATION_STARTED = "operation_started", "Operación iniciada"
    OPERATION_DONE = "operation_done", "Operación confirmada y realizada"
    OPERATION_FAILED = "operation_failed", "Operación confirmada y rechazada"
    OPERATION_EXPIRED = "operation_expired", "Operación expirada sin confirmar"
    RATE_LIMITED = "rate_limited", "Límite de intentos alcanzado"


for _value, _label in SecurityEvent.choices:
    audit_kind_register(_value, _label)


class AuditEvent(models.Model):
    """Append-only record of every security-relevant event (DESIGN invariant 9)."""

    created_at = models.DateTimeField("fecha", default=timezone.now, db_index=True)
    # Plain text: the kinds are registered in code (security/audit_kinds.py), not choices,
    # so a new kind needs no migration.
    kind = models.CharField("evento", max_length=30)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="usuario",
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="socio",
    )
    username = models.CharField("usuario ingresado", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.TextField("navegador", blank=True)
    detail = models.JSONField("detalle", default=dict, blank=True)

    class Meta:
        db_table = "access_auditevent"
        verbose_name = "evento de auditoría"
        verbose_name_plural = "auditoría"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()}"

    def get_kind_display(self) -> str:
        return audit_kind_label(self.kind)


class SecurityChallenge(models.Model):
    """A "Factor de seguridad" code, bound to one operation (kind + content digest).

    Only an HMAC of the code is stored. A challenge is used once: it goes from
    PENDING to VERIFIED (right code, right operation) to USED inside the operation's
    own transaction; it dies after too many wrong tries or when it expires.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pendiente"
        VERIFIED = "verified", "Validado"
        USED = "used", "Usado"
        DEAD = "dead", "Anulado"

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="security_challenges"
    )
    kind = models.CharField("operación", max_length=40)
    # Which pending operation the code belongs to (``PendingOperation.token`` of the
    # confirmation flow); empty for the flows that keep one pending code per kind.
    # A new code only replaces the pending ones of the same member, kind and scope.
    scope = models.CharField("operación pendiente", max_length=64, blank=True, default="")
    description = models.CharField("descripción", max_length=200)
    digest = models.CharField("huella de la operación", max_length=64)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("intentos fallidos", default=0)
    resends = models.PositiveSmallIntegerField("reenvíos", default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "access_securitychallenge"
        verbose_name = "factor de seguridad"
        verbose_name_plural = "factores de seguridad"
        indexes = [models.Index(fields=["member", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "verified", "used", "dead"]),
                name="access_challenge_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.get_status_display()}"
