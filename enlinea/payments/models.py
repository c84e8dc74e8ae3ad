"""Pago de servicios: the biller catalogue, the payments made to billers, and the biller
network simulator's own books.

The catalogue (``BillerCategory``, ``Biller``) ships as data (migration 0002) and is
edited in the back office. Each biller says which reference it asks for (its label as
the member sees it, the rule that checks it, an example) and, for recargas, the amounts
it accepts. ``reference_clean`` (``enlinea.payments.references``) applies the rule.

A payment to a biller is two-phase (``BillPayment``): the member's account is debited at
once, with the tariff's fee and the receipt, into the billers' settlement account
(Recaudaciones por liquidar), where the money waits while the biller network authorizes
and confirms it. Its state only moves forward::

    PENDIENTE ──(the biller confirms)──> CONFIRMADO   (the money leaves for the biller)
        └──────(the biller refuses)───> DEVUELTO     (amount and fee credited back)

Each change is made under the payment's row lock, so two workers, a retried job and the
member's page apply it once (``enlinea.payments.services``).

``SimulatorBill`` and ``SimulatorPayment`` are the local biller simulator's books
(``enlinea.payments.simulator``), in the database so that the worker and the web
processes share them; a production adapter leaves them empty.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from enlinea.beneficiaries.destinations import search_fold


class BillerCategory(models.Model):
    """A category of "Buscar categoría" (Agua, Luz, Recargas…)."""

    name = models.CharField("nombre", max_length=60, unique=True)
    sort_order = models.PositiveIntegerField("orden", default=100)
    active = models.BooleanField("activa", default=True)
    search_text = models.CharField(max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = "categoría de servicios"
        verbose_name_plural = "categorías de servicios"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = " ".join(self.name.split())
        self.search_text = search_fold(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class ReferenceKind(models.TextChoices):
    """The rule a biller's reference follows (``enlinea.payments.references``)."""

    DIGITS = "digits", "Número (solo dígitos, de la longitud indicada)"
    CUEN = "cuen", "Código único eléctrico nacional (10 dígitos)"
    MOBILE = "mobile", "Número celular (09XXXXXXXX)"
    LANDLINE = "landline", "Teléfono fijo con código de provincia (0XXXXXXXX)"
    CEDULA = "cedula", "Cédula de identidad"
    RUC = "ruc", "RUC"
    PLATE = "plate", "Placa del vehículo (ABC1234)"
    CEDULA_OR_PLATE = "cedula_or_plate", "Cédula o placa"
    CADASTRAL = "cadastral", "Clave catastral (dígitos, con o sin guiones)"


