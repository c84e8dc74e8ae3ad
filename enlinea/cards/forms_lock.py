"""Aviso de viaje's form: Fecha de salida, Fecha de regreso and Países.

The rules are the service's (``lock.travel_notice_clean``), shown beside each field
here and judged again by ``lock.travel_notice_add`` when the code is right.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from . import lock
from .countries import COUNTRIES

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date(label: str, what: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"Ingresa la {what}.",
            "invalid": f"Ingresa la {what} como día/mes/año, por ejemplo 24/01/2027.",
        },
    )


class TravelNoticeForm(forms.Form):
    starts = _date("Fecha de salida", "fecha de salida")
    ends = _date("Fecha de regreso", "fecha de regreso")
    countries = forms.MultipleChoiceField(
        label="Países",
        choices=COUNTRIES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Marca todos los países donde usarás la tarjeta, también los de escala.",
        error_messages={
            "required": lock.MSG_NO_COUNTRY,
            "invalid_choice": lock.MSG_UNKNOWN_COUNTRY,
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            data["countries"] = lock.travel_notice_clean(
                starts=data.get("starts"),
                ends=data.get("ends"),
                countries=data.get("countries") or [],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                # A field its own parsing refused already says what to do.
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, errors)
        return data
