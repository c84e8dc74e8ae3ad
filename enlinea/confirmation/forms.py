from __future__ import annotations

from django import forms

from enlinea.security.codes import MSG_FORMAT


class CodeForm(forms.Form):
    """The "Factor de seguridad" dialog's one field; the code service judges the code
    (empty, letters, five digits: «Ingresa los 6 dígitos del código que te enviamos»)."""

    code = forms.CharField(
        label="Código de verificación",
        required=False,
        max_length=20,
        error_messages={"max_length": MSG_FORMAT},
    )
