"""Cupos: how much a member may transfer a day, a week and a month.

Three tables:

* ``InstitutionLimit`` — the cooperative's maximum per scope (internal / external) and
  period, edited by the institution in the back office. A member can never go above it.
* ``TransferLimit`` — one row per member and scope: the member's own cupo (empty until
  they personalize it, which means "the institution's maximum"). It is also the row that
  ``services.limit_reserve`` locks, so a member's transfers of one scope check and use
  their cupo one at a time.
* ``LimitUsage`` — what each transfer used of the cupo, written in the transfer's own
  transaction and released when the interbank network returns the transfer.

Amounts are integer cents.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scope(models.TextChoices):
    # Transfers to another member of this cooperative, and interbank transfers. Transfers
    # between a member's own accounts have no cupo.
    INTERNAL = "internal", "Transferencias internas"
    EXTERNAL = "external", "Transferencias externas"


# Each period's field on the models, and how the UI names it.
PERIODS: tuple[str, ...] = ("daily", "weekly", "monthly")
PERIOD_ADJECTIVE = {"daily": "diario", "weekly": "semanal", "monthly": "mensual"}
PERIOD_LABEL = {"daily": "DIARIO", "weekly": "SEMANAL", "monthly": "MENSUAL"}

_POSITIVE_AND_ORDERED = (
    Q(daily__gt=0) & Q(weekly__gte=models.F("daily")) & Q(monthly__gte=models.F("weekly"))
)


class InstitutionLimit(models.Model):
    """The cooperative's maximum cupo of one scope, shown beside the member's own."""

    scope = models.CharField("tipo", max_length=10, choices=Scope.choices, unique=True)
    daily = models.BigIntegerField("máximo diario (centavos)")
    weekly = models.BigIntegerField("máximo semanal (centavos)")
    monthly = models.BigIntegerField("máximo mensual (centavos)")
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "cupo máximo de la cooperativa"
        verbose_name_plural = "cupos máximos de la cooperativa"
        ordering = ["scope"]
        constraints = [
            models.CheckConstraint(
                condition=_POSITIVE_AND_ORDERED, name="limits_institution_positive_ordered"
            ),
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="limits_institution_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_scope_display()

    def clean(self) -> None:
        from enlinea.limits.services import maximums_validate

        if None in (self.daily, self.weekly, self.monthly):
            return  # the form already says which amount is missing or unreadable
        maximums_validate(daily=self.daily, weekly=self.weekly, monthly=self.monthly)


class TransferLimit(models.Model):
    """A member's cupo of one scope; the row every check of that scope locks.

    ``daily``/``weekly``/``monthly`` are all empty (the member never personalized: the
    institution's maximum applies, whatever it is today) or all set. The cupo that
    applies is never above the institution's current maximum.
    """

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="transfer_limits",
        verbose_name="socio",
    )
    scope = models.CharField("tipo", max_length=10, choices=Scope.choices)
    daily = models.BigIntegerField("cupo diario (centavos)", null=True, blank=True)
    weekly = models.BigIntegerField("cupo semanal (centavos)", null=True, blank=True)
    monthly = models.BigIntegerField("cupo mensual (centavos)", null=True, blank=True)
    personalized_at = models.DateTimeField("personalizado", null=True, blank=True)
    created_at = models.DateTimeField("creado", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "cupo del socio"
        verbose_name_plural = "cupos de los socios"
        ordering = ["member_id", "scope"]
        constraints = [
            # One row per member and scope: get_or_create is race-safe, and the lock is one.
            models.UniqueConstraint(fields=["member", "scope"], name="limits_one_per_member_scope"),
            models.CheckConstraint(
                condition=(
                    Q(daily__isnull=True, weekly__isnull=True, monthly__isnull=True)
                    | (
                        Q(daily__isnull=False, weekly__isnull=False, monthly__isnull=False)
                        & _POSITIVE_AND_ORDERED
                    )
                ),
                name="limits_member_all_or_none_ordered",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="limits_member_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_scope_display()}"

    @property
    def personalized(self) -> bool:
        return self.daily is not None


class LimitUsage(models.Model):
    """What one transfer used of its member's cupo.

    ``reference`` is the caller's (the transfer's idempotency key): a retried
    reservation with it counts once, and ``limit_release`` finds it when the transfer is
    returned. A released usage stays as history and no longer counts.
    """

    limit = models.ForeignKey(
        TransferLimit, on_delete=models.CASCADE, related_name="usages", verbose_name="cupo"
    )
    amount = models.BigIntegerField("monto (centavos)")
    occurred_at = models.DateTimeField("fecha")
    reference = models.CharField("referencia", max_length=100, unique=True)
    released_at = models.DateTimeField("liberado", null=True, blank=True)
    created_at = models.DateTimeField("registrado", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "uso de cupo"
        verbose_name_plural = "usos de cupo"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["limit", "occurred_at"], name="limits_usage_window_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="limits_usage_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.amount})"
