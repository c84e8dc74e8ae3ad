"""Products a member holds. Money lives in the ledger: each product points at its own
ledger account and reads its balance from there; nothing here stores a balance of its own
except what the ledger cannot know (limits, schedules, dates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from enlinea.ledger.models import LedgerAccount
from enlinea.members.models import Member


class AccountKind(models.TextChoices):
    SAVINGS = "savings", "CUENTA DE AHORROS"
    PROGRESAR = "progresar", "CUENTA PROGRESAR CLIENTES"
    CERTIFICATES = "certificates", "CERTIFICADOS DE APORTACION"
    CHECKING = "checking", "CUENTA CORRIENTE"


class AccountStatus(models.TextChoices):
    ACTIVE = "ACTIVA", "ACTIVA"
    INACTIVE = "INACTIVA", "INACTIVA"
    BLOCKED = "BLOQUEADA", "BLOQUEADA"


class SignatureCondition(models.TextChoices):
    SINGLE = "unica", "Firma única"
    EITHER = "indistinta", "Firmas indistintas"
    JOINT = "conjunta", "Firmas conjuntas"


IDEMPOTENCY_KEY_LENGTH = 120  # as long as the ledger's keys


def idempotency_key_field() -> models.CharField:
    """The key of the request that created the row: a replay finds the row instead of
    making a second one, and the unique index settles concurrent first requests."""
    return models.CharField(
        "clave de idempotencia", max_length=IDEMPOTENCY_KEY_LENGTH, unique=True, editable=False
    )


class DepositAccount(models.Model):
    """A savings, checking or certificate account (cuenta)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="deposit_accounts")
    ledger_account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="deposit_account"
    )
    number = models.CharField("número de cuenta", max_length=12, unique=True)
    kind = models.CharField("tipo de cuenta", max_length=12, choices=AccountKind.choices)
    status = models.CharField(
        "estado", max_length=9, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    signature = models.CharField(
        "condición de firma",
        max_length=10,
        choices=SignatureCondition.choices,
        default=SignatureCondition.SINGLE,
    )
    opened_at = models.DateTimeField("apertura")
    idempotency_key = idempotency_key_field()

    class Meta:
        verbose_name = "cuenta"
        verbose_name_plural = "cuentas"
        ordering = ["member", "opened_at", "id"]
        permissions = [
            ("cash_deposit", "Puede registrar depósitos en efectivo"),
            ("cash_withdrawal", "Puede registrar retiros en efectivo"),
            ("block_product", "Puede bloquear y desbloquear productos"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def ledger_balance(self) -> int:
        """Saldo contable, in cents."""
        return self.ledger_account.balance

    @property
    def available_balance(self) -> int:
        """Saldo disponible: ledger balance less active holds, in cents."""
        return self.ledger_account.available

    @property
    def can_transact_online(self) -> bool:
        """Joint-signature accounts cannot move money online (manual, prerrequisitos)."""
        return self.status == AccountStatus.ACTIVE and self.signature != SignatureCondition.JOINT


class LoanStatus(models.TextChoices):
    CURRENT = "VIGENTE", "VIGENTE"
    OVERDUE = "VENCIDO", "VENCIDO"
    PAID_OFF = "CANCELADO", "CANCELADO"


class Loan(models.Model):
    """A loan (crédito) with a French amortization schedule in exact cents. What the
    member owes is the balance of its own ledger account (a receivable)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="loans")
    ledger_account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="loan"
    )
    disbursement_account = models.ForeignKey(
        DepositAccount, on_delete=models.PROTECT, related_name="loans"
    )
    number = models.CharField("número de crédito", max_length=12, unique=True)
    product_name = models.CharField("producto", max_length=80)
    principal = models.BigIntegerField("monto")
    annual_rate_bp = models.PositiveIntegerField("tasa anual (puntos básicos)")
    term_months = models.PositiveIntegerField("plazo (meses)")
    disbursed_on = models.DateField("fecha de desembolso")
    installments_paid = models.PositiveIntegerField("cuotas pagadas", default=0)
    status = models.CharField(
        "estado", max_length=9, choices=LoanStatus.choices, default=LoanStatus.CURRENT
    )

    class Meta:
        verbose_name = "crédito"
        verbose_name_plural = "créditos"
        ordering = ["-disbursed_on", "-id"]
        permissions = [("disburse_loan", "Puede desembolsar créditos")]
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gt=0), name="products_loan_principal_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(installments_paid__lte=models.F("term_months")),
                name="products_loan_paid_within_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} {self.number}"

    @property
    def balance(self) -> int:
        """Capital still owed, in cents (the receivable's debit balance)."""
        return -self.ledger_account.balance


class LoanInstallment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveIntegerField("cuota")
    due_date = models.DateField("vencimiento")
    payment = models.BigIntegerField("valor cuota")
    principal = models.BigIntegerField("capital")
    interest = models.BigIntegerField("interés")
    balance_after = models.BigIntegerField("saldo")
    paid_at = models.DateTimeField("pagada", null=True, blank=True)

    class Meta:
        verbose_name = "cuota"
        verbose_name_plural = "tabla de amortización"
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="products_installment_unique"),
        ]

    def __str__(self) -> str:
        return f"Cuota {self.number}"


class InvestmentStatus(models.TextChoices):
    CURRENT = "VIGENTE", "VIGENTE"
    PAID = "PAGADA", "PAGADA"


class Investment(models.Model):
    """A term deposit (póliza): capital held in its own ledger account until maturity."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="investments")
    ledger_account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="investment"
    )
    source_account = models.ForeignKey(
        DepositAccount, on_delete=models.PROTECT, related_name="investments"
    )
    number = models.CharField("número de póliza", max_length=12, unique=True)
    capital = models.BigIntegerField("capital")
    annual_rate_bp = models.PositiveIntegerField("tasa anual (puntos básicos)")
    term_days = models.PositiveIntegerField("plazo (días)")
    start_date = models.DateField("fecha de inicio")
    maturity_date = models.DateField("fecha de vencimiento")
    interest = models.BigIntegerField("interés al vencimiento")
    withholding = models.BigIntegerField("retención en la fuente")
    status = models.CharField(
        "estado", max_length=7, choices=InvestmentStatus.choices, default=InvestmentStatus.CURRENT
    )

    class Meta:
        verbose_name = "inversión"
        verbose_name_plural = "inversiones"
        ordering = ["-start_date", "-id"]
        permissions = [("pay_investment", "Puede pagar pólizas al vencimiento")]
        constraints = [
            models.CheckConstraint(
                condition=Q(capital__gt=0), name="products_investment_capital_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"Póliza {self.number}"


class CardStatus(models.TextChoices):
    ACTIVE = "ACTIVA", "ACTIVA"
    BLOCKED = "BLOQUEADA", "BLOQUEADA"
    INACTIVE = "INACTIVA", "INACTIVA"


MEMBER_LOCK_LABEL = "BLOQUEO TEMPORAL"


class Card(models.Model):
    """What debit and credit cards share. The full card number is never stored:
    only its first six and last four digits (the processor keeps the rest)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="%(class)ss")
    bin6 = models.CharField("BIN", max_length=6)
    last4 = models.CharField("últimos 4", max_length=4)
    card_type = models.CharField("tipo", max_length=40)
    holder_name = models.CharField("tarjetahabiente", max_length=120)
    status = models.CharField(
        "estado", max_length=9, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    expires = models.DateField("vence")
    pin_hash = models.CharField("PIN (hash)", max_length=200, blank=True)
    # Wrong "PIN actual" typed in Cambiar PIN, counted under the card's row lock; at
    # CARDS_PIN_MAX_FAILURES the PIN is locked until Generar PIN (enlinea.cards.pins).
    pin_failures = models.PositiveSmallIntegerField("intentos fallidos de PIN", default=0)
    # The member's own temporary lock (Bloquear tarjeta), told to the card processor,
    # which refuses every purchase while it lasts; the status stays the staff's.
    locked_by_member = models.BooleanField("bloqueo temporal del socio", default=False)
    issued_at = models.DateTimeField("emitida")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.card_type} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return f"{self.bin6[:4]} {self.bin6[4:]}** **** {self.last4}"

    @property
    def state_label(self) -> str:
        """The card's Estado as every page shows it to the member: an active card the
        member locked (Bloquear tarjeta) reads BLOQUEO TEMPORAL."""
        if self.locked_by_member and self.status == CardStatus.ACTIVE:
            return MEMBER_LOCK_LABEL
        return self.get_status_display()


class DebitCard(Card):
    account = models.ForeignKey(
        DepositAccount, on_delete=models.PROTECT, related_name="debit_cards"
    )
    idempotency_key = idempotency_key_field()

    class Meta:
        verbose_name = "tarjeta de débito"
        verbose_name_plural = "tarjetas de débito"
        permissions = [("block_debitcard", "Puede bloquear y desbloquear tarjetas de débito")]
        constraints = [
            models.UniqueConstraint(
                fields=["bin6", "last4", "member"], name="products_debitcard_unique"
            ),
        ]


class CreditCard(Card):
    """A credit card. Its debt is the balance of its own ledger account (a receivable);
    the statement fields are set at each cut-off."""

    ledger_account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="credit_card"
    )
    credit_limit = models.BigIntegerField("cupo autorizado")
    statement_day = models.PositiveSmallIntegerField("día de corte", default=15)
    last_statement_date = models.DateField("fecha de corte", null=True, blank=True)
    payment_due_date = models.DateField("fecha máxima de pago", null=True, blank=True)
    statement_balance = models.BigIntegerField("saldo al corte", default=0)
    minimum_payment = models.BigIntegerField("pago mínimo", default=0)
    # The annual rate of Diferir consumos (French method, a twelfth of it a month):
    # 15.20 % gives the manual's example ($ 68.53 over 3 months: $ 23.42 a month).
    deferral_rate_bp = models.PositiveIntegerField(
        "tasa de diferido anual (puntos básicos)", default=1520
    )
    idempotency_key = idempotency_key_field()

    class Meta:
        verbose_name = "tarjeta de crédito"
        verbose_name_plural = "tarjetas de crédito"
        permissions = [
            ("block_creditcard", "Puede bloquear y desbloquear tarjetas de crédito"),
            ("cut_statement", "Puede hacer el corte de estado de cuenta de tarjetas de crédito"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["bin6", "last4", "member"], name="products_creditcard_unique"
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="products_creditcard_limit_gte_0"
            ),
        ]

    @property
    def total_debt(self) -> int:
        """Deuda total, in cents."""
        return -self.ledger_account.balance

    @property
    def deferred_balance(self) -> int:
        """Saldo diferido: the capital of future installments, of purchases deferred when
        made and of the member's deferrals (Diferir consumos, ``enlinea.cards``)."""
        purchases = sum(p.deferred_remaining for p in self.purchases.all())
        return purchases + sum(d.remaining for d in self.deferrals.all())

    @property
    def current_balance(self) -> int:
        """Saldo actual (corriente): total debt less what is deferred."""
        return self.total_debt - self.deferred_balance

    @property
    def available_credit(self) -> int:
        return max(self.credit_limit - self.total_debt, 0)


