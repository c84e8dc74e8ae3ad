"""Transferencias (manual 3): the member's three transfer forms.

    /transferencias/propias/          between the member's own accounts
    /transferencias/cooprogreso/      TRANSFERENCIAS COOPROGRESO (?beneficiario=<id>, ?nuevo)
    /transferencias/interbancarias/   TRANSFERENCIAS INTERBANCARIAS (?beneficiario=<id>, ?nuevo)

Each form, once valid, starts an operation of the confirmation flow (kinds in
``confirmations.py``) and hands over to its "Confirmar transferencia", code and result
pages. Accounts come from ``accounts_for_member`` and beneficiaries from
``beneficiaries_for_member``; a preselected beneficiary (the list's "Transferir") is
found through ``beneficiary_for_member``: another member's id is a 404.

The Cooprogreso and interbank forms also take a destination typed on the spot (with no
saved beneficiary they open on it): the beneficiaries' own forms, checks and «Validar»
limit (``forms.New…DestinationForm``), with «Guardar beneficiario»; both forms of the
page show their errors in one summary (``forms.FormGroup``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.beneficiaries.selectors import beneficiaries_for_member, beneficiary_for_member
from enlinea.beneficiaries.services import MSG_NOT_FOUND
from enlinea.confirmation.shortcuts import operation_begin
from enlinea.members.selectors import member_for_request
from enlinea.products.selectors.account_stats import local_midnight
from enlinea.products.selectors.accounts import account_for_member, accounts_for_member
from enlinea.receipts.models import Receipt, ReceiptKind
from enlinea.receipts.selectors import mask_account

from . import confirmations
from .forms import (
    FormGroup,
    HistoryForm,
    InterbankTransferForm,
    InternalTransferForm,
    NewExternalDestinationForm,
    NewInternalDestinationForm,
    OwnTransferForm,
    TransferForm,
    account_label,
    beneficiary_label,
    destination_label,
)

BENEFICIARY_PARAM = "beneficiario"
NEW_PARAM = "nuevo"  # ?nuevo: the form opens with a new destination to type
MODE_FIELD = "destino"  # hidden: which destination the posted form has
SWITCH_FIELD = "cambiar_destino"  # the button that switches it, keeping what was typed
VALIDATE_FIELD = "validar"
SAVED, NEW = "registrado", "nuevo"
SOURCE_PARAM = "origen"
DESTINATION_PARAM = "destino"
FREQUENT_MAX = 10
FREQUENT_SCAN = 60
HISTORY_MAX = 200


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


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


def _page(request: HttpRequest, form: TransferForm, *, title: str, empty: str = "") -> HttpResponse:
    return render(
        request,
        "transfers/form.html",
        {
            "form": form,
            "title": title,
            "empty": empty,
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
        started = operation_begin(request, member, confirmations.OWN, content)
        if started is not None:
            return started
    empty = (
        "" if len(accounts) > 1 else "Necesitas dos cuentas propias para transferir entre ellas."
    )
    return _page(request, form, title="Transferencia entre cuentas propias", empty=empty)


def _mode(request: HttpRequest, beneficiaries: list[Any]) -> str:
    """Which destination the form shows: a saved beneficiary (SAVED) or one typed on
    the spot (NEW). A POST says it (the switch button, or the hidden field; an old form
    without it is SAVED); a GET opens NEW when asked or when there is nothing saved."""
    if request.method == "POST":
        wanted = request.POST.get(SWITCH_FIELD) or request.POST.get(MODE_FIELD)
        return NEW if wanted == NEW else SAVED
    if BENEFICIARY_PARAM in request.GET:
        return SAVED
    return NEW if NEW_PARAM in request.GET or not beneficiaries else SAVED


def _typed(request: HttpRequest) -> dict[str, Any]:
    """What the member typed, to show again in an unjudged form."""
    return {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}


def _new_destination_content(destination_form: Any) -> dict[str, Any]:
    new = destination_form.content()
    return {
        "beneficiary": None,
        "new": new,
        "destination": new["account_number"],
        "destination_label": destination_label(
            name=new["name"],
            account_type=new["account_type"],
            account_number=new["account_number"],
            institution=new.get("institution_name", ""),
        ),
        "institution": new.get("institution_name", ""),
    }


def _beneficiary_transfer(
    request: HttpRequest,
    *,
    kind: str,
    form_class: type[InternalTransferForm] | type[InterbankTransferForm],
    destination_form_class: type[NewInternalDestinationForm] | type[NewExternalDestinationForm],
    operation_kind: str,
    title: str,
) -> HttpResponse:
    """The form to a saved beneficiary or to a new destination typed on the spot.

    Without JavaScript it is one form with three buttons: the switch ("Agregar nuevo
    beneficiario" / "Elegir un beneficiario registrado") shows the other destination
    and keeps what was typed, judging nothing; «Validar» (Cooprogreso) looks up the
    typed account and shows its holder's masked name, judging nothing else; «Confirmar»
    checks everything (the account again) and starts the operation.
    """
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
    mode = _mode(request, beneficiaries)
    posted = _posted(request)
    switching = posted is not None and SWITCH_FIELD in posted
    validating = posted is not None and mode == NEW and VALIDATE_FIELD in posted
    if switching:
        initial, posted = _typed(request), None
    form = form_class(
        None if validating else posted,
        accounts=list(accounts_for_member(member=member)),
        beneficiaries=beneficiaries,
        new_destination=mode == NEW,
        initial=_typed(request) if validating else initial,
    )
    destination_form = None
    status = 200
    if mode == NEW:
        destination_form = destination_form_class(
            posted, member=member, beneficiaries=beneficiaries, initial=initial
        )
        if posted is not None and destination_form.is_valid():
            destination_form.destination_check(request)
        if destination_form.limited:
            status = 429
    if posted is not None and not validating and form.is_valid():
        if destination_form is None:
            beneficiary = form.beneficiary
            content = {
                **_common(form),
                "beneficiary": beneficiary.pk,
                "destination": beneficiary.account_number,
                "destination_label": beneficiary_label(beneficiary),
                "institution": beneficiary.institution.name if beneficiary.institution_id else "",
            }
        elif not destination_form.errors and destination_form.destination is not None:
            content = {**_common(form), **_new_destination_content(destination_form)}
        else:
            content = None
        if content is not None:
            started = operation_begin(request, member, operation_kind, content)
            if started is not None:
                return started
    group = FormGroup(form, destination_form)
    if group.errors and status == 200:
        status = 400
    empty = (
        ""
        if beneficiaries or mode == NEW
        else "Aún no tienes beneficiarios registrados de este tipo."
    )
    return render(
        request,
        "transfers/beneficiary_form.html",
        {
            "form": group,
            "transfer_form": form,
            "destination_form": destination_form,
            "kind": kind,
            "mode": mode,
            "modes": {"saved": SAVED, "new": NEW},
            "switch_field": SWITCH_FIELD,
            "mode_field": MODE_FIELD,
            "validate_field": VALIDATE_FIELD,
            "destination": destination_form.destination if destination_form else None,
            "saved": destination_form.saved() if destination_form else None,
            "internal": kind == BeneficiaryKind.INTERNAL,
            "title": title,
            "empty": empty,
            "back_url": reverse("web:section", kwargs={"slug": "transferencias"}),
        },
        status=status,
    )


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
    ReceiptKind.CARD_PAYMENT: "Pago de tarjeta",
}
# Historial also lists the card payments (Pago de tarjetas), each with "Pagar".
HISTORY_RECEIPTS = (*TRANSFER_RECEIPTS, ReceiptKind.CARD_PAYMENT)


def _transfer_receipts(member: Any, kinds: tuple[str, ...] = TRANSFER_RECEIPTS) -> Any:
    return (
        Receipt.objects.filter(member=member, kind__in=kinds)
        .select_related("account")
        .order_by("-created_at", "-id")
    )


class _Rows:
    """A transfer receipt as a row of Historial / Transacciones frecuentes, with the link
    that repeats it (own: the pair preselected; to a beneficiary: the saved one, "" if it
    was deleted since)."""

    def __init__(self, member: Any) -> None:
        self.member = member
        self.saved = {
            (b.kind, b.account_number, b.institution.name if b.institution_id else ""): b
            for b in beneficiaries_for_member(member=member)
        }
        self._cards: dict[tuple[str, str], str] | None = None

    def card_urls(self) -> dict[tuple[str, str], str]:
        """(last four digits, institution) → the card's payment form: the member's saved
        cards, then their own credit cards here (read once, on the first card payment)."""
        if self._cards is None:
            from enlinea.products.selectors.cards import (
                credit_card_reference,
                credit_cards_for_member,
            )

            urls = {
                (b.card_last4, b.institution.name if b.institution_id else ""): reverse(
                    "payments:card_pay", kwargs={"beneficiary_id": b.pk}
                )
                for b in self.saved.values()
                if b.kind == BeneficiaryKind.CARD
            }
            for card in credit_cards_for_member(member=self.member):
                urls.setdefault(
                    (card.last4, settings.INSTITUTION["name"]),
                    reverse(
                        "payments:own_card_pay", kwargs={"reference": credit_card_reference(card)}
                    ),
                )
            self._cards = urls
        return self._cards

    def again_url(self, receipt: Receipt) -> str:
        if receipt.kind == ReceiptKind.CARD_PAYMENT:
            return self.card_urls().get(
                (receipt.counterpart_account[-4:], receipt.counterpart_institution), ""
            )
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
            "action": "Pagar" if receipt.kind == ReceiptKind.CARD_PAYMENT else "Transferir",
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
    receipts = _transfer_receipts(member, HISTORY_RECEIPTS).filter(
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
    """TRANSFERENCIAS COOPROGRESO: to a saved beneficiary with an account here, or to an
    account typed on the spot (Validar shows its holder's masked name)."""
    return _beneficiary_transfer(
        request,
        kind=BeneficiaryKind.INTERNAL,
        form_class=InternalTransferForm,
        destination_form_class=NewInternalDestinationForm,
        operation_kind=confirmations.INTERNAL,
        title=f"Transferencias {settings.INSTITUTION['short_name']}",
    )


@login_required
def transfer_interbank(request: HttpRequest) -> HttpResponse:
    """TRANSFERENCIAS INTERBANCARIAS: to a saved beneficiary at another institution, or to
    an account there typed on the spot."""
    return _beneficiary_transfer(
        request,
        kind=BeneficiaryKind.EXTERNAL,
        form_class=InterbankTransferForm,
        destination_form_class=NewExternalDestinationForm,
        operation_kind=confirmations.INTERBANK,
        title="Transferencias interbancarias",
    )
