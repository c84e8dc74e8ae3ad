"""Forms of the Perfil pages, password recovery and self-block.

Each form only parses and checks what was typed; the rules live in
``credentials`` / ``policy`` and the changes in the services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from enlinea.access import credentials
from enlinea.access.catalog import Question
from enlinea.access.forms_enrolment import ImageForm as SetupImageForm

MSG_WRONG_CURRENT = "La contraseña actual es incorrecta."
MSG_WRONG_CURRENT_LAST = (
    "La contraseña actual es incorrecta. Te queda 1 intento: si vuelves a fallar, "
    "bloquearemos tu acceso por seguridad."
)

_SECRET_ATTRS = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}


def _password_field(label: str, required: str, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": required},
    )


class CodeForm(forms.Form):
    """The "Factor de seguridad" dialog: only the code (ui/security_code.html)."""

    code = forms.CharField(
        label="Código de verificación",
        max_length=20,
        error_messages={"required": "Ingresa los 6 dígitos del código que te enviamos."},
    )


# ---------------------------------------------------------------- Perfil


class QuestionsForm(forms.Form):
    """The 12 questions; a blank field keeps the stored answer, a filled one replaces it."""

    def __init__(self, *args: Any, answered: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered = set(answered)
        for value, label in Question.choices:
            self.fields[value] = forms.CharField(
                label=label,
                required=False,
                max_length=60,
                widget=forms.TextInput(attrs={**_SECRET_ATTRS, "class": "answer-input"}),
                help_text=(
                    "Respondida. Déjala en blanco para conservar tu respuesta o escribe una nueva."
                    if value in self.answered
                    else ""
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        typed = {name: value for name, value in data.items() if (value or "").strip()}
        try:
            cleaned = credentials.answers_clean(typed)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
            return data
        minimum = settings.ACCESS_QUESTIONS_MIN_UPDATE
        if len(self.answered | set(cleaned)) < minimum:
            raise ValidationError(f"Responde mínimo {minimum} preguntas de seguridad.")
        if not cleaned:
            raise ValidationError("Escribe al menos una respuesta nueva para actualizar.")
        self.cleaned_answers = cleaned
        return data


class ImageForm(SetupImageForm):
    """The first login's picker, refusing the image the member already has."""

    def __init__(self, *args: Any, current: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current

    def clean_image(self) -> str:
        image = self.cleaned_data["image"]
        if image == self.current:
            raise ValidationError("Esa ya es tu imagen de seguridad: elige otra.")
        return image


class _UserForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.current_wrong = False


class CurrentPasswordForm(_UserForm):
    """The current password: confirms a change (and "Bloquear mi acceso") in a session."""

    current = _password_field(
        "Ingresa tu contraseña actual", "Ingresa tu contraseña actual.", "current-password"
    )

    def clean_current(self) -> str:
        current = self.cleaned_data["current"]
        if not self.user.check_password(current):
            self.current_wrong = True
            raise ValidationError(MSG_WRONG_CURRENT)
        return current


class NewPasswordForm(_UserForm):
    """New password and its confirmation, checked against the policy (recovery step 4)."""

    password = _password_field("Nueva contraseña", "Ingresa tu nueva contraseña.", "new-password")
    confirmation = _password_field(
        "Confirmar contraseña", "Confirma tu nueva contraseña.", "new-password"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.current_wrong or "password" not in data or "confirmation" not in data:
            return data
        try:
            credentials.password_clean(
                password=data["password"], confirmation=data["confirmation"], user=self.user
            )
        except ValidationError as exc:
            # "No coinciden" belongs to the confirmation; every other rule to the password.
            for error in exc.error_list:
                field = "confirmation" if error.code == "password_mismatch" else "password"
                self.add_error(field, error)
        return data


class PasswordChangeForm(CurrentPasswordForm, NewPasswordForm):
    """ "Actualizar contraseña": the policy is only checked once the current one is right."""

    field_order = ["current", "password", "confirmation"]


class UsernameForm(forms.Form):
    previous = forms.CharField(
        label="Anterior nombre de usuario (Opcional)",
        required=False,
        disabled=True,
        widget=forms.TextInput(attrs={"readonly": True}),
    )
    username = forms.CharField(
        label="Nuevo nombre de usuario",
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "placeholder": "Ingresa tu nuevo nombre de usuario",
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Ingresa tu nuevo nombre de usuario."},
    )

    def __init__(self, *args: Any, user: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.fields["previous"].initial = user.username

    def clean_username(self) -> str:
        # Availability is an answer about other people's names: limited and audited.
        return credentials.username_check(
            username=self.cleaned_data["username"], user=self.user, request=self.request
        )


class DeviceRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Motivo",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Ingresa el motivo por el cual eliminas el dispositivo.",
            "max_length": "Escribe el motivo en máximo 200 caracteres.",
        },
    )


# ---------------------------------------------------------------- recovery


class RecoveryStartForm(forms.Form):
    identification = forms.CharField(
        label="Número de cédula",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "Ingresa tu número de cédula."},
    )
    username = forms.CharField(
        label="Usuario",
        max_length=60,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": "Ingresa tu usuario."},
    )

    def clean_identification(self) -> str:
        # Accept what people paste: spaces, dashes and dots are ignored.
        raw = self.cleaned_data["identification"]
        digits = "".join(c for c in raw if not c.isspace() and c not in "-.")
        if len(digits) != 10 or not digits.isdigit():
            raise ValidationError("Ingresa un número de cédula de 10 dígitos.")
        return digits


class RecoveryAnswersForm(forms.Form):
    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Question.choices)
        for question in questions:
            self.fields[question] = forms.CharField(
                label=labels[question],
                max_length=60,
                widget=forms.TextInput(attrs={**_SECRET_ATTRS, "class": "answer-input"}),
                error_messages={"required": "Escribe tu respuesta."},
            )