class Biller(models.Model):
    """A company or institution the member pays (manual 5, "Pagar servicios")."""

    code = models.SlugField(
        "código en la red",
        max_length=40,
        unique=True,
        help_text="Cómo la red de recaudación conoce a la empresa.",
    )
    name = models.CharField("empresa", max_length=100, unique=True)
    category = models.ForeignKey(
        BillerCategory, on_delete=models.PROTECT, related_name="billers", verbose_name="categoría"
    )
    active = models.BooleanField("activa", default=True)
    sort_order = models.PositiveIntegerField("orden", default=100)
    reference_label = models.CharField(
        "nombre del campo de referencia",
        max_length=60,
        help_text="Como lo ve el socio, p. ej. NUMERO CELULAR o CUENTA CONTRATO.",
    )
    reference_kind = models.CharField(
        "regla de la referencia", max_length=16, choices=ReferenceKind.choices
    )
    reference_min_length = models.PositiveSmallIntegerField(
        "dígitos mínimos", default=1, help_text="Solo para la regla «Número»."
    )
    reference_max_length = models.PositiveSmallIntegerField(
        "dígitos máximos", default=20, help_text="Solo para la regla «Número»."
    )
    reference_example = models.CharField("ejemplo", max_length=40)
    help_text = models.CharField(
        "ayuda", max_length=200, blank=True, help_text="Dónde encuentra el socio la referencia."
    )
    is_topup = models.BooleanField(
        "es recarga", default=False, help_text="El socio elige el monto; no hay factura."
    )
    topup_amounts = models.JSONField(
        "montos de recarga (centavos)",
        default=list,
        blank=True,
        help_text="Solo recargas: los montos que acepta, en centavos, p. ej. [100, 500, 1000].",
    )
    min_amount = models.PositiveIntegerField("monto mínimo (centavos)", default=1)
    max_amount = models.PositiveIntegerField(
        "monto máximo (centavos)", null=True, blank=True, help_text="Vacío: sin máximo propio."
    )
    search_text = models.CharField(max_length=200, blank=True, editable=False)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "empresa de servicios"
        verbose_name_plural = "empresas de servicios"
        ordering = ["category__sort_order", "sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference_kind__in=ReferenceKind.values),
                name="payments_biller_reference_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(reference_min_length__gte=1)
                & Q(reference_min_length__lte=models.F("reference_max_length")),
                name="payments_biller_reference_lengths",
                violation_error_message="Los dígitos mínimos no pueden superar a los máximos.",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__gte=1)
                & (Q(max_amount__isnull=True) | Q(max_amount__gte=models.F("min_amount"))),
                name="payments_biller_amount_range",
                violation_error_message="El monto mínimo no puede superar al máximo.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = " ".join(self.name.split())
        self.search_text = search_fold(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from .references import reference_clean  # it imports this module

        amounts = self.topup_amounts or []
        if self.is_topup and not amounts:
            raise ValidationError({"topup_amounts": "Indica los montos que acepta la recarga."})
        if not all(isinstance(a, int) and not isinstance(a, bool) and a > 0 for a in amounts):
            raise ValidationError(
                {"topup_amounts": "Los montos son centavos enteros positivos: [100, 500]."}
            )
        if self.reference_kind and self.reference_example:
            try:
                reference_clean(self, self.reference_example)
            except ValidationError as exc:
                raise ValidationError(
                    {"reference_example": f"El ejemplo no cumple la regla: {exc.messages[0]}"}
                ) from None


class BillPaymentStatus(models.TextChoices):
    PENDING = "PENDIENTE", "PENDIENTE"
    CONFIRMED = "CONFIRMADO", "CONFIRMADO"
    RETURNED = "DEVUELTO", "DEVUELTO"


class BillPayment(models.Model):
    """One payment to a biller: made with its receipt, in the transaction that debits
    the member; confirmed by the biller or returned to the member."""

    receipt = models.OneToOneField(
        "receipts.Receipt",
        on_delete=models.PROTECT,
        related_name="bill_payment",
        verbose_name="comprobante",
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="bill_payments"
    )
    source = models.ForeignKey(
        "products.DepositAccount",
        on_delete=models.PROTECT,
        related_name="bill_payments",
        verbose_name="cuenta de origen",
    )
    biller = models.ForeignKey(
        Biller, on_delete=models.PROTECT, related_name="payments", verbose_name="empresa"
    )
    reference = models.CharField("referencia", max_length=40)
    bill_id = models.CharField("factura", max_length=60, blank=True)
    amount = models.BigIntegerField("valor (centavos)")
    commission = models.BigIntegerField("comisión (centavos)", default=0)
    iva = models.BigIntegerField("IVA (centavos)", default=0)
    idempotency_key = models.CharField(max_length=120, unique=True, editable=False)
    status = models.CharField(
        "estado",
        max_length=10,
        choices=BillPaymentStatus.choices,
        default=BillPaymentStatus.PENDING,
    )
    created_at = models.DateTimeField("registrado", db_index=True)
    attempts = models.PositiveIntegerField("intentos con la red", default=0)
    last_error = models.CharField("último error de la red", max_length=300, blank=True)
    authorization = models.CharField("autorización de la empresa", max_length=60, blank=True)
    confirmation = models.CharField("confirmación de la empresa", max_length=60, blank=True)
    confirmed_at = models.DateTimeField("confirmado", null=True, blank=True)
    returned_at = models.DateTimeField("devuelto", null=True, blank=True)
    return_reason = models.CharField("motivo de la devolución", max_length=200, blank=True)
    return_receipt = models.OneToOneField(
        "receipts.Receipt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_bill_payment",
        verbose_name="comprobante de la devolución",
    )

    class Meta:
        verbose_name = "pago de servicio"
        verbose_name_plural = "pagos de servicios"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status="PENDIENTE"),
                name="payments_bill_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BillPaymentStatus.values),
                name="payments_bill_status_valid",
            ),
            # A bill is paid once: by hand, by a schedule, from two tabs or two workers
            # at the same moment. Only a payment the biller refused (DEVUELTO) frees it.
            models.UniqueConstraint(
                fields=["biller", "bill_id"],
                condition=~Q(bill_id="") & ~Q(status="DEVUELTO"),
                name="payments_bill_paid_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_bill_amount_positive"),
            models.CheckConstraint(
                condition=Q(commission__gte=0, iva__gte=0),
                name="payments_bill_fees_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="CONFIRMADO", confirmed_at__isnull=False, returned_at__isnull=True)
                    | Q(
                        status="DEVUELTO",
                        returned_at__isnull=False,
                        confirmed_at__isnull=True,
                        return_receipt__isnull=False,
                    )
                    | Q(
                        status="PENDIENTE",
                        confirmed_at__isnull=True,
                        returned_at__isnull=True,
                        return_receipt__isnull=True,
                    )
                ),
                name="payments_bill_resolved_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.biller} {self.reference} ({self.status})"

    @property
    def network_reference(self) -> str:
        """The payment's reference at the biller network (one per payment, for retries)."""
        return f"EL-SP-{self.receipt_id:010d}"

    @property
    def total(self) -> int:
        return self.amount + self.commission + self.iva


