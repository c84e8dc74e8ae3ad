"""The shared field template gives every checkbox the one layout: box, then its label."""

from __future__ import annotations

import re

from django import forms


class _Form(forms.Form):
    avisos = forms.BooleanField(
        label="Quiero recibir avisos", required=True, help_text="Te escribiremos al correo."
    )
    alias = forms.CharField(label="Alias")


def test_a_checkbox_field_renders_box_first_then_its_label_in_one_row() -> None:
    html = str(_Form(data={"alias": "x"}))
    row = re.search(r'<div class="checkbox">(.*?)</div>', html, re.S)
    assert row is not None, html
    inner = row.group(1)
    assert inner.index('type="checkbox"') < inner.index('<label for="id_avisos">')
    assert "Quiero recibir avisos</label>" in inner
    # The error comes before the row, and the field still says it is in error.
    assert html.index("error-message") < html.index('<div class="checkbox">')
    assert 'class="field field-checkbox field-error"' in html
    assert 'aria-invalid="true"' in inner


def test_other_fields_keep_the_label_above_the_input() -> None:
    html = str(_Form(data={}))
    alias = html[html.index('for="id_alias"') :]
    assert alias.index("</label>") < alias.index('name="alias"')
