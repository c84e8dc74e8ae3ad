"""A member's beneficiaries: the accounts and cards they send money to.

Three kinds, the three tabs of "Administración de beneficiarios": an account in this
cooperative (INTERNAL, found by its number, the holder's name kept masked as
``internal_destination_check`` showed it), an account in another institution of the
SPI catalogue (EXTERNAL, with the holder's name, identification and account as the
member typed them) and a card to pay (CARD, only its last four digits and a keyed
digest are kept, never the full number).

Rows are written by ``enlinea.beneficiaries.services`` and never deleted: "Eliminar"
sets ``deleted_at`` so transfers and receipts made to a beneficiary keep its name. The
same destination is saved once per member among the rows not deleted (the partial
unique constraints below settle two parallel saves).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from enlinea.institutions.models import Institution
from enlinea.members.models import IdentificationType, Member
from enlinea.products.models import DepositAccount

NAME_MAX_LENGTH = 120
ALIAS_MAX_LENGTH = 30
ACCOUNT_NUMBER_MAX_LENGTH = 20


class BeneficiaryKind(models.TextChoices):
    INTERNAL = "internal", "Cuenta de la cooperativa"
    EXTERNAL = "external", "Cuenta en otra institución"
    CARD = "card", "Tarjeta"


class AccountType(models.TextChoices):
    SAVINGS = "savings", "Ahorros"
    CHECKING = "checking", "Corriente"


class Beneficiary(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="beneficiaries", verbose_name="socio"
    )
    kind = models.CharField("tipo", max_length=8, choices=BeneficiaryKind.choices)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="beneficiaries",
        verbose_name="entidad financiera",
    )
    internal_account = models.ForeignKey(
        DepositAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cuenta de destino",
    )
    account_type = models.CharField(
        "tipo de cuenta", max_length=8, choices=AccountType.choices, blank=True
    )
    account_number = models.CharField(
        "número de cuenta", max_length=ACCOUNT_NUMBER_MAX_LENGTH, blank=True
    )
    # INTERNAL: the holder's name masked ("AN*** LO***"); EXTERNAL and CARD: as typed.
    name = models.CharField("nombre del beneficiario", max_length=NAME_MAX_LENGTH)
    identification_type = models.CharField(
        "tipo de identificación", max_length=10, choices=IdentificationType.choices, blank=True
    )
    identification = models.CharField("identificación", max_length=20, blank=True)
    card_last4 = models.CharField("últimos 4 dígitos", max_length=4, blank=True)
    # HMAC-SHA256 of the card number with a key derived from SECRET_KEY: finds the same
    # card saved twice without keeping a number anyone could use.
    card_digest = models.CharField(max_length=64, blank=True, editable=False)
    email = models.EmailField("correo electrónico", blank=True)
    alias = models.CharField("alias", max_length=ALIAS_MAX_LENGTH, blank=True)
    # Name and alias without accents, in capitals: the search of the beneficiary list
    # ignores accents on SQLite and PostgreSQL alike.
    search_text = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField("registrado", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    deleted_at = models.DateTimeField("eliminado", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "beneficiario"
        verbose_name_plural = "beneficiarios"
        ordering = ["name", "id"]
        indexes = [
            models.Index(
                fields=["member", "kind", "name"],
                condition=Q(deleted_at__isnull=True),
                name="beneficiaries_active_by_kind",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=BeneficiaryKind.values),
                name="beneficiaries_kind_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="beneficiaries_name_not_empty"),
            # Each kind carries its own destination and nothing of another kind's.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=BeneficiaryKind.INTERNAL,
                        internal_account__isnull=False,
                        institution__isnull=True,
                        card_digest="",
                    )
                    & ~Q(account_number="")
                )
                | (
                    Q(
                        kind=BeneficiaryKind.EXTERNAL,
                        internal_account__isnull=True,
                        institution__isnull=False,
                        card_digest="",
                    )
                    & ~Q(account_number="")
                    & ~Q(account_type="")
                    & ~Q(identification="")
                )
                | (
                    Q(
                        kind=BeneficiaryKind.CARD,
                        internal_account__isnull=True,
                        institution__isnull=False,
                        account_number="",
                    )
                    & ~Q(card_digest="")
                    & ~Q(card_last4="")
                ),
                name="beneficiaries_destination_by_kind",
            ),
            models.UniqueConstraint(
                fields=["member", "internal_account"],
                condition=Q(kind=BeneficiaryKind.INTERNAL, deleted_at__isnull=True),
                name="beneficiaries_internal_once",
            ),
            models.UniqueConstraint(
                fields=["member", "institution", "account_number"],
                condition=Q(kind=BeneficiaryKind.EXTERNAL, deleted_at__isnull=True),
                name="beneficiaries_external_once",
            ),
            models.UniqueConstraint(
                fields=["member", "card_digest"],
                condition=Q(kind=BeneficiaryKind.CARD, deleted_at__isnull=True),
                name="beneficiaries_card_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()} …{self.last_digits})"

    @property
    def last_digits(self) -> str:
        """The last four digits of the account or card: all a card ever shows."""
        return self.card_last4 if self.kind == BeneficiaryKind.CARD else self.account_number[-4:]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