# ---------------------------------------------------------------- the simulator's books


class SimulatorBill(models.Model):
    """A bill the simulated biller has issued to one of its customers (a reference)."""

    biller_code = models.CharField(max_length=40)
    reference = models.CharField(max_length=40)
    period = models.BigIntegerField(help_text="Which publication period issued it.")
    bill_id = models.CharField(max_length=60, unique=True)
    amount = models.BigIntegerField()
    holder_name = models.CharField(max_length=160)
    published_at = models.DateTimeField()
    due_date = models.DateField()
    paid_by = models.CharField(max_length=60, blank=True, help_text="The payment's reference.")

    class Meta:
        verbose_name = "factura simulada"
        verbose_name_plural = "facturas simuladas"
        ordering = ["published_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["biller_code", "reference", "period"], name="payments_simbill_once"
            ),
        ]

    def __str__(self) -> str:
        return self.bill_id


class SimulatorPaymentStatus(models.TextChoices):
    AUTHORIZED = "AUTHORIZED"
    CONFIRMED = "CONFIRMED"
    REFUSED = "REFUSED"


class SimulatorPayment(models.Model):
    """A payment as the simulated biller saw it: one per network reference."""

    reference = models.CharField(max_length=60, unique=True)
    biller_code = models.CharField(max_length=40)
    customer_reference = models.CharField(max_length=40)
    bill_id = models.CharField(max_length=60, blank=True)
    amount = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=SimulatorPaymentStatus.choices)
    reason = models.CharField(max_length=200, blank=True)
    authorized_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "pago simulado"
        verbose_name_plural = "pagos simulados"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"


# ---------------------------------------------------------------- Pagos frecuentes


