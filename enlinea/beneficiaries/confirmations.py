"""Beneficiaries' operations on the confirmation flow (enlinea/confirmation).

* ``beneficiary_create`` — "Guardar beneficiario" (A mi institución / A otras
  instituciones): a "Confirmar" page with every detail, the code, the result. The
  manual draws no code for it; a real bank asks for one (a new beneficiary is where
  a stolen session sends money), so it has one.
* ``beneficiary_update`` — Editar → "Confirmar actualización" (its rows are the
  manual's) → the code → "datos guardados".
* ``beneficiary_delete`` — "Sí, eliminar" is the confirmation itself (no page of its
  own, as the manual draws it): the code is sent at once.

The operation's content is what the service will be asked to do, as the member typed
it once normalized; the service validates it all again when the code is right (the
account may have closed meanwhile), and a refusal is the operation's FAILED message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, Rows, register
from enlinea.members.models import IdentificationType

from . import services
from .models import AccountType, BeneficiaryKind

CREATE = "beneficiary_create"
UPDATE = "beneficiary_update"
DELETE = "beneficiary_delete"

_SAVED = "Los datos del beneficiario se guardaron correctamente."


def list_url(kind: str = BeneficiaryKind.INTERNAL) -> str:
    return f"{reverse('beneficiaries:list')}?tipo={kind}"


def _label(choices: Any, value: str) -> str:
    return dict(choices).get(value, value) if value else ""


def _or_dash(value: str) -> str:
    return value or "—"


def _rows(content: dict[str, Any]) -> Rows:
    """The beneficiary's details in the manual's words ("Confirmar actualización")."""
    rows: Rows = [("Beneficiario", content["name"])]
    if content.get("institution_name"):
        rows.append(("Entidad financiera", content["institution_name"]))
    if content.get("identification"):
        ident_type = _label(IdentificationType.choices, content.get("identification_type", ""))
        rows.append(("Identificación", f"{ident_type} {content['identification']}".strip()))
    if content.get("account_number"):
        rows.append(("N.º Cta.", content["account_number"]))
    if content.get("account_type"):
        rows.append(("Tipo de cuenta", _label(AccountType.choices, content["account_type"])))
    if content.get("card_last4"):
        rows.append(("Tarjeta", f"terminada en {content['card_last4']}"))
    rows.append(("Correo electrónico", _or_dash(content.get("email", ""))))
    rows.append(("Alias", _or_dash(content.get("alias", ""))))
    return rows


# ------------------------------------------------------------------------ create


def _create(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    content = operation.content
    fields: dict[str, Any] = {"email": content["email"], "alias": content["alias"]}
    if content["kind"] == BeneficiaryKind.EXTERNAL:
        fields.update(
            institution_id=content["institution"],
            account_type=content["account_type"],
            name=content["name"],
            identification_type=content["identification_type"],
            identification=content["identification"],
        )
    if content["kind"] == BeneficiaryKind.CARD:
        # "Agregar nueva tarjeta": the number was checked at Validar; only its digest
        # and last four digits were kept for the code (never the number).
        fields.update(
            institution_id=content["institution"],
            card_last4=content["card_last4"],
            card_digest=content["card_digest"],
            name=content["name"],
            identification_type=content["identification_type"],
            identification=content["identification"],
        )
    beneficiary = services.beneficiary_create(
        member=operation.member,
        kind=content["kind"],
        account_number=content["account_number"],
        request=request,
        **fields,
    )
    return {"beneficiary": beneficiary.pk, "name": beneficiary.name}


_CREATE_DEFAULT = "beneficiaries:new_internal"
_CREATE_START = {
    BeneficiaryKind.EXTERNAL: "beneficiaries:new_external",
    BeneficiaryKind.CARD: "payments:card_new",  # Pago de tarjetas: Agregar nueva tarjeta
}


def _create_result(operation: PendingOperation) -> dict[str, Any]:
    content = operation.content
    if content["kind"] == BeneficiaryKind.CARD:
        return {
            "title": "Tarjeta registrada",
            "message": f"La tarjeta de {operation.result['name']} ya está entre tus tarjetas.",
            "details": _rows(content),
            "again_url": reverse(
                "payments:card_pay", kwargs={"beneficiary_id": operation.result["beneficiary"]}
            ),
            "again_label": "Pagar esta tarjeta",
            "back_url": reverse("payments:card_list"),
            "back_label": "Ir a Pago de tarjetas",
        }
    return {
        "title": "Beneficiario registrado",
        "message": f"{operation.result['name']} ya está entre tus beneficiarios.",
        "details": _rows(content),
        "again_url": reverse("beneficiaries:new"),
        "again_label": "Agregar otro beneficiario",
        "back_url": list_url(content["kind"]),
        "back_label": "Cerrar",
    }


register(
    OperationKind(
        name=CREATE,
        title="Registrar beneficiario",
        description="Registrar beneficiario",
        start_url=lambda op: reverse(_CREATE_START.get(op.content.get("kind"), _CREATE_DEFAULT)),
        details=lambda op: _rows(op.content),
        confirm_title="Confirmar beneficiario",
        execute=_create,
        result=lambda op: _create_result(op),
    )
)


# ------------------------------------------------------------------------ update


def _gone(exc: Http404) -> ValidationError:
    # Deleted meanwhile (another tab): a refusal, not a page that vanished.
    return ValidationError("Ese beneficiario ya no está registrado.")


def _update(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    content = operation.content
    changes = {field: content[field] for field in content.get("editable", [])}
    try:
        services.beneficiary_update(
            member=operation.member,
            beneficiary_id=content["beneficiary"],
            request=request,
            **changes,
        )
    except Http404 as exc:
        raise _gone(exc) from exc
    return {"beneficiary": content["beneficiary"]}


register(
    OperationKind(
        name=UPDATE,
        title="Confirmar actualización",
        description="Actualizar beneficiario",
        start_url=lambda op: reverse(
            "beneficiaries:edit", kwargs={"beneficiary_id": op.content["beneficiary"]}
        ),
        details=lambda op: _rows(op.content),
        confirm_title="Confirmar actualización",
        execute=_update,
        result=lambda op: {
            "title": "Datos guardados",
            "message": _SAVED,
            "details": _rows(op.content),
            "back_url": list_url(op.content["kind"]),
            "back_label": "Cerrar",
        },
    )
)


# ------------------------------------------------------------------------ delete


def _delete(operation: PendingOperation, request: HttpRequest | None) -> None:
    try:
        services.beneficiary_delete(
            member=operation.member,
            beneficiary_id=operation.content["beneficiary"],
            request=request,
        )
    except Http404 as exc:
        raise _gone(exc) from exc


register(
    OperationKind(
        name=DELETE,
        title="Eliminar beneficiario",
        description="Eliminar beneficiario",
        start_url=lambda op: list_url(op.content["kind"]),
        execute=_delete,
        result=lambda op: {
            "title": "Beneficiario eliminado",
            "message": f"{op.content['name']} ya no está entre tus beneficiarios.",
            "back_url": list_url(op.content["kind"]),
            "back_label": "Cerrar",
        },
    )
)
