"""What the member's management of their cards keeps (the cards themselves, their PIN
hashes and purchases stay in ``enlinea.products``).

A card is named here by its kind and id (``card_kind`` + ``card_id``): debit and credit
cards are two tables, and these rows point at either.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from enlinea.members.models import Member


class CardKind(models.TextChoices):
    DEBIT = "debito", "Tarjeta de débito"
    CREDIT = "credito", "Tarjeta de crédito"


class PinReveal(models.Model):
    """Generar PIN's one-time link. Only the digest of the link's token is kept; the
    PIN is derived from the token (``enlinea.cards.pins``) and its hash set on the card
    when the code is validated, so the PIN itself exists nowhere but on the one page
    that shows it, once, inside a session of the same member."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="pin_reveals")
    card_kind = models.CharField("tipo de tarjeta", max_length=7, choices=CardKind.choices)
    card_id = models.BigIntegerField("tarjeta")
    token_digest = models.CharField("huella del enlace", max_length=64, unique=True)
    created_at = models.DateTimeField("generado", default=timezone.now)
    expires_at = models.DateTimeField("vence")
    opened_at = models.DateTimeField("abierto", null=True, blank=True)

    class Meta:
        verbose_name = "enlace de PIN generado"
        verbose_name_plural = "enlaces de PIN generado"
        indexes = [models.Index(fields=["card_kind", "card_id"], name="cards_pinreveal_card")]

    def __str__(self) -> str:
        return f"PIN generado {self.card_kind} {self.card_id} ({self.created_at:%Y-%m-%d %H:%M})"


class DeferralPolicy(models.Model):
    """The institution's rules for Diferir consumos (one row, edited in the back office):
    the terms a member may choose and the smallest purchase that may be deferred."""

    terms = models.CharField(
        "plazos permitidos (meses, separados por comas)",
        max_length=60,
        default="3,6,9,12,18,24,36",
    )
    minimum_amount = models.BigIntegerField(
        "monto mínimo de un consumo para diferir (centavos)",
        default=2000,
        validators=[MinValueValidator(1)],
    )
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "política de diferidos"
        verbose_name_plural = "política de diferidos"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="cards_deferralpolicy_one_row"),
            models.CheckConstraint(
                condition=Q(minimum_amount__gt=0), name="cards_deferralpolicy_minimum_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return "Política de diferidos"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from enlinea.products.finance import DEFERRAL_MONTHS

        parts = [part.strip() for part in self.terms.split(",") if part.strip()]
        allowed = ", ".join(str(m) for m in sorted(DEFERRAL_MONTHS))
        if not parts:
            raise ValidationError({"terms": f"Indica al menos un plazo: {allowed}."})
        for part in parts:
            if not part.isdigit() or int(part) not in DEFERRAL_MONTHS:
                raise ValidationError(
                    {"terms": f"«{part}» no es un plazo permitido. Usa solo {allowed} meses."}
                )
        self.terms = ",".join(str(m) for m in sorted({int(p) for p in parts}))


class Deferral(models.Model):
    """A member's deferral of current purchases (Diferir consumos): the French plan at
    the card's deferral rate, billed one installment at each statement cut-off."""

    credit_card = models.ForeignKey(
        "products.CreditCard", on_delete=models.PROTECT, related_name="deferrals"
    )
    amount = models.BigIntegerField("monto diferido")
    months = models.PositiveSmallIntegerField("cuotas")
    annual_rate_bp = models.PositiveIntegerField("tasa anual (puntos básicos)")
    installment = models.BigIntegerField("valor cuota mensual")
    first_interest = models.BigIntegerField("interés de la primera cuota")
    total_interest = models.BigIntegerField("interés total")
    # [[payment, principal, interest], …] one per installment, in cents.
    plan = models.JSONField("tabla de cuotas")
    installments_billed = models.PositiveSmallIntegerField("cuotas facturadas", default=0)
    created_at = models.DateTimeField("diferido", default=timezone.now)
    idempotency_key = models.CharField(max_length=80, unique=True)

    class Meta:
        verbose_name = "diferido de consumos"
        verbose_name_plural = "diferidos de consumos"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cards_deferral_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(installments_billed__lte=F("months")),
                name="cards_deferral_billed_within_months",
            ),
        ]

    def __str__(self) -> str:
        return f"Diferido {self.amount} a {self.months} meses"

    @property
    def remaining(self) -> int:
        """Capital of the installments not billed yet (part of the Saldo diferido)."""
        return sum(row[1] for row in self.plan[self.installments_billed :])


class DeferralPurchase(models.Model):
    """A purchase inside a deferral: one-to-one, so no purchase is ever deferred twice."""

    deferral = models.ForeignKey(Deferral, on_delete=models.PROTECT, related_name="items")
    purchase = models.OneToOneField(
        "products.CardPurchase", on_delete=models.PROTECT, related_name="deferral_item"
    )

    class Meta:
        verbose_name = "consumo diferido"
        verbose_name_plural = "consumos diferidos"

    def __str__(self) -> str:
        return f"{self.purchase} en {self.deferral}"


class TravelNotice(models.Model):
    """Aviso de viaje: the dates and countries a member will use a card abroad, told to
    the card processor, which otherwise refuses purchases outside Ecuador."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="travel_notices")
    card_kind = models.CharField("tipo de tarjeta", max_length=7, choices=CardKind.choices)
    card_id = models.BigIntegerField("tarjeta")
    starts = models.DateField("fecha de salida")
    ends = models.DateField("fecha de regreso")
    countries = models.JSONField("países")  # ISO 3166 alpha-2 codes
    created_at = models.DateTimeField("registrado", default=timezone.now)
    cancelled_at = models.DateTimeField("anulado", null=True, blank=True)

    class Meta:
        verbose_name = "aviso de viaje"
        verbose_name_plural = "avisos de viaje"
        ordering = ["starts", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=F("starts")), name="cards_travelnotice_ends_after_starts"
            ),
        ]
        indexes = [models.Index(fields=["card_kind", "card_id"], name="cards_travel_card")]

    def __str__(self) -> str:
        return f"Viaje {self.starts}-{self.ends} {','.join(self.countries)}"
