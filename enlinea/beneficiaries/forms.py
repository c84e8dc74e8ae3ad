"""The beneficiary forms: what the member typed, checked by the services' own rules.

The forms only read the fields; every rule is a service's (``destinations.py``), whose
``ValidationError`` keyed by field name lands beside the matching field (the field
names are the services' keys: ``account_number``, ``institution``, ``account_type``,
``name``, ``identification_type``, ``identification``, ``email``, ``alias``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from enlinea.institutions.selectors import institutions_for_choice
from enlinea.members.models import IdentificationType

from . import destinations
from .models import AccountType


def _text(label: str, *, placeholder: str = "", **attrs: Any) -> forms.CharField:
    widget_attrs = {"autocomplete": "off", **attrs}
    if placeholder:
        widget_attrs["placeholder"] = placeholder
    # Lengths and characters are the service's rules, each with its message.
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _alias() -> forms.CharField:
    return _text("Alias (Opcional)", placeholder="Ej: dax")


def _email() -> forms.CharField:
    field = _text(
        "Correo electrónico (Opcional)",
        placeholder="Ej: dax@gmail.com",
        inputmode="email",
        spellcheck="false",
    )
    field.widget.input_type = "email"
    return field


def _account_number() -> forms.CharField:
    return _text(
        "Número de cuenta",
        placeholder="Ej: 44891821",
        inputmode="numeric",
    )


class _Choice(forms.ChoiceField):
    """A choice the service judges: an empty or unknown one gets the service's Spanish
    message at the field, not the form library's."""

    def validate(self, value: Any) -> None:
        return None


def _radio(label: str, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return _Choice(label=label, choices=choices, required=False, widget=forms.RadioSelect)


class _ServiceForm(forms.Form):
    """Runs one service check in ``clean`` and shows its errors at the fields."""

    def service_errors(self, exc: ValidationError) -> None:
        """Put a service's ``ValidationError`` (dict by field) beside its fields."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)

    def _optional(self, errors: destinations.FieldErrors) -> dict[str, str]:
        return {
            "email": errors.run("email", destinations.email_normalize, self.data.get("email", ""))
            or "",
            "alias": errors.run("alias", destinations.alias_normalize, self.data.get("alias", ""))
            or "",
        }


class InternalForm(_ServiceForm):
    """ "A mi institución": Número de cuenta → Validar → holder's masked name → Alias,
    Correo → "Guardar beneficiario"."""

    account_number = _account_number()
    alias = _alias()
    email = _email()

    def clean(self) -> dict[str, Any]:
        errors = destinations.FieldErrors()
        self.cleaned_data.update(self._optional(errors))
        self.cleaned_data["account_number"] = (
            errors.run(
                "account_number",
                destinations.account_number_normalize,
                self.data.get("account_number", ""),
            )
            or ""
        )
        if errors.by_field:
            self.service_errors(ValidationError(errors.by_field))
        return self.cleaned_data


class ExternalForm(_ServiceForm):
    """ "A otras instituciones" ("Registrar cuenta interbancaria")."""

    institution = _Choice(label="Entidad financiera", required=False)
    identification_type = _radio("Tipo de identificación", IdentificationType.choices)
    identification = _text("Identificación del beneficiario", placeholder="Ej: 1130131211")
    account_type = _radio("Tipo de cuenta", AccountType.choices)
    account_number = _account_number()
    name = _text("Nombre del beneficiario", placeholder="Ej: XAVIER GONZALEZ")
    email = _email()
    alias = _alias()

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["institution"].choices = [("", "Selecciona la entidad financiera")] + [
            (str(row.pk), row.name) for row in institutions_for_choice()
        ]

    def clean(self) -> dict[str, Any]:
        errors = destinations.FieldErrors()
        optional = self._optional(errors)
        try:
            destination = destinations.external_destination_clean(
                member=self.member,
                institution_id=self.data.get("institution"),
                account_type=self.data.get("account_type", ""),
                account_number=self.data.get("account_number", ""),
                name=self.data.get("name", ""),
                identification_type=self.data.get("identification_type", ""),
                identification=self.data.get("identification", ""),
            )
        except ValidationError as exc:
            for field, messages in exc.error_dict.items():
                errors.by_field.setdefault(field, ValidationError(messages))
            destination = None
        if errors.by_field:
            self.service_errors(ValidationError(errors.by_field))
            return self.cleaned_data
        self.destination = destination
        self.cleaned_data.update(optional)
        return self.cleaned_data


class EditForm(_ServiceForm):
    """ "Actualizar cuenta": alias and e-mail of any beneficiary and, of an account at
    another institution, its account and holder fields too."""

    account_type = _radio("Tipo de cuenta", AccountType.choices)
    account_number = _account_number()
    name = _text("Nombre del beneficiario", placeholder="Ej: XAVIER GONZALEZ")
    identification_type = _radio("Tipo de identificación", IdentificationType.choices)
    identification = _text("Identificación del beneficiario", placeholder="Ej: 1130131211")
    email = _email()
    alias = _alias()

    EXTERNAL_FIELDS = (
        "account_type",
        "account_number",
        "name",
        "identification_type",
        "identification",
    )

    def __init__(self, *args: Any, external: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.external = external
        if not external:
            for name in self.EXTERNAL_FIELDS:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        errors = destinations.FieldErrors()
        self.cleaned_data.update(self._optional(errors))
        if self.external:
            data = self.data
            if data.get("account_type", "") not in AccountType.values:
                errors.add("account_type", destinations.MSG_ACCOUNT_TYPE)
            else:
                self.cleaned_data["account_type"] = data["account_type"]
            self.cleaned_data["account_number"] = errors.run(
                "account_number",
                destinations.account_number_normalize,
                data.get("account_number", ""),
            )
            self.cleaned_data["name"] = errors.run(
                "name", destinations.name_normalize, data.get("name", "")
            )
            self.cleaned_data["identification_type"] = data.get("identification_type", "")
            self.cleaned_data["identification"] = destinations.identification_clean(
                errors, data.get("identification_type", ""), data.get("identification", "")
            )
        if errors.by_field:
            self.service_errors(ValidationError(errors.by_field))
        return self.cleaned_data