class CardPurchase(models.Model):
    """A purchase (consumo) confirmed by the card processor and posted in the ledger."""

    credit_card = models.ForeignKey(
        CreditCard, null=True, blank=True, on_delete=models.PROTECT, related_name="purchases"
    )
    debit_card = models.ForeignKey(
        DebitCard, null=True, blank=True, on_delete=models.PROTECT, related_name="purchases"
    )
    merchant = models.CharField("establecimiento", max_length=120)
    amount = models.BigIntegerField("monto")
    occurred_at = models.DateTimeField("fecha")
    authorization = models.CharField("autorización", max_length=12)
    installments = models.PositiveSmallIntegerField("cuotas", default=1)
    installments_billed = models.PositiveSmallIntegerField("cuotas facturadas", default=1)
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="card_purchase"
    )

    class Meta:
        verbose_name = "consumo"
        verbose_name_plural = "consumos"
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="products_purchase_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(credit_card__isnull=True) ^ Q(debit_card__isnull=True),
                name="products_purchase_one_card",
            ),
            models.CheckConstraint(
                condition=Q(installments_billed__lte=models.F("installments")),
                name="products_purchase_billed_within_installments",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.amount}"

    @property
    def deferred_remaining(self) -> int:
        """Capital of the installments not yet billed (equal parts, remainder on the last)."""
        if self.installments <= 1:
            return 0
        per = self.amount // self.installments
        billed = per * self.installments_billed
        return self.amount - billed if self.installments_billed < self.installments else 0


