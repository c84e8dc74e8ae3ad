"""The manual's "Quejas y reclamos" form and the back office's status form.

The manual's form lists a "Correo"; here it is the member's registered e-mail, shown
read-only and masked (``registered_email``), never a field: a typed address would let
anyone with a session send the cooperative's e-mail, with their own text and file
name in it, to any inbox.

Each field is checked by the same functions the services use (``services.py``,
``attachments.py``), so a rule lives in one place; the services check again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from enlinea.members.models import Member
from enlinea.members.services import mask_email
from enlinea.support.attachments import attachment_check, max_megabytes
from enlinea.support.models import DETAIL_MAX_LENGTH, ComplaintProduct, ComplaintStatus
from enlinea.support.selectors import member_product_choices
from enlinea.support.services import (
    MSG_CONSENT,
    MSG_DETAIL_REQUIRED,
    MSG_IDENTIFICATION_REQUIRED,
    MSG_NAME_REQUIRED,
    MSG_PRODUCT,
    MSG_PRODUCT_REFERENCE,
    MSG_RESPONSE_REQUIRED,
    RESPONSE_MAX_LENGTH,
    detail_clean,
    full_name_clean,
    identification_clean,
    next_statuses,
    product_reference_resolve,
)


class ComplaintForm(forms.Form):
    product = forms.ChoiceField(
        label="Producto",
        choices=[("", "Selecciona el producto"), *ComplaintProduct.choices],
        error_messages={"required": MSG_PRODUCT, "invalid_choice": MSG_PRODUCT},
    )
    product_reference = forms.ChoiceField(
        label="Número de cuenta o tarjeta (Opcional)",
        required=False,
        help_text="Si tu queja es sobre una de tus cuentas o tarjetas, elígela.",
        error_messages={"invalid_choice": MSG_PRODUCT_REFERENCE},
    )
    full_name = forms.CharField(
        label="Nombre y Apellido",
        max_length=200,
        error_messages={"required": MSG_NAME_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    identification = forms.CharField(
        label="Número de cédula o Pasaporte",
        max_length=30,
        error_messages={"required": MSG_IDENTIFICATION_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    detail = forms.CharField(
        label="Detalle",
        help_text=f"Cuéntanos qué pasó: fechas, montos y lo que esperas que hagamos. Hasta {DETAIL_MAX_LENGTH} caracteres.",
        error_messages={"required": MSG_DETAIL_REQUIRED},
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DETAIL_MAX_LENGTH}),
    )
    attachment = forms.FileField(
        label="¿Quieres adjuntar un archivo? (Opcional)",
        required=False,
        widget=forms.FileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )
    consent = forms.BooleanField(
        label="Acepto las condiciones para el tratamiento de mis datos",
        error_messages={"required": MSG_CONSENT},
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        self.member = member
        # What the template shows under "Correo": where the ticket will go.
        self.registered_email = mask_email(member.email)
        kwargs.setdefault(
            "initial",
            {
                "full_name": member.full_name,
                "identification": member.identification,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["product_reference"].choices = member_product_choices(member=member)
        limit = max_megabytes()
        hint = f"PDF, JPG o PNG de hasta {limit} MB, por ejemplo la foto de un comprobante."
        self.fields["attachment"].help_text = hint

    def clean_full_name(self) -> str:
        return full_name_clean(self.cleaned_data["full_name"])

    def clean_identification(self) -> str:
        return identification_clean(self.cleaned_data["identification"])

    def clean_detail(self) -> str:
        return detail_clean(self.cleaned_data["detail"])

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload:
            attachment_check(upload)
        return upload or None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        product = cleaned.get("product")
        key = cleaned.get("product_reference")
        if product and key:
            try:
                product_reference_resolve(member=self.member, product=product, key=key)
            except ValidationError as exc:
                self.add_error("product_reference", exc)
        return cleaned


class ComplaintStatusForm(forms.Form):
    """Back office: move a complaint to its next status, with a response for the member."""

    expected_status = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Nuevo estado")
    response = forms.CharField(
        label="Respuesta al socio",
        required=False,
        max_length=RESPONSE_MAX_LENGTH,
        help_text=(
            "Se envía por correo al socio y la ve en «Mis quejas y reclamos». "
            "Obligatoria para Resuelto y Rechazado."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, current_status: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expected_status": current_status})
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, ComplaintStatus(value).label) for value in next_statuses(current_status)
        ]
        self.fields["response"].error_messages["required"] = MSG_RESPONSE_REQUIRED
