"""Transferencias (manual 3): the member's three transfer forms.

    /transferencias/propias/          between the member's own accounts
    /transferencias/cooprogreso/      TRANSFERENCIAS COOPROGRESO (?beneficiario=<id>)
    /transferencias/interbancarias/   TRANSFERENCIAS INTERBANCARIAS (?beneficiario=<id>)

Each form, once valid, starts an operation of the confirmation flow (kinds in
``confirmations.py``) and hands over to its "Confirmar transferencia", code and result
pages. Accounts come from ``accounts_for_member`` and beneficiaries from
``beneficiaries_for_member``; a preselected beneficiary (the list's "Transferir") is
found through ``beneficiary_for_member``: another member's id is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.beneficiaries.selectors import beneficiaries_for_member, beneficiary_for_member
from enlinea.beneficiaries.services import MSG_NOT_FOUND
from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused, operation_start
from enlinea.members.selectors import member_for_request
from enlinea.products.selectors.account_stats import local_midnight
from enlinea.products.selectors.accounts import account_for_member, accounts_for_member
from enlinea.receipts.models import Receipt, ReceiptKind
from enlinea.receipts.selectors import mask_account

from . import confirmations
from .forms import (
    HistoryForm,
    InterbankTransferForm,
    InternalTransferForm,
    OwnTransferForm,
    TransferForm,
    account_label,
    beneficiary_label,
)

BENEFICIARY_PARAM = "beneficiario"
SOURCE_PARAM = "origen"
DESTINATION_PARAM = "destino"
FREQUENT_MAX = 10
FREQUENT_SCAN = 60
HISTORY_MAX = 200


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _start(
    request: HttpRequest, member: Any, kind: str, content: dict[str, Any]
) -> HttpResponse | None:
    try:
        operation = operation_start(member=member, kind=kind, content=content, request=request)
    except OperationRefused as exc:
        messages.error(request, str(exc))
        return None
    return redirect(operation_next_url(operation))


def _common(form: TransferForm) -> dict[str, Any]:
    source = form.source
    data = form.cleaned_data
    return {
        "source": source.number,
        "source_label": account_label(source, balance=False),
        "amount": data["amount"],
        "motive": data["motive"],
        "commission": form.fees.commission,
        "iva": form.fees.iva,
    }


def _page(
    request: HttpRequest,
    form: TransferForm,
    *,
    title: str,
    empty: str = "",
    new_url: str = "",
) -> HttpResponse:
    return render(
        request,
        "transfers/form.html",
        {
            "form": form,
            "title": title,
            "empty": empty,
            "new_url": new_url,
            "back_url": reverse("web:section", kwargs={"slug": "transferencias"}),
        },
        status=400 if form.errors else 200,
    )


@login_required
def transfer_own(request: HttpRequest) -> HttpResponse:
    """Transferencias entre cuentas propias."""
    member = member_for_request(request)
    accounts = list(accounts_for_member(member=member))
    initial: dict[str, str] = {}
    if request.method == "GET":
        # "Transacciones frecuentes": the pair preselected; anyone else's number is a 404.
        for param, field in ((SOURCE_PARAM, "source"), (DESTINATION_PARAM, "destination")):
            if param in request.GET:
                initial[field] = account_for_member(member=member, number=request.GET[param]).number
    form = OwnTransferForm(_posted(request), accounts=accounts, initial=initial)
    if request.method == "POST" and form.is_valid():
        destination = form.destination
        content = {
            **_common(form),
            "destination": destination.number,
            "destination_label": account_label(destination, balance=False),
        }
        started = _start(request, member, confirmations.OWN, content)
        if started is not None:
            return started
    empty = (
        "" if len(accounts) > 1 else "Necesitas dos cuentas propias para transferir entre ellas."
    )
    return _page(request, form, title="Transferencia entre cuentas propias", empty=empty)


def _beneficiary_transfer(
    request: HttpRequest,
    *,
    kind: str,
    form_class: type[InternalTransferForm] | type[InterbankTransferForm],
    operation_kind: str,
    title: str,
    new_url: str,
) -> HttpResponse:
    member = member_for_request(request)
    initial: dict[str, Any] = {}
    if request.method == "GET" and BENEFICIARY_PARAM in request.GET:
        chosen = beneficiary_for_member(
            member=member, beneficiary_id=request.GET[BENEFICIARY_PARAM]
        )
        if chosen.kind != kind:
            raise Http404(MSG_NOT_FOUND)
        initial["beneficiary"] = str(chosen.pk)
    beneficiaries = list(beneficiaries_for_member(member=member, kind=kind))
    form = form_class(
        _posted(request),
        accounts=list(accounts_for_member(member=member)),
        beneficiaries=beneficiaries,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        beneficiary = form.beneficiary
        content = {
            **_common(form),
            "beneficiary": beneficiary.pk,
            "destination": beneficiary.account_number,
            "destination_label": beneficiary_label(beneficiary),
            "institution": beneficiary.institution.name if beneficiary.institution_id else "",
        }
        started = _start(request, member, operation_kind, content)
        if started is not None:
            return started
    empty = "" if beneficiaries else "Aún no tienes beneficiarios registrados de este tipo."
    return _page(request, form, title=title, empty=empty, new_url=new_url)


_KIND_FOR_RECEIPT = {
    ReceiptKind.TRANSFER_INTERNAL: BeneficiaryKind.INTERNAL,
    ReceiptKind.TRANSFER_INTERBANK: BeneficiaryKind.EXTERNAL,
}


TRANSFER_RECEIPTS = (
    ReceiptKind.TRANSFER_OWN,
    ReceiptKind.TRANSFER_INTERNAL,
    ReceiptKind.TRANSFER_INTERBANK,
)
_TYPE_LABEL = {
    ReceiptKind.TRANSFER_OWN: "Propia",
    ReceiptKind.TRANSFER_INTERNAL: "Interna",
    ReceiptKind.TRANSFER_INTERBANK: "Externa",
}


def _transfer_receipts(member: Any) -> Any:
    return (
        Receipt.objects.filter(member=member, kind__in=TRANSFER_RECEIPTS)
        .select_related("account")
        .order_by("-created_at", "-id")
    )


class _Rows:
    """A transfer receipt as a row of Historial / Transacciones frecuentes, with the link
    that repeats it (own: the pair preselected; to a beneficiary: the saved one, "" if it
    was deleted since)."""

    def __init__(self, member: Any) -> None:
        self.saved = {
            (b.kind, b.account_number, b.institution.name if b.institution_id else ""): b
            for b in beneficiaries_for_member(member=member)
        }

    def again_url(self, receipt: Receipt) -> str:
        if receipt.kind == ReceiptKind.TRANSFER_OWN:
            return (
                f"{reverse('transfers:own')}?{SOURCE_PARAM}={receipt.account.number}"
                f"&{DESTINATION_PARAM}={receipt.counterpart_account}"
            )
        beneficiary = self.saved.get(
            (
                _KIND_FOR_RECEIPT[receipt.kind],
                receipt.counterpart_account,
                receipt.counterpart_institution,
            )
        )
        return transfer_url_for(beneficiary) if beneficiary is not None else ""

    def row(self, receipt: Receipt) -> dict[str, Any]:
        return {
            "number": receipt.number,
            "kind": _TYPE_LABEL[receipt.kind],
            "when": receipt.created_at,
            "motive": receipt.motive,
            "name": receipt.counterpart_name,
            "account": mask_account(receipt.counterpart_account),
            "account_type": receipt.counterpart_account_type,
            "institution": receipt.counterpart_institution or settings.INSTITUTION["name"],
            "source": mask_account(receipt.account.number) if receipt.account else "",
            "amount": receipt.amount,
            "url": self.again_url(receipt) if receipt.account else "",
            "receipt_url": reverse("receipts:detail", kwargs={"number": receipt.number}),
        }


@login_required
def transfer_frequent(request: HttpRequest) -> HttpResponse:
    """Transacciones frecuentes: the member's recent destinations, newest first, each
    one tap from its form with the destination (and the source) preselected. A saved
    beneficiary deleted since is left out (its form could not preselect it)."""
    member = member_for_request(request)
    rows_of = _Rows(member)
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for receipt in _transfer_receipts(member)[:FREQUENT_SCAN]:
        key = (receipt.kind, receipt.counterpart_account, receipt.counterpart_institution)
        if key in seen or receipt.account is None:
            continue
        seen.add(key)
        row = rows_of.row(receipt)
        if not row["url"]:
            continue
        rows.append(row)
        if len(rows) == FREQUENT_MAX:
            break
    return render(
        request,
        "transfers/frequent.html",
        {"rows": rows, "back_url": reverse("web:section", kwargs={"slug": "transferencias"})},
    )


@login_required
def transfer_history(request: HttpRequest) -> HttpResponse:
    """Historial de transferencias: Mes anterior / Ayer / Hoy / Personalizado (30 days
    by default, at most 365 back), each row with its comprobante and "Transferir"."""
    member = member_for_request(request)
    form = HistoryForm(request.GET or None)
    status = 200
    if request.GET and not form.is_valid():
        status = 400
        since, until = HistoryForm.default_range()
    else:
        since, until = form.range() if request.GET else HistoryForm.default_range()
    receipts = _transfer_receipts(member).filter(
        created_at__gte=local_midnight(since),
        created_at__lt=local_midnight(until + dt.timedelta(days=1)),
    )[:HISTORY_MAX]
    rows_of = _Rows(member)
    return render(
        request,
        "transfers/history.html",
        {
            "form": form,
            "since": since,
            "until": until,
            "rows": [rows_of.row(r) for r in receipts],
            "back_url": reverse("web:section", kwargs={"slug": "transferencias"}),
        },
        status=status,
    )


START_FOR_KIND = {
    BeneficiaryKind.INTERNAL: "transfers:internal",
    BeneficiaryKind.EXTERNAL: "transfers:interbank",
}


def transfer_url_for(beneficiary: Any) -> str:
    """The form that transfers to ``beneficiary`` with it preselected ("" for a card)."""
    name = START_FOR_KIND.get(beneficiary.kind)
    return f"{reverse(name)}?{BENEFICIARY_PARAM}={beneficiary.pk}" if name else ""


@login_required
def transfer_internal(request: HttpRequest) -> HttpResponse:
    """TRANSFERENCIAS COOPROGRESO: to a saved beneficiary with an account here."""
    return _beneficiary_transfer(
        request,
        kind=BeneficiaryKind.INTERNAL,
        form_class=InternalTransferForm,
        operation_kind=confirmations.INTERNAL,
        title=f"Transferencias {settings.INSTITUTION['short_name']}",
        new_url=reverse("beneficiaries:new_internal"),
    )


@login_required
def transfer_interbank(request: HttpRequest) -> HttpResponse:
    """TRANSFERENCIAS INTERBANCARIAS: to a saved beneficiary at another institution."""
    return _beneficiary_transfer(
        request,
        kind=BeneficiaryKind.EXTERNAL,
        form_class=InterbankTransferForm,
        operation_kind=confirmations.INTERBANK,
        title="Transferencias interbancarias",
        new_url=reverse("beneficiaries:new_external"),
    )