class ProcessorSimulatorCard(models.Model):
    """The card-processor simulator's own record of a card's controls, as a real
    processor keeps them on its side: the member's temporary lock and travel notices
    (``card_processor.SimulatedCardProcessor``). Nothing of this app reads it but the
    simulator."""

    card = models.CharField("tarjeta (referencia del procesador)", max_length=40, unique=True)
    locked = models.BooleanField("bloqueada", default=False)
    travel = models.JSONField("avisos de viaje", default=list, blank=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "tarjeta en el simulador del procesador"
        verbose_name_plural = "tarjetas en el simulador del procesador"

    def __str__(self) -> str:
        return self.card


class CashKind(models.TextChoices):
    DEPOSIT = "deposit", "Depósito"
    WITHDRAWAL = "withdrawal", "Retiro"


class CashStatus(models.TextChoices):
    POSTED = "REGISTRADA", "REGISTRADA"  # at or below the threshold: posted at once
    PENDING = "PENDIENTE", "PENDIENTE DE APROBACIÓN"
    APPROVED = "APROBADA", "APROBADA"  # approved by a second staff member and posted
    REJECTED = "RECHAZADA", "RECHAZADA"


class CashOperation(models.Model):
    """Cash taken or paid at the teller's window: one row per operation a teller
    asks for, posted at once when small and kept pending for a second staff member's
    approval when above ``settings.CASH_APPROVAL_THRESHOLD``. The rows also count each
    teller's cash of the day against ``settings.CASH_TELLER_DAILY_LIMIT``."""

    account = models.ForeignKey(
        DepositAccount, on_delete=models.PROTECT, related_name="cash_operations"
    )
    kind = models.CharField("operación", max_length=10, choices=CashKind.choices)
    amount = models.BigIntegerField("monto")
    teller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cash_operations",
        verbose_name="cajero",
    )
    business_day = models.DateField("día")
    requested_at = models.DateTimeField("registrada")
    status = models.CharField("estado", max_length=10, choices=CashStatus.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cash_operations_decided",
        verbose_name="aprobada o rechazada por",
    )
    decided_at = models.DateTimeField("decidida", null=True, blank=True)
    reason = models.CharField("motivo del rechazo", max_length=200, blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cash_operation",
        verbose_name="asiento",
    )
    idempotency_key = idempotency_key_field()

    class Meta:
        verbose_name = "operación en efectivo"
        verbose_name_plural = "operaciones en efectivo"
        ordering = ["-requested_at", "-id"]
        permissions = [
            ("approve_cash", "Puede aprobar o rechazar operaciones en efectivo sobre el umbral"),
        ]
        indexes = [
            models.Index(fields=["teller", "business_day"], name="products_cash_teller_day"),
            models.Index(fields=["status"], name="products_cash_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="products_cash_amount_gt_0"),
            # Posted rows have their entry; pending and rejected ones have none.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["REGISTRADA", "APROBADA"], entry__isnull=False)
                    | Q(status__in=["PENDIENTE", "RECHAZADA"], entry__isnull=True)
                ),
                name="products_cash_entry_iff_posted",
            ),
            # A decision is made by someone other than the teller who asked.
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=models.F("teller")),
                name="products_cash_approver_is_not_teller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} en efectivo #{self.pk}"
