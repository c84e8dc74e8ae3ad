"""Forms of Regístrate and Primer ingreso: parse what was typed, rules live in enrolment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from enlinea.access import enrolment
from enlinea.access.catalog import Question, SecurityImage


class IdentificationForm(forms.Form):
    identification = forms.CharField(
        label="Número de identificación",
        help_text="Los 10 dígitos de tu cédula.",
        max_length=30,
        error_messages={"required": "Ingresa un número de cédula de 10 dígitos."},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_identification(self) -> str:
        return enrolment.cedula_clean(self.cleaned_data["identification"])


class ConsentForm(forms.Form):
    """One checkbox; its label and message come from the step (terms or data)."""

    accept = forms.BooleanField(required=True)

    def __init__(self, *args: Any, label: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept"].label = label
        self.fields["accept"].error_messages["required"] = required_message


class UsernameForm(forms.Form):
    username = forms.CharField(
        label="Nombre de usuario",
        max_length=60,
        error_messages={"required": "Ingresa tu nuevo nombre de usuario."},
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, user: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["aria-describedby"] = "usuario-indicaciones"

    def clean_username(self) -> str:
        # Availability is an answer about other people's names: limited and audited.
        return enrolment.setup_username_clean(
            user=self.user, username=self.cleaned_data["username"], request=self.request
        )


class QuestionsForm(forms.Form):
    """The 12 questions; at least ``ACCESS_QUESTIONS_MIN_SETUP`` answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Question.choices:
            self.fields[value] = forms.CharField(
                label=label,
                required=False,
                max_length=60,
                widget=forms.TextInput(
                    attrs={
                        "placeholder": "Escribe tu respuesta",
                        "autocomplete": "off",
                        "autocapitalize": "none",
                        "spellcheck": "false",
                        "aria-describedby": "preguntas-indicaciones",
                    }
                ),
            )
        self.answer_hashes: dict[str, str] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        answers = {q: cleaned.get(q, "") for q in Question.values}
        try:
            self.answer_hashes = enrolment.setup_answers_hash(answers=answers)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            for question, errors in exc.error_dict.items():
                self.add_error(question, errors)
            # Say both things at once: fix these answers, and answer enough of them.
            minimum = settings.ACCESS_QUESTIONS_MIN_SETUP
            if sum(1 for a in answers.values() if (a or "").strip()) < minimum:
                self.add_error(None, f"Responde mínimo {minimum} preguntas de seguridad.")
        return cleaned


class ImageForm(forms.Form):
    image = forms.ChoiceField(
        label="Selecciona tu imagen de seguridad",
        choices=SecurityImage.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Selecciona una imagen de seguridad.",
            "invalid_choice": "Selecciona una de las imágenes de seguridad.",
        },
    )


def _password_field(label: str, required: str, autocomplete: str, placeholder: str) -> Any:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        error_messages={"required": required},
        widget=forms.PasswordInput(
            attrs={"autocomplete": autocomplete, "placeholder": placeholder}
        ),
    )


class PasswordForm(forms.Form):
    current = _password_field(
        "Ingresar tu contraseña actual o temporal",
        "Ingresa tu contraseña actual o temporal.",
        "current-password",
        "Ingresar tu contraseña actual o temporal",
    )
    password = _password_field(
        "Nueva contraseña",
        "Escribe tu nueva contraseña.",
        "new-password",
        "Escribe tu nueva contraseña",
    )
    confirmation = _password_field(
        "Confirmar contraseña",
        "Confirma tu nueva contraseña.",
        "new-password",
        "Confirma tu nueva contraseña",
    )

    def __init__(self, *args: Any, user: Any, username: str, **kwargs: Any) -> None:
        self.user = user
        self.username = username
        self.password_hash = ""
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["aria-describedby"] = "contrasena-indicaciones"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.password_hash = enrolment.setup_password_hash(
                user=self.user,
                username=self.username,
                current=cleaned["current"],
                password=cleaned["password"],
                confirmation=cleaned["confirmation"],
            )
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                self.add_error(name, errors)
        return cleaned


class DeviceForm(forms.Form):
    save_device = forms.ChoiceField(
        label="Estás ingresando desde un nuevo dispositivo, ¿Deseas registrarlo?",
        choices=[("si", "Si, guardar"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Elige si deseas registrar este dispositivo."},
    )
    alias = forms.CharField(
        label="Alias del dispositivo",
        required=False,
        max_length=60,
        help_text="Obligatorio si eliges «Si, guardar».",
        widget=forms.TextInput(attrs={"placeholder": "Ej: Mi laptop personal"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        choice = cleaned.get("save_device")
        if choice:
            try:
                cleaned["alias"] = enrolment.device_alias_clean(
                    save=choice == "si", alias=cleaned.get("alias", "")
                )
            except ValidationError as exc:
                self.add_error("alias", exc)
        return cleaned
