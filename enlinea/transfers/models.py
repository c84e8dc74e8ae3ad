"""Interbank clearing: the orders sent to the SPI, the batches they travel in, the
credits that arrive from it, and the state of the network's local simulator.

An outgoing interbank transfer is one ``InterbankTransfer`` (the payment order), made in
the transaction that debits the member (the debit goes to the CLEARING account, where
the money waits while the order travels). Its state only moves forward::

    PENDIENTE ──(in a batch, sent)──> ENVIADA ──(the network settles)──> LIQUIDADA
        │                               │
        └───────────────────────────────┴──(the network or staff return it)──> DEVUELTA

LIQUIDADA moves the money from CLEARING to the cooperative's account at the Banco
Central; DEVUELTA credits the amount and its COMISIÓN and IVA back to the member. Each
change is made under the order's row lock, so a retried worker, a second worker and
the back office's Reintentar / Devolver apply it once (``enlinea.transfers.clearing``).

``IncomingTransfer`` is one credit the network delivered: ACREDITADA to the member's
account or DEVUELTA to the network (no such account, or it is inactive or blocked).

``SimulatorOrder`` and ``SimulatorCredit`` are the SPI simulator's own books
(``enlinea.transfers.simulator``), in the database so that the worker and the web
processes share them; a production adapter leaves them empty.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TransferStatus(models.TextChoices):
    PENDING = "PENDIENTE", "PENDIENTE"
    SENT = "ENVIADA", "ENVIADA"
    SETTLED = "LIQUIDADA", "LIQUIDADA"
    RETURNED = "DEVUELTA", "DEVUELTA"


FINAL_STATUSES = (TransferStatus.SETTLED, TransferStatus.RETURNED)


class BatchStatus(models.TextChoices):
    # Made with its orders; sent (again) by every cycle until the network took it.
    READY = "ARMADO", "ARMADO"
    SENT = "ENVIADO", "ENVIADO"


class InterbankBatch(models.Model):
    """A batch of orders sent to the network together. An order is put in one batch,
    once; a batch sent twice (a worker retried) carries the same references, which the
    network answers once."""

    status = models.CharField(
        "estado", max_length=8, choices=BatchStatus.choices, default=BatchStatus.READY
    )
    created_at = models.DateTimeField("armado")
    sent_at = models.DateTimeField("enviado", null=True, blank=True)
    attempts = models.PositiveIntegerField("envíos", default=0)
    last_error = models.CharField("último error", max_length=300, blank=True)

    class Meta:
        verbose_name = "lote interbancario"
        verbose_name_plural = "lotes interbancarios"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="transfers_batch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="ARMADO") | Q(sent_at__isnull=False),
                name="transfers_batch_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Lote {self.reference}"

    @property
    def reference(self) -> str:
        """The batch's reference at the network."""
        return f"LOTE-{self.pk:08d}"


class InterbankTransfer(models.Model):
    """An outgoing interbank transfer: the payment order the network receives."""

    receipt = models.OneToOneField(
        "receipts.Receipt",
        on_delete=models.PROTECT,
        related_name="interbank_transfer",
        verbose_name="comprobante",
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="interbank_transfers",
        verbose_name="socio",
    )
    source = models.ForeignKey(
        "products.DepositAccount",
        on_delete=models.PROTECT,
        related_name="interbank_transfers",
        verbose_name="cuenta de origen",
    )
    amount = models.BigIntegerField("valor (centavos)")
    commission = models.BigIntegerField("comisión (centavos)", default=0)
    iva = models.BigIntegerField("IVA (centavos)", default=0)
    beneficiary_name = models.CharField("beneficiario", max_length=160)
    beneficiary_identification = models.CharField("identificación", max_length=20, blank=True)
    beneficiary_account = models.CharField("cuenta del beneficiario", max_length=34)
    beneficiary_account_type = models.CharField("tipo de cuenta", max_length=20, blank=True)
    institution = models.CharField("institución financiera", max_length=160)
    motive = models.CharField("motivo", max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True, editable=False)
    status = models.CharField(
        "estado", max_length=9, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    batch = models.ForeignKey(
        InterbankBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name="lote",
    )
    created_at = models.DateTimeField("registrada", db_index=True)
    sent_at = models.DateTimeField("último envío", null=True, blank=True)
    attempts = models.PositiveIntegerField("envíos", default=0)
    settled_at = models.DateTimeField("liquidada", null=True, blank=True)
    returned_at = models.DateTimeField("devuelta", null=True, blank=True)
    return_reason = models.CharField("motivo de la devolución", max_length=200, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="devuelta por",
    )
    return_receipt = models.OneToOneField(
        "receipts.Receipt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_interbank_transfer",
        verbose_name="comprobante de la devolución",
    )

    class Meta:
        verbose_name = "transferencia interbancaria"
        verbose_name_plural = "transferencias interbancarias"
        ordering = ["-created_at", "-id"]
        permissions = [
            (
                "resolve_interbanktransfer",
                "Puede reintentar y devolver transferencias interbancarias atascadas",
            )
        ]
        indexes = [
            # The cycle's reads: the orders waiting for a batch, the ones waiting for
            # the network's answer (the stuck queue filters the same).
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=["PENDIENTE", "ENVIADA"]),
                name="transfers_interbank_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TransferStatus.values), name="transfers_status_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfers_amount_positive"),
            models.CheckConstraint(
                condition=Q(commission__gte=0, iva__gte=0), name="transfers_fees_not_negative"
            ),
            # Sent means in a batch; settled or returned happened once, with its time.
            models.CheckConstraint(
                condition=Q(status="PENDIENTE") | Q(status="DEVUELTA") | Q(batch__isnull=False),
                name="transfers_sent_in_a_batch",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="LIQUIDADA", settled_at__isnull=False, returned_at__isnull=True)
                    | Q(status="DEVUELTA", returned_at__isnull=False, settled_at__isnull=True)
                    | Q(
                        status__in=["PENDIENTE", "ENVIADA"],
                        settled_at__isnull=True,
                        returned_at__isnull=True,
                    )
                ),
                name="transfers_resolved_once",
            ),
            models.CheckConstraint(
                condition=Q(status="DEVUELTA") | Q(return_receipt__isnull=True),
                name="transfers_return_receipt_only_when_returned",
            ),
        ]

    def __str__(self) -> str:
        return f"Transferencia interbancaria N.º {self.receipt_id}"

    @property
    def reference(self) -> str:
        """The order's reference at the network (the Comprobante N.º, unique)."""
        return f"EL-{self.receipt_id:010d}"

    @property
    def total(self) -> int:
        return self.amount + self.commission + self.iva

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class IncomingStatus(models.TextChoices):
    CREDITED = "ACREDITADA", "ACREDITADA"
    RETURNED = "DEVUELTA", "DEVUELTA"


