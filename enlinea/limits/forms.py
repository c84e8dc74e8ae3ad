"""Personalización de cupos: six amounts, read as integer cents; the rules (positive,
daily ≤ weekly ≤ monthly, each at most the cooperative's maximum) are
``services.limits_validate``'s, shown beside each field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from enlinea.limits.models import PERIOD_LABEL, PERIODS, Scope
from enlinea.limits.selectors import MemberLimits
from enlinea.limits.services import limits_validate
from enlinea.money import AmountError, format_cents, parse_amount

_WHEN = {"daily": "hoy", "weekly": "esta semana", "monthly": "este mes"}


def field_name(scope: str, period: str) -> str:
    return f"{scope}_{period}"


class _CupoField(forms.CharField):
    """An amount typed as people type it ("1,255.02", "1.255,02"), to cents; empty is
    None (the service says which amount is missing)."""

    def to_python(self, value: Any) -> int | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_amount(text)
        except AmountError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


class LimitsForm(forms.Form):
    """Transferencias internas and externas: Monto máximo (DIARIO / SEMANAL / MENSUAL),
    each with the cooperative's maximum and what remains today beside it."""

    def __init__(self, *args: Any, limits: MemberLimits, **kwargs: Any) -> None:
        initial = {
            field_name(scope.scope, p.period): f"{p.cupo // 100}.{p.cupo % 100:02d}"
            for scope in limits.scopes
            for p in scope.periods
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.limits = limits
        for scope in limits.scopes:
            for p in scope.periods:
                self.fields[field_name(scope.scope, p.period)] = _CupoField(
                    label=f"Monto máximo ({PERIOD_LABEL[p.period]})",
                    required=False,
                    help_text=(
                        f"Máximo de la cooperativa: {format_cents(p.maximum)}. "
                        f"Disponible {_WHEN[p.period]}: {format_cents(p.remaining)}."
                    ),
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(Transferencias internas, its three fields), (Transferencias externas, …)."""
        return [
            (scope.label, [self[field_name(scope.scope, period)] for period in PERIODS])
            for scope in self.limits.scopes
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.amounts: dict[str, dict[str, int]] = {}
        for scope in Scope.values:
            names = {period: field_name(scope, period) for period in PERIODS}
            if any(self.has_error(name) for name in names.values()):
                continue  # an unreadable amount: said already, the rest waits for it
            try:
                amounts = limits_validate(
                    scope=scope, **{period: data.get(name) for period, name in names.items()}
                )
            except ValidationError as exc:
                for period, errors in exc.error_dict.items():
                    self.add_error(names[period], errors)
            else:
                self.amounts[scope] = amounts.as_dict()
        return data
