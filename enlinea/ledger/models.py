"""The cooperative's books: double entry in integer cents.

Sign convention: a posting's ``amount`` is positive for a credit and negative for a
debit, so every entry's postings sum to zero and a member's deposit account (money the
cooperative owes the member) has a positive balance. Asset accounts of the cooperative
(cash, loan portfolio) carry negative balances under this convention; the back office
shows them by their normal side.

Rows are written only by ``enlinea.ledger.services``. On PostgreSQL a deferred
constraint trigger refuses an unbalanced entry at COMMIT and any UPDATE or DELETE of a
posting (migration 0002); check constraints guard balances on every engine.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class AccountKind(models.TextChoices):
    MEMBER_DEPOSIT = "member_deposit", "Depósitos de socios"
    CASH = "cash", "Caja / ventanilla"
    CLEARING = "clearing", "Compensación interbancaria"
    CENTRAL_BANK = "central_bank", "Banco Central (liquidación SPI)"
    COMMISSION_INCOME = "commission_income", "Ingresos por comisiones"
    IVA_PAYABLE = "iva_payable", "IVA por pagar"
    BILLER_SETTLEMENT = "biller_settlement", "Liquidación de servicios"
    CARD_SETTLEMENT = "card_settlement", "Liquidación de tarjetas"
    LOAN_PORTFOLIO = "loan_portfolio", "Cartera de créditos"
    CARD_RECEIVABLE = "card_receivable", "Cartera de tarjetas de crédito"
    INTEREST_INCOME = "interest_income", "Ingresos por intereses"
    INTEREST_EXPENSE = "interest_expense", "Gasto por intereses"
    TERM_DEPOSITS = "term_deposits", "Depósitos a plazo"
    TAX_WITHHOLDING = "tax_withholding", "Retenciones por pagar"
    EQUITY = "equity", "Patrimonio"


class NormalSide(models.TextChoices):
    DEBIT = "debit", "Deudora"
    CREDIT = "credit", "Acreedora"


class LedgerAccount(models.Model):
    """A ledger account. A *group* account spreads its postings over shard children,
    so that accounts every operation touches (commissions, IVA, clearing) are not one
    hot row that serializes all traffic; its balance is the sum of its shards."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    normal_side = models.CharField(max_length=6, choices=NormalSide.choices)
    allow_negative = models.BooleanField(default=False)
    group = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="shards"
    )
    is_group = models.BooleanField(default=False)
    balance = models.BigIntegerField(default=0)
    held = models.BigIntegerField(default=0)
    posting_count = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cuenta contable"
        verbose_name_plural = "cuentas contables"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0),
                name="ledger_account_no_negative_balance",
                violation_error_message="El saldo de la cuenta no puede ser negativo.",
            ),
            models.CheckConstraint(condition=Q(held__gte=0), name="ledger_account_held_gte_0"),
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=F("held")),
                name="ledger_account_holds_within_balance",
                violation_error_message="Las retenciones no pueden superar el saldo.",
            ),
            models.CheckConstraint(
                condition=Q(is_group=False) | (Q(balance=0) & Q(held=0) & Q(posting_count=0)),
                name="ledger_group_has_no_postings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def available(self) -> int:
        """Ledger balance less active holds (saldo disponible)."""
        return self.balance - self.held


class EntryStatus(models.TextChoices):
    PENDING = "pending", "Pendiente"
    POSTED = "posted", "Contabilizado"
    VOIDED = "voided", "Anulado"


class JournalEntry(models.Model):
    """One business event in the books. Posted entries are immutable; corrections
    are new reversing entries. A pending entry (two-phase, for outside networks)
    holds its debits and has no postings until it is posted or voided, once."""

    idempotency_key = models.CharField(max_length=120, unique=True)
    request_digest = models.CharField(max_length=64)
    kind = models.CharField(max_length=40)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=EntryStatus.choices)
    lines = models.JSONField(help_text="The balanced lines as requested: [[account_id, amount], …]")
    metadata = models.JSONField(default=dict, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "asiento"
        verbose_name_plural = "asientos"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", resolved_at__isnull=True)
                | Q(status__in=["posted", "voided"], resolved_at__isnull=False),
                name="ledger_entry_resolved_once",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.get_status_display()})"


class Posting(models.Model):
    """One leg of a posted entry, with the account's running balance after it."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    # Indexed by the (account, id) index below, which also serves statements in order.
    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    amount = models.BigIntegerField()
    balance_after = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "movimiento"
        verbose_name_plural = "movimientos"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["account", "id"]),
            # Consulta de movimientos: an account's postings newest first by
            # (created_at, id), keyset-paged (enlinea/products/selectors/accounts.py).
            # Without it PostgreSQL seq-scans and sorts (test_accounts_explain.py).
            models.Index(fields=["account", "created_at", "id"], name="ledger_posting_statement"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_posting_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount:+d}"


class HoldStatus(models.TextChoices):
    ACTIVE = "active", "Activa"
    RELEASED = "released", "Liberada"
    CONSUMED = "consumed", "Aplicada"


class Hold(models.Model):
    """Money set aside in a deposit account (retención): lowers the available
    balance, not the ledger balance."""

    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="holds")
    amount = models.BigIntegerField()
    entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="holds"
    )
    idempotency_key = models.CharField(max_length=120, unique=True)
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=HoldStatus.choices, default=HoldStatus.ACTIVE)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "retención"
        verbose_name_plural = "retenciones"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_hold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.account.code} retención {self.amount}"
