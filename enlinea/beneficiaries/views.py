"""Administración de beneficiarios (manual 7) and "Nuevo beneficiario" (manual 3).

    /transferencias/beneficiarios/                         the tabs, search, actions
    /transferencias/beneficiarios/nuevo/                   A mi institución / A otras
    /transferencias/beneficiarios/nuevo/mi-institucion/    Número de cuenta → Validar
    /transferencias/beneficiarios/nuevo/otras-instituciones/
    /transferencias/beneficiarios/<id>/editar/             → Confirmar actualización
    /transferencias/beneficiarios/<id>/eliminar/           "Sí, eliminar"

Each change is an operation of the confirmation flow (kinds in ``confirmations.py``):
the form validates, starts it and hands over to the flow's Confirmar, code and result
pages. A beneficiary is found only through ``beneficiary_for_member`` (404 for anyone
else's id, on GET and POST alike).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from enlinea.confirmation.shortcuts import operation_begin
from enlinea.members.selectors import member_for_request
from enlinea.transfers.views import START_FOR_KIND, transfer_url_for

from . import confirmations, selectors, services
from .forms import EditForm, ExternalForm, InternalForm
from .models import Beneficiary, BeneficiaryKind
from .validation import (
    MSG_VALIDATE_LIMITED,
    STATUS_LIMITED,
    internal_destination_validate,
    is_limited,
)

__all__ = ["MSG_VALIDATE_LIMITED"]

SEARCH_MAX_LENGTH = 60


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _status(form: Any) -> int:
    return 400 if form.errors else 200


# ------------------------------------------------------------------------ the list


def _row(beneficiary: Beneficiary) -> dict[str, Any]:
    card = beneficiary.kind == BeneficiaryKind.CARD
    return {
        "beneficiary": beneficiary,
        "number": f"**** {beneficiary.card_last4}" if card else beneficiary.account_number,
        "type": "Tarjeta" if card else beneficiary.get_account_type_display(),
        "institution": beneficiary.institution.name if beneficiary.institution_id else "",
        # "Transferir": the transfer form with this beneficiary preselected; "Pagar": the
        # card's payment form.
        "transfer_url": transfer_url_for(beneficiary),
        "pay_url": reverse("payments:card_pay", kwargs={"beneficiary_id": beneficiary.pk})
        if card
        else "",
    }


@login_required
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    """ "Cuentas registradas": one tab per kind, "Buscar", and each row's actions."""
    member = member_for_request(request)
    tabs = selectors.beneficiary_tabs()
    kind = request.GET.get("tipo", "")
    if kind not in {value for value, _ in tabs}:
        kind = BeneficiaryKind.INTERNAL
    search = " ".join(request.GET.get("buscar", "").split())[:SEARCH_MAX_LENGTH]
    rows = selectors.beneficiaries_for_member(member=member, kind=kind, search=search)
    base = reverse("beneficiaries:list")
    return render(
        request,
        "beneficiaries/list.html",
        {
            "tabs": [
                {"label": label, "url": f"{base}?tipo={value}", "current": value == kind}
                for value, label in tabs
            ],
            "kind": kind,
            "tab_label": dict(tabs)[kind],
            "card_tab": kind == BeneficiaryKind.CARD,
            "search": search,
            "rows": [_row(b) for b in rows],
            "transfer_url": reverse(START_FOR_KIND[kind]) if kind in START_FOR_KIND else "",
            "card_payment_url": reverse("payments:card_list"),
        },
    )


# ------------------------------------------------------------------------ adding


@login_required
def beneficiary_new(request: HttpRequest) -> HttpResponse:
    """ "Nuevo beneficiario": A mi institución, A otras instituciones."""
    member_for_request(request)
    return render(request, "beneficiaries/new.html")


@login_required
def beneficiary_new_internal(request: HttpRequest) -> HttpResponse:
    """ "A mi institución": Número de cuenta → Validar → the holder's masked name, Alias
    and Correo (Opcional) → "Guardar beneficiario" → Confirmar → code → result.

    Both buttons check the account again (an account can close between the two), and
    both count against the "Validar" limit (``validation.py``, shared with the
    Cooprogreso transfer form's new account): "Guardar" straight away must not be a way
    around it.
    """
    member = member_for_request(request)
    form = InternalForm(_posted(request))
    destination = None
    status = 200
    if request.method == "POST":
        form.is_valid()  # every field's check; the account is looked up if its number reads
    if request.method == "POST" and not form.has_error("account_number"):
        try:
            destination = internal_destination_validate(
                request, member=member, account_number=form.cleaned_data["account_number"]
            )
        except ValidationError as exc:
            form.service_errors(exc)
            if is_limited(exc):
                status = STATUS_LIMITED
        else:
            if (
                selectors.beneficiaries_for_member(member=member, kind=BeneficiaryKind.INTERNAL)
                .filter(internal_account=destination.account)
                .exists()
            ):
                form.add_error("account_number", services.MSG_DUPLICATE_ACCOUNT)
                destination = None
        if destination is not None and "guardar" in request.POST and not form.errors:
            started = operation_begin(
                request,
                member,
                confirmations.CREATE,
                {
                    "kind": BeneficiaryKind.INTERNAL,
                    "account_number": destination.account_number,
                    "account_type": destination.account_type,
                    "name": destination.holder_name,
                    "email": form.cleaned_data["email"],
                    "alias": form.cleaned_data["alias"],
                },
            )
            if started is not None:
                return started
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "beneficiaries/new_internal.html",
        {"form": form, "destination": destination},
        status=status,
    )


