from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from enlinea.members import validators

MSG_DUPLICATE_IDENTIFICATION = "Ya existe un socio con esta identificación."


class IdentificationType(models.TextChoices):
    CEDULA = validators.CEDULA, "Cédula"
    RUC = validators.RUC, "RUC"
    PASAPORTE = validators.PASAPORTE, "Pasaporte"


class Member(models.Model):
    """A socio of the cooperative.

    Values are stored normalized (see ``validators``): identification without
    separators, names in capitals, mobile as ``09XXXXXXXX``. Create members through
    ``services.member_create``; the constraints below are the database's own copy of
    the shape rules, so a write that goes around the services is still refused.
    """

    identification_type = models.CharField(
        "tipo de identificación",
        max_length=10,
        choices=IdentificationType.choices,
        default=IdentificationType.CEDULA,
    )
    identification = models.CharField("identificación", max_length=20)
    first_names = models.CharField("nombres", max_length=100)
    last_names = models.CharField("apellidos", max_length=100)
    birth_date = models.DateField(
        "fecha de nacimiento",
        null=True,
        blank=True,
        validators=[validators.validate_birth_date],
    )
    email = models.EmailField("correo electrónico", max_length=254)
    mobile_phone = models.CharField(
        "celular",
        max_length=10,
        validators=[validators.validate_mobile_phone],
        help_text="10 dígitos, empieza con 09.",
    )
    address = models.TextField("dirección", blank=True)
    # Set by services.member_contact_change: Regístrate and password recovery refuse
    # for MEMBERS_CONTACT_COOLING_OFF_HOURS after it (selectors.member_contact_cooling_off).
    contact_changed_at = models.DateTimeField(
        "contacto cambiado", null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField("creado", default=timezone.now, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member",
        verbose_name="usuario de En Línea",
    )

    class Meta:
        verbose_name = "socio"
        verbose_name_plural = "socios"
        ordering = ["last_names", "first_names", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["identification_type", "identification"],
                name="members_member_identification_unique",
                violation_error_message=MSG_DUPLICATE_IDENTIFICATION,
            ),
            models.CheckConstraint(
                condition=Q(identification_type__in=IdentificationType.values),
                name="members_member_identification_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(identification=""),
                name="members_member_identification_not_empty",
            ),
            # Length by type; the check digits are the services' job (stdnum).
            models.CheckConstraint(
                condition=(
                    (
                        Q(identification_type=IdentificationType.CEDULA)
                        & Q(Exact(Length("identification"), 10))
                    )
                    | (
                        Q(identification_type=IdentificationType.RUC)
                        & Q(Exact(Length("identification"), 13))
                    )
                    | (
                        Q(identification_type=IdentificationType.PASAPORTE)
                        & Q(GreaterThanOrEqual(Length("identification"), 5))
                        & Q(LessThanOrEqual(Length("identification"), 20))
                    )
                ),
                name="members_member_identification_length_by_type",
            ),
            models.CheckConstraint(
                condition=Q(identification=Upper("identification")),
                name="members_member_identification_uppercase",
            ),
            models.CheckConstraint(
                condition=~Q(first_names="") & ~Q(last_names=""),
                name="members_member_names_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(first_names=Upper("first_names"), last_names=Upper("last_names")),
                name="members_member_names_uppercase",
            ),
            models.CheckConstraint(
                condition=Q(mobile_phone__startswith="09") & Q(Exact(Length("mobile_phone"), 10)),
                name="members_member_mobile_phone_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.identification})"

    @property
    def full_name(self) -> str:
        """Names then surnames, as the manual shows them: ``ANDRES DAVID LOPEZ MAYA``."""
        return f"{self.first_names} {self.last_names}".strip()