class IncomingTransfer(models.Model):
    """A credit the network delivered, recorded once by its network reference."""

    network_reference = models.CharField("referencia SPI", max_length=40, unique=True)
    account_number = models.CharField("cuenta de destino", max_length=34)
    destination = models.ForeignKey(
        "products.DepositAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_transfers",
        verbose_name="cuenta del socio",
    )
    amount = models.BigIntegerField("valor (centavos)")
    originator_name = models.CharField("ordenante", max_length=160)
    originator_identification = models.CharField("identificación", max_length=20, blank=True)
    originator_account = models.CharField("cuenta del ordenante", max_length=34, blank=True)
    originator_account_type = models.CharField("tipo de cuenta", max_length=20, blank=True)
    institution = models.CharField("institución de origen", max_length=160)
    motive = models.CharField("motivo", max_length=120, blank=True)
    status = models.CharField("estado", max_length=10, choices=IncomingStatus.choices)
    return_reason = models.CharField("motivo de la devolución", max_length=200, blank=True)
    receipt = models.OneToOneField(
        "receipts.Receipt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_transfer",
        verbose_name="comprobante",
    )
    received_at = models.DateTimeField("recibida", db_index=True)

    class Meta:
        verbose_name = "transferencia interbancaria recibida"
        verbose_name_plural = "transferencias interbancarias recibidas"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IncomingStatus.values),
                name="transfers_incoming_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="transfers_incoming_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="ACREDITADA", receipt__isnull=False)
                | Q(status="DEVUELTA", receipt__isnull=True),
                name="transfers_incoming_credited_has_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"SPI {self.network_reference}"


# ---------------------------------------------------------------- the simulator's books


class SimulatorOutcome(models.TextChoices):
    SETTLED = "LIQUIDADA", "LIQUIDADA"
    RETURNED = "DEVUELTA", "DEVUELTA"
    NONE = "SIN_RESPUESTA", "SIN RESPUESTA"


class SimulatorOrder(models.Model):
    """An order the simulated SPI accepted, with the outcome it will report at the end
    of its cycle (``decided_at``)."""

    reference = models.CharField(max_length=40, unique=True)
    batch_reference = models.CharField(max_length=40)
    account_number = models.CharField(max_length=34)
    institution = models.CharField(max_length=160)
    amount = models.BigIntegerField()
    outcome = models.CharField(max_length=13, choices=SimulatorOutcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField()
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = "orden del simulador SPI"
        verbose_name_plural = "órdenes del simulador SPI"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.reference


class SimulatorAttempt(models.Model):
    """A delivery the simulated network lost on purpose (test accounts ending in 7777:
    the first send never arrives), so that the next one is accepted."""

    reference = models.CharField(max_length=40, unique=True)
    lost_at = models.DateTimeField()

    class Meta:
        verbose_name = "envío perdido del simulador SPI"
        verbose_name_plural = "envíos perdidos del simulador SPI"

    def __str__(self) -> str:
        return self.reference


class SimulatorCredit(models.Model):
    """A credit another institution sends to a member here, delivered by the simulated
    SPI from ``deliver_at`` until the cooperative acknowledges it."""

    reference = models.CharField(max_length=40, unique=True)
    account_number = models.CharField(max_length=34)
    amount = models.BigIntegerField()
    originator_name = models.CharField(max_length=160)
    originator_identification = models.CharField(max_length=20, blank=True)
    originator_account = models.CharField(max_length=34, blank=True)
    originator_account_type = models.CharField(max_length=20, blank=True)
    institution = models.CharField(max_length=160)
    motive = models.CharField(max_length=120, blank=True)
    deliver_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    credited = models.BooleanField(null=True)
    return_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "crédito del simulador SPI"
        verbose_name_plural = "créditos del simulador SPI"
        ordering = ["deliver_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfers_simcredit_positive"),
        ]

    def __str__(self) -> str:
        return self.reference
