"""Quejas y reclamos: what a member files and how staff work it.

A complaint's attachment is kept outside every public URL (see ``attachments.py``):
the row holds only the random name it was stored under and the member's original
file name, which is shown but never used as a path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from enlinea.members.models import Member

DETAIL_MAX_LENGTH = 2000


class ComplaintStatus(models.TextChoices):
    RECEIVED = "RECIBIDO", "Recibido"
    IN_PROGRESS = "EN_GESTION", "En gestión"
    RESOLVED = "RESUELTO", "Resuelto"
    REJECTED = "RECHAZADO", "Rechazado"


class ComplaintProduct(models.TextChoices):
    """What the complaint is about (the manual's "Producto")."""

    ACCOUNTS = "cuentas", "Cuentas"
    LOANS = "creditos", "Créditos"
    INVESTMENTS = "inversiones", "Inversiones"
    DEBIT_CARD = "tarjeta_debito", "Tarjeta de débito"
    CREDIT_CARD = "tarjeta_credito", "Tarjeta de crédito"
    TRANSFERS = "transferencias", "Transferencias"
    PAYMENTS = "pagos_servicios", "Pagos de servicios"
    DIGITAL = "canales_digitales", "Canales digitales"
    OTHER = "otro", "Otro"


class Complaint(models.Model):
    """One queja o reclamo, identified for the member by its ticket (``QR-2026-000123``)."""

    # NULL only inside the filing transaction: the number comes from the id the insert
    # gives (services.ticket_for), and NULLs do not collide in the unique index.
    ticket = models.CharField(  # noqa: DJ001
        "ticket", max_length=20, unique=True, null=True, editable=False
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="complaints", verbose_name="socio"
    )
    product = models.CharField("producto", max_length=20, choices=ComplaintProduct.choices)
    # What the member picked from their own products, as shown to them (cards masked).
    product_reference = models.CharField("número de cuenta o tarjeta", max_length=80, blank=True)
    full_name = models.CharField("nombre y apellido", max_length=200)
    identification = models.CharField("cédula o pasaporte", max_length=20, db_index=True)
    email = models.EmailField("correo", max_length=254)
    detail = models.TextField("detalle", max_length=DETAIL_MAX_LENGTH)
    attachment = models.CharField(
        "archivo guardado como", max_length=100, blank=True, editable=False
    )
    attachment_name = models.CharField("archivo adjunto", max_length=255, blank=True)
    attachment_type = models.CharField("tipo de archivo", max_length=40, blank=True)
    attachment_size = models.PositiveIntegerField("tamaño (bytes)", null=True, blank=True)
    consent_at = models.DateTimeField("aceptó el tratamiento de datos")
    consent_version = models.CharField("versión del consentimiento", max_length=20, blank=True)
    status = models.CharField(
        "estado", max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    response = models.TextField("respuesta", blank=True)
    created_at = models.DateTimeField("recibido", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("último cambio", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="cambiado por",
    )

    class Meta:
        verbose_name = "queja o reclamo"
        verbose_name_plural = "quejas y reclamos"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ComplaintStatus.values),
                name="support_complaint_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(product__in=ComplaintProduct.values),
                name="support_complaint_product_valid",
            ),
            models.CheckConstraint(
                condition=~Q(detail=""), name="support_complaint_detail_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("detail"), DETAIL_MAX_LENGTH)),
                name="support_complaint_detail_max_length",
            ),
        ]

    def __str__(self) -> str:
        return self.ticket or f"Queja #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)


class ComplaintEvent(models.Model):
    """One step in a complaint's history: who moved it to which status, and what they said."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name="queja"
    )
    created_at = models.DateTimeField("fecha", default=timezone.now)
    from_status = models.CharField(
        "estado anterior", max_length=10, choices=ComplaintStatus.choices, blank=True
    )
    to_status = models.CharField("estado", max_length=10, choices=ComplaintStatus.choices)
    response = models.TextField("respuesta al socio", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="por",
    )

    class Meta:
        verbose_name = "cambio de estado"
        verbose_name_plural = "historial"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_to_status_display()} · {self.created_at:%Y-%m-%d %H:%M}"
