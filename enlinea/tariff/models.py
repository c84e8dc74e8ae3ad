"""Tarifario: what the institution charges for each operation, edited in the back office.

A fee is a commission in cents plus IVA at a rate in basis points (15 % = 1500), each
posted as its own movement on the member's account. Services read the fee of their
operation here; no commission lives in code or demo constants.
"""

from __future__ import annotations

from django.db import models


class Operation(models.TextChoices):
    TRANSFER_OWN = "transfer_own", "Transferencia entre cuentas propias"
    TRANSFER_INTERNAL = "transfer_internal", "Transferencia a otro socio"
    TRANSFER_INTERBANK = "transfer_interbank", "Transferencia interbancaria"
    BILL_PAYMENT = "bill_payment", "Pago de servicios"
    CARD_PAYMENT = "card_payment", "Pago de tarjetas"


class Fee(models.Model):
    """The fee of one operation; for Pago de servicios, also a row per biller that has a
    fee of its own (``biller`` set), which is charged instead of the general one."""

    operation = models.CharField("operación", max_length=24, choices=Operation.choices)
    biller = models.ForeignKey(
        "payments.Biller",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fees",
        verbose_name="empresa de servicios",
        help_text=(
            "Solo para Pago de servicios: la comisión propia de esta empresa. Vacío: la "
            "comisión general de la operación."
        ),
    )
    commission = models.PositiveIntegerField(
        "comisión (centavos)", default=0, help_text="En centavos: 36 = $ 0.36."
    )
    iva_rate_bp = models.PositiveIntegerField(
        "IVA (puntos básicos)", default=1500, help_text="15 % = 1500."
    )
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "tarifa"
        verbose_name_plural = "tarifario"
        ordering = ["operation", "biller__name"]
        permissions = [("edit_tariff", "Puede editar el tarifario")]
        constraints = [
            models.UniqueConstraint(
                fields=["operation"],
                condition=models.Q(biller__isnull=True),
                name="fee_one_general_per_operation",
                violation_error_message="Esa operación ya tiene su tarifa general.",
            ),
            models.UniqueConstraint(
                fields=["biller"],
                condition=models.Q(biller__isnull=False),
                name="fee_one_per_biller",
                violation_error_message="Esa empresa de servicios ya tiene su tarifa.",
            ),
            models.CheckConstraint(
                condition=models.Q(biller__isnull=True) | models.Q(operation="bill_payment"),
                name="fee_biller_only_for_bill_payment",
                violation_error_message=(
                    "Una tarifa por empresa de servicios es de la operación Pago de servicios."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(iva_rate_bp__lte=10_000), name="fee_iva_rate_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(commission__lte=100_000), name="fee_commission_at_most_1000"
            ),
        ]

    def __str__(self) -> str:
        if self.biller_id is not None:
            return f"{self.get_operation_display()} · {self.biller}"
        return self.get_operation_display()