class SavedService(models.Model):
    """A service the member saved ("Guardar servicio" + Alias) to pay again from Pagos
    frecuentes. Deleting it only marks it (``deleted_at``): the member may save the same
    biller and reference again, and one member has it once among the live ones."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="saved_services"
    )
    biller = models.ForeignKey(
        Biller, on_delete=models.PROTECT, related_name="saved_services", verbose_name="empresa"
    )
    reference = models.CharField("referencia", max_length=40)
    alias = models.CharField("alias", max_length=40, blank=True)
    created_at = models.DateTimeField("registrado", auto_now_add=True)
    deleted_at = models.DateTimeField("eliminado", null=True, blank=True)

    class Meta:
        verbose_name = "servicio guardado"
        verbose_name_plural = "servicios guardados"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "biller", "reference"],
                condition=Q(deleted_at__isnull=True),
                name="payments_saved_service_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alias or self.biller} {self.reference}"


# ---------------------------------------------------------------- Programar pagos


class ScheduleFrequency(models.TextChoices):
    AVAILABLE = "DISPONIBLE", "Siempre que se encuentre disponible"


class PaymentSchedule(models.Model):
    """A scheduled payment (Programar pagos): pay each new bill of ``biller`` for
    ``reference`` from ``source`` while today is within its dates, when the bill is at
    most ``max_amount``. ``end_date`` empty is "Fecha indefinida". The Términos y
    Condiciones the member accepted are recorded with their version, time and address.
    Deleting it only marks it (``deleted_at``); its runs stay."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="payment_schedules"
    )
    source = models.ForeignKey(
        "products.DepositAccount",
        on_delete=models.PROTECT,
        related_name="payment_schedules",
        verbose_name="cuenta de débito",
    )
    biller = models.ForeignKey(
        Biller, on_delete=models.PROTECT, related_name="schedules", verbose_name="empresa"
    )
    reference = models.CharField("referencia", max_length=40)
    max_amount = models.BigIntegerField("monto máximo (centavos)")
    frequency = models.CharField(
        "frecuencia",
        max_length=12,
        choices=ScheduleFrequency.choices,
        default=ScheduleFrequency.AVAILABLE,
    )
    start_date = models.DateField("fecha de inicio")
    end_date = models.DateField("fecha de finalización", null=True, blank=True)
    terms_version = models.CharField("versión de los términos", max_length=20)
    terms_accepted_at = models.DateTimeField("términos aceptados")
    terms_ip = models.GenericIPAddressField("IP de la aceptación", null=True, blank=True)
    created_at = models.DateTimeField("registrado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    deleted_at = models.DateTimeField("eliminado", null=True, blank=True)

    class Meta:
        verbose_name = "pago programado"
        verbose_name_plural = "pagos programados"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_amount__gt=0), name="payments_schedule_max_positive"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="payments_schedule_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=ScheduleFrequency.values),
                name="payments_schedule_frequency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.biller} {self.reference} (máx. {self.max_amount})"


class ScheduleRunStatus(models.TextChoices):
    PAID = "PAGADO", "Pagado"
    NOT_PAID = "NO_PAGADO", "No pagado"


class ScheduleRun(models.Model):
    """What a schedule did with one bill: paid it (with its payment) or not (why).
    One per schedule and bill: a job run twice, or two workers, never pay it twice."""

    schedule = models.ForeignKey(PaymentSchedule, on_delete=models.PROTECT, related_name="runs")
    bill_id = models.CharField("factura", max_length=60)
    amount = models.BigIntegerField("valor de la factura (centavos)")
    status = models.CharField("resultado", max_length=10, choices=ScheduleRunStatus.choices)
    reason = models.CharField("motivo", max_length=300, blank=True)
    payment = models.OneToOneField(
        BillPayment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schedule_run",
        verbose_name="pago",
    )
    created_at = models.DateTimeField("registrado", auto_now_add=True)

    class Meta:
        verbose_name = "ejecución de pago programado"
        verbose_name_plural = "ejecuciones de pagos programados"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "bill_id"], name="payments_schedule_run_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ScheduleRunStatus.values),
                name="payments_schedule_run_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="PAGADO", payment__isnull=False)
                | Q(status="NO_PAGADO", payment__isnull=True),
                name="payments_schedule_run_paid_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.bill_id} ({self.status})"
