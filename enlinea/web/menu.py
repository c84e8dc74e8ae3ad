"""The side menu: the manual's eight sections and the options inside each.

One definition feeds the menu, each section's page and the docs. An option with
no ``url_name`` is listed as not yet available until its issue builds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Option:
    label: str
    url_name: str | None = None

    @property
    def url(self) -> str | None:
        if not self.url_name:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:  # its issue is not built yet; a test lists the gaps
            return None


@dataclass(frozen=True)
class Section:
    slug: str
    label: str
    icon: str
    intro: str
    options: tuple[Option, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return self.label.format(short_name=settings.INSTITUTION["short_name"])


SECTIONS: tuple[Section, ...] = (
    Section(
        "perfil",
        "Perfil",
        "user",
        "Administra tus datos de acceso, tus dispositivos y el soporte.",
        (
            Option("Cambio de preguntas", "profile:questions"),
            Option("Cambio de imagen de seguridad", "profile:image"),
            Option("Cambio de contraseña", "profile:password"),
            Option("Dispositivos", "profile:devices"),
            Option("Contrato de términos y condiciones", "profile:terms"),
            Option("Personalización de usuario", "profile:username"),
            Option("Bloquear mi acceso", "profile:block"),
            Option("Soporte", "support:home"),
        ),
    ),
    Section(
        "posicion-consolidada",
        "Posición Consolidada",
        "wallet",
        "Revisa tus productos: cuentas, créditos, inversiones y tarjetas.",
        (
            Option("Cuentas", "position:accounts"),
            Option("Créditos", "position:loans"),
            Option("Inversiones", "position:investments"),
            Option("Tarjeta de débito", "position:debit_cards"),
            Option("Tarjeta de crédito", "position:credit_cards"),
        ),
    ),
    Section(
        "transferencias",
        "Transferencias",
        "transfer",
        "Envía dinero a tus cuentas, a otros socios y a otras instituciones.",
        (
            Option("Nuevo beneficiario", "beneficiaries:new"),
            Option("Transferencias entre cuentas propias", "transfers:own"),
            Option(f"Transferencias {settings.INSTITUTION['short_name']}", "transfers:internal"),
            Option("Transferencias interbancarias", "transfers:interbank"),
            Option("Transacciones frecuentes", "transfers:frequent"),
            Option("Historial", "transfers:history"),
        ),
    ),
    Section(
        "pago-tarjetas",
        "Pago de Tarjetas",
        "card",
        "Paga tus tarjetas de crédito y las de otras instituciones.",
        (
            Option("Agregar nueva tarjeta", "payments:card_new"),
            Option("Pago de tarjetas", "payments:card_list"),
        ),
    ),
    Section(
        "pago-servicios",
        "Pago de Servicios",
        "bill",
        "Paga agua, luz, teléfono y recargas, ahora o de forma programada.",
        (
            Option("Pagar servicios", "payments:bill_pay"),
            Option("Programar pagos", "payments:bill_schedules"),
            Option("Pagos frecuentes", "payments:bill_frequent"),
            Option("Historial de pagos", "payments:bill_history"),
        ),
    ),
    Section(
        "tarjetas",
        "Tarjetas {short_name}",
        "cards",
        "Administra el PIN de tus tarjetas y difiere tus consumos.",
        (
            Option("Tarjeta de débito", "cards:debit_list"),
            Option("Tarjetas de crédito", "cards:credit_list"),
        ),
    ),
    Section(
        "beneficiarios",
        "Administración Beneficiarios",
        "people",
        "Edita o elimina las personas a las que transfieres.",
        (Option("Beneficiarios", "beneficiaries:list"),),
    ),
    Section(
        "servicios",
        "Servicios",
        "doc",
        "Descarga tu estado de cuenta y personaliza tus cupos.",
        (
            Option("Estado de cuenta", "documents:statement"),
            Option("Personalización de cupos", "limits:edit"),
        ),
    ),
)

BY_SLUG = {section.slug: section for section in SECTIONS}
