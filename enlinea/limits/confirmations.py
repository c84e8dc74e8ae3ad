"""Personalización de cupos on the confirmation flow (enlinea/confirmation).

The page itself is the confirmation the manual draws ("Confirmar"), so the kind has no
"Confirmar" page of its own: the code is sent when the form is accepted, then
"proceso realizado exitosamente". The content is both scopes' new amounts in cents;
``limits_set`` checks them again against the maximums of the moment the code is right.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, Rows, register, url
from enlinea.limits.models import PERIOD_LABEL, PERIODS, Scope
from enlinea.limits.services import limits_set
from enlinea.money import format_cents

LIMITS_UPDATE = "limits_update"


def _update(operation: PendingOperation, request: HttpRequest | None) -> None:
    # INTERNAL before EXTERNAL: the order for code that takes both of a member's rows.
    for scope in (Scope.INTERNAL, Scope.EXTERNAL):
        limits_set(
            member=operation.member, scope=scope, request=request, **operation.content[scope]
        )


def _rows(operation: PendingOperation) -> Rows:
    return [
        (
            f"{Scope(scope).label}: monto máximo ({PERIOD_LABEL[period]})",
            format_cents(operation.content[scope][period]),
        )
        for scope in (Scope.INTERNAL, Scope.EXTERNAL)
        for period in PERIODS
    ]


def _result(operation: PendingOperation) -> dict[str, Any]:
    return {
        "title": "Personalización de cupos",
        "message": "El proceso se realizó exitosamente. Tus nuevos cupos ya rigen.",
        "details": _rows(operation),
        "back_url": reverse("web:section", kwargs={"slug": "servicios"}),
        "back_label": "Cerrar",
    }


register(
    OperationKind(
        name=LIMITS_UPDATE,
        title="Personalización de cupos",
        description="Personalización de cupos",
        start_url=url("limits:edit"),
        execute=_update,
        result=_result,
    )
)
