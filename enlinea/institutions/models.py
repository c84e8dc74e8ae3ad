"""Entidades financieras: Ecuador's interbank (SPI) participants, as a bank's dropdown
spells them ("BANECUADOR B.P.", "COOP. AHORRO Y CREDITO OSCUS").

The catalogue ships as ``data/spi_participants.csv`` (loaded by migration 0002; sources
in ``data/README.md``) and is edited in the back office afterwards: a new participant, a
renamed one, one that left the network (``active`` off, never deleted: beneficiaries and
receipts keep pointing at it). One row is the cooperative itself (``is_home``): its
accounts are registered "A mi institución", never as another institution's.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

MSG_NAME_DUPLICATE = "Ya existe una entidad financiera con este nombre."
MSG_CODE_DUPLICATE = "Ya existe una entidad financiera con este código."
MSG_HOME_DUPLICATE = "Solo una entidad puede ser esta institución: quítale la marca a la otra."
MSG_NAME_REQUIRED = "Ingresa el nombre de la entidad financiera."


class InstitutionKind(models.TextChoices):
    BANK = "BANCO", "Banco"
    MUTUAL = "MUTUALISTA", "Mutualista"
    COOPERATIVE = "COOPERATIVA", "Cooperativa de ahorro y crédito"
    OTHER = "OTRA", "Otra entidad (pública, caja, fondo)"


def institution_name_normalize(value: str) -> str:
    """The stored spelling: spaces collapsed, capitals (as the SPI list writes names)."""
    return " ".join((value or "").split()).upper()


class Institution(models.Model):
    name = models.CharField(
        "nombre",
        max_length=100,
        help_text="Como aparece en la lista «Entidad financiera», en mayúsculas.",
    )
    code = models.CharField(
        "código",
        max_length=10,
        blank=True,
        help_text="Código de la entidad en el SPI del Banco Central, si se conoce.",
    )
    kind = models.CharField("tipo", max_length=11, choices=InstitutionKind.choices)
    active = models.BooleanField(
        "activa",
        default=True,
        help_text=(
            "Una entidad inactiva no aparece en la lista ni admite beneficiarios nuevos; "
            "los ya registrados la conservan."
        ),
    )
    is_home = models.BooleanField(
        "es esta institución",
        default=False,
        help_text=(
            "La propia cooperativa: sus cuentas se registran en «A mi institución» y no "
            "aparece en «A otras instituciones»."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(
        "orden", default=30, help_text="Menor va primero; a igual orden, por nombre."
    )
    updated_at = models.DateTimeField("actualizada", auto_now=True)

    class Meta:
        verbose_name = "entidad financiera"
        verbose_name_plural = "entidades financieras"
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                Upper("name"),
                name="institutions_institution_name_unique",
                violation_error_message=MSG_NAME_DUPLICATE,
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="institutions_institution_code_unique",
                violation_error_message=MSG_CODE_DUPLICATE,
            ),
            models.UniqueConstraint(
                fields=["is_home"],
                condition=Q(is_home=True),
                name="institutions_institution_one_home",
                violation_error_message=MSG_HOME_DUPLICATE,
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="institutions_institution_name_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(name=Upper("name")), name="institutions_institution_name_uppercase"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InstitutionKind.values),
                name="institutions_institution_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """What staff type in the back office, stored as the catalogue spells names."""
        from django.core.exceptions import ValidationError

        self.name = institution_name_normalize(self.name)
        self.code = (self.code or "").strip().upper()
        if not self.name:
            raise ValidationError({"name": MSG_NAME_REQUIRED})