@login_required
def beneficiary_new_external(request: HttpRequest) -> HttpResponse:
    """ "A otras instituciones" ("Registrar cuenta interbancaria") → "Guardar
    beneficiario" → Confirmar → code → result."""
    member = member_for_request(request)
    form = ExternalForm(_posted(request), member=member)
    if request.method == "POST" and form.is_valid():
        destination = form.destination
        duplicate = (
            selectors.beneficiaries_for_member(member=member, kind=BeneficiaryKind.EXTERNAL)
            .filter(
                institution=destination.institution,
                account_number=destination.account_number,
            )
            .exists()
        )
        if duplicate:
            form.add_error("account_number", services.MSG_DUPLICATE_ACCOUNT)
        else:
            started = operation_begin(
                request,
                member,
                confirmations.CREATE,
                {
                    "kind": BeneficiaryKind.EXTERNAL,
                    "institution": destination.institution.pk,
                    "institution_name": destination.institution.name,
                    "account_type": destination.account_type,
                    "account_number": destination.account_number,
                    "name": destination.name,
                    "identification_type": destination.identification_type,
                    "identification": destination.identification,
                    "email": form.cleaned_data["email"],
                    "alias": form.cleaned_data["alias"],
                },
            )
            if started is not None:
                return started
    return render(request, "beneficiaries/new_external.html", {"form": form}, status=_status(form))


# ------------------------------------------------------------------------ editing


def _content(beneficiary: Beneficiary) -> dict[str, Any]:
    """What the Confirmar rows show of a beneficiary as it is now."""
    return {
        "beneficiary": beneficiary.pk,
        "kind": beneficiary.kind,
        "name": beneficiary.name,
        "institution_name": beneficiary.institution.name if beneficiary.institution_id else "",
        "identification_type": beneficiary.identification_type,
        "identification": beneficiary.identification,
        "account_number": beneficiary.account_number,
        "account_type": beneficiary.account_type,
        "card_last4": beneficiary.card_last4,
        "email": beneficiary.email,
        "alias": beneficiary.alias,
    }


@login_required
def beneficiary_edit(request: HttpRequest, beneficiary_id: int) -> HttpResponse:
    """ "Actualizar cuenta" → "Confirmar actualización" → code → "Datos guardados"."""
    member = member_for_request(request)
    beneficiary = selectors.beneficiary_for_member(member=member, beneficiary_id=beneficiary_id)
    external = beneficiary.kind == BeneficiaryKind.EXTERNAL
    initial = {field: getattr(beneficiary, field) for field in ("email", "alias")}
    if external:
        initial.update({field: getattr(beneficiary, field) for field in EditForm.EXTERNAL_FIELDS})
    form = EditForm(_posted(request), external=external, initial=initial)
    if request.method == "POST" and form.is_valid():
        editable = ["email", "alias", *(EditForm.EXTERNAL_FIELDS if external else ())]
        content = _content(beneficiary)
        content.update({field: form.cleaned_data[field] for field in editable})
        content["editable"] = editable
        started = operation_begin(request, member, confirmations.UPDATE, content)
        if started is not None:
            return started
    return render(
        request,
        "beneficiaries/edit.html",
        {
            "form": form,
            "beneficiary": beneficiary,
            "row": _row(beneficiary),
            "back_url": confirmations.list_url(beneficiary.kind),
        },
        status=_status(form),
    )


@login_required
def beneficiary_delete(request: HttpRequest, beneficiary_id: int) -> HttpResponse:
    """ "Eliminar": "Sí, eliminar" sends the code; the flow does the rest."""
    member = member_for_request(request)
    beneficiary = selectors.beneficiary_for_member(member=member, beneficiary_id=beneficiary_id)
    if request.method == "POST":
        started = operation_begin(request, member, confirmations.DELETE, _content(beneficiary))
        if started is not None:
            return started
    return render(
        request,
        "beneficiaries/delete.html",
        {
            "beneficiary": beneficiary,
            "row": _row(beneficiary),
            "back_url": confirmations.list_url(beneficiary.kind),
        },
    )
