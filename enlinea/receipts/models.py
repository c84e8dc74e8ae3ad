"""Comprobantes: one numbered receipt for each member-facing operation.

The ledger stays the source of the amounts; a receipt records what the ledger cannot know
(the operation's kind, channel, motive and counterpart) and links the journal entries the
operation posted: the main entry and, when the tariff charges one, its COMISIÓN and IVA
entries, each its own movement on the member's account.

The Comprobante N.º is the row's ``number``: taken from a database sequence (the primary
key), so it is unique and increasing; a rolled-back operation leaves a gap, as a bank's
receipt numbers do.
"""

from __future__ import annotations

from django.db import models

from enlinea.ledger.models import JournalEntry
from enlinea.members.models import Member


class ReceiptKind(models.TextChoices):
    TRANSFER_OWN = "transfer_own", "Transferencia entre cuentas propias"
    TRANSFER_INTERNAL = "transfer_internal", "Transferencia interna"
    TRANSFER_INTERBANK = "transfer_interbank", "Transferencia interbancaria"
    TRANSFER_RECEIVED = "transfer_received", "Transferencia recibida"
    TRANSFER_RETURNED = "transfer_returned", "Devolución de transferencia interbancaria"
    BILL_PAYMENT = "bill_payment", "Pago de servicios"
    BILL_PAYMENT_RETURNED = "bill_payment_returned", "Devolución de pago de servicios"
    CARD_PAYMENT = "card_payment", "Pago de tarjeta"
    CASH_DEPOSIT = "cash_deposit", "Depósito en efectivo"
    CASH_WITHDRAWAL = "cash_withdrawal", "Retiro en efectivo"
    LOAN_DISBURSEMENT = "loan_disbursement", "Desembolso de crédito"
    LOAN_PAYMENT = "loan_payment", "Pago de cuota de crédito"
    INVESTMENT_OPEN = "investment_open", "Apertura de inversión"
    INVESTMENT_PAYMENT = "investment_payment", "Pago de inversión al vencimiento"
    CARD_PURCHASE = "card_purchase", "Consumo con tarjeta de débito"


class Channel(models.TextChoices):
    WEB = "web", "Banca Web"
    BRANCH = "branch", "Ventanilla"
    CARD = "card", "Tarjeta de débito"
    INTERBANK = "interbank", "Red interbancaria (SPI)"
    SYSTEM = "system", "Sistema"


class Receipt(models.Model):
    """A Comprobante: what one operation was, for whom, through which channel."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="receipts", verbose_name="socio"
    )
    kind = models.CharField("tipo", max_length=24, choices=ReceiptKind.choices)
    channel = models.CharField("canal", max_length=12, choices=Channel.choices)
    account = models.ForeignKey(
        "products.DepositAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipts",
        verbose_name="cuenta del socio",
    )
    amount = models.BigIntegerField("valor")  # cents, positive
    commission = models.BigIntegerField("comisión", default=0)
    iva = models.BigIntegerField("IVA", default=0)
    motive = models.CharField("motivo", max_length=120, blank=True)
    counterpart_name = models.CharField("nombre del beneficiario", max_length=160, blank=True)
    counterpart_identification = models.CharField("identificación", max_length=20, blank=True)
    counterpart_account = models.CharField("cuenta del beneficiario", max_length=34, blank=True)
    counterpart_account_type = models.CharField("tipo de cuenta", max_length=20, blank=True)
    counterpart_institution = models.CharField("institución financiera", max_length=160, blank=True)
    entries = models.ManyToManyField(
        JournalEntry, through="ReceiptEntry", related_name="receipts", verbose_name="asientos"
    )
    idempotency_key = models.CharField(max_length=120, unique=True, editable=False)
    created_at = models.DateTimeField("fecha", db_index=True)

    class Meta:
        verbose_name = "comprobante"
        verbose_name_plural = "comprobantes"
        ordering = ["-id"]
        indexes = [models.Index(fields=["member", "-created_at"], name="receipt_member_recent")]

    def __str__(self) -> str:
        return f"Comprobante N.º {self.number}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def total(self) -> int:
        """Total debitado: the value plus its commission and IVA."""
        return self.amount + self.commission + self.iva


class ReceiptEntry(models.Model):
    """The journal entries one receipt stands for; an entry belongs to one receipt."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="entry_links")
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="receipt_link"
    )

    class Meta:
        verbose_name = "asiento del comprobante"
        verbose_name_plural = "asientos del comprobante"

    def __str__(self) -> str:
        return f"{self.receipt} · asiento {self.entry_id}"
