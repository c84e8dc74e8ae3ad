"""La Ventanilla: the teller's screens in the back office.

Find a socio (cédula, name or account number), see their products through the same
owner-scoped selectors the member's pages use (the teller passes the ``Member`` found
here, never their own user), register a «Nuevo socio» in one form
(``members.services.member_onboard``: the socio, the account and the opening deposit in
one transaction) and take or pay cash with a confirmation step
(``products.services.cash_operation_request``: approval threshold, daily limit and audit
live there) ending on a printable comprobante.

The views are the entry points: each write runs in the request's one durable
transaction (``_at_the_window``); the services inside it never open their own.

Every view is behind the admin login (password and second factor, CSRF) and checks its
own permission; an id or number that does not exist answers 404.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import and_
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from enlinea.ledger.errors import LedgerError
from enlinea.members.models import Member
from enlinea.members.services import member_onboard
from enlinea.money import format_cents
from enlinea.products.forms import refusal_message
from enlinea.products.models import AccountStatus, CashKind, CashOperation, CashStatus
from enlinea.products.models import DepositAccount as _DepositAccount
from enlinea.products.selectors.accounts import accounts_for_member
from enlinea.products.selectors.cards import credit_cards_for_member, debit_cards_for_member
from enlinea.products.selectors.investments import investments_for_member
from enlinea.products.selectors.loans import loans_for_member
from enlinea.products.services import ProductError, cash_operation_request
from enlinea.receipts.selectors import (
    mask_identification,
    receipt_for_cash_operation,
    receipt_view,
)
from enlinea.staff.forms_ventanilla import (
    CashAmountForm,
    CashConfirmForm,
    MemberSearchForm,
    OnboardForm,
)

# The teller's permissions (``products.roles``): the Ventanilla opens to whoever may
# take or pay cash and look up socios; «Nuevo socio» also needs to add members.
PERM_VIEW_MEMBER = "members.view_member"
PERM_DEPOSIT = "products.cash_deposit"
PERM_WITHDRAWAL = "products.cash_withdrawal"
PERM_ADD_MEMBER = "members.add_member"
PERM_VIEW_CASH = "products.view_cashoperation"
SEARCH_LIMIT = 50

MSG_MEMBER_NOT_FOUND = "No existe un socio con ese identificador."
MSG_ACCOUNT_NOT_FOUND = "No existe una cuenta con ese número."
MSG_OPERATION_NOT_FOUND = "No existe una operación en efectivo con ese número."
MSG_ONBOARD_NOT_DONE = (
    "No se registró al socio ni se abrió su cuenta: cambia el depósito inicial o déjalo "
    "en blanco para registrarlo sin depósito."
)

_KIND = {
    CashKind.DEPOSIT: {
        "segment": "deposito",
        "perm": PERM_DEPOSIT,
        "title": "Depósito en efectivo",
        "noun": "el depósito",
        "button": "Continuar",
    },
    CashKind.WITHDRAWAL: {
        "segment": "retiro",
        "perm": PERM_WITHDRAWAL,
        "title": "Retiro en efectivo",
        "noun": "el retiro",
        "button": "Continuar",
    },
}


def can_use_ventanilla(user: Any) -> bool:
    return user.has_perm(PERM_VIEW_MEMBER) and (
        user.has_perm(PERM_DEPOSIT) or user.has_perm(PERM_WITHDRAWAL)
    )


def _require(request: HttpRequest, *permissions: str) -> None:
    if not can_use_ventanilla(request.user):
        raise PermissionDenied
    if not all(request.user.has_perm(p) for p in permissions):
        raise PermissionDenied


def short_account(number: str) -> str:
    """``…7813``: how the teller reads an account aloud to the socio."""
    return f"…{number[-4:]}"


# ---------------------------------------------------------------- staff lookups
#
# Staff are not members: these find the socio or account the teller asked for by id or
# number (404 when there is none); what belongs to that socio is then read through the
# owner-scoped selectors with the Member found here.


# An id no database integer can hold is no one's (and must not reach the query).
_MAX_ID = 2**63 - 1


def _member_or_404(member_id: int) -> Member:
    member = Member.objects.filter(pk=member_id).first() if member_id <= _MAX_ID else None
    if member is None:
        raise Http404(MSG_MEMBER_NOT_FOUND)
    return member


def _account_or_404(number: str) -> _DepositAccount:
    account = (
        _DepositAccount.objects.select_related("member", "ledger_account")
        .filter(number=number)
        .first()
    )
    if account is None:
        raise Http404(MSG_ACCOUNT_NOT_FOUND)
    return account


def _operation_or_404(operation_id: int) -> CashOperation:
    operation = (
        CashOperation.objects.select_related("account__member", "teller", "approver")
        .filter(pk=operation_id)
        .first()
        if operation_id <= _MAX_ID
        else None
    )
    if operation is None:
        raise Http404(MSG_OPERATION_NOT_FOUND)
    return operation


def members_search(text: str, *, limit: int = SEARCH_LIMIT) -> list[Member]:
    """Socios whose cédula or account number is ``text`` exactly, or whose names hold
    every word of ``text``; at most ``limit``, by surname."""
    compact = text.replace("-", "").replace(" ", "")
    if compact.isdigit():
        condition = Q(identification=compact) | Q(deposit_accounts__number=compact)
    else:
        words = text.upper().split()
        condition = reduce(
            and_, (Q(first_names__contains=w) | Q(last_names__contains=w) for w in words)
        )
    return list(
        Member.objects.filter(condition).distinct().order_by(*Member._meta.ordering)[:limit]
    )


# ---------------------------------------------------------------- writes

_T = TypeVar("_T")
Refusal = ValidationError | LedgerError


def _at_the_window(service: Callable[[], _T]) -> tuple[_T | None, Refusal | None]:
    """Run ``service`` as the request's one transaction, durable: this view is the entry
    point. A refusal is returned, not raised, and the transaction commits: the refusing
    service already undid its own writes (``enlinea.products.locking``), and what it
    left is the refusal's audit row (cash over the teller's daily limit), which stays."""
    with transaction.atomic(durable=True):
        try:
            return service(), None
        except (ValidationError, LedgerError) as exc:
            return None, exc


# ---------------------------------------------------------------- pages


def _render(request: HttpRequest, site: Any, template: str, context: dict[str, Any]) -> Any:
    return TemplateResponse(
        request,
        f"staff/ventanilla/{template}",
        {**site.each_context(request), **context},
    )


def ventanilla_index(request: HttpRequest, site: Any) -> HttpResponse:
    _require(request)
    form = MemberSearchForm(request.GET if "q" in request.GET else None)
    results: list[Member] | None = None
    if form.is_bound and form.is_valid():
        results = members_search(form.cleaned_data["q"])
    return _render(
        request,
        site,
        "index.html",
        {
            "title": "Ventanilla",
            "form": form,
            "results": results,
            "limit": SEARCH_LIMIT,
            "can_onboard": request.user.has_perm(PERM_ADD_MEMBER),
        },
    )


def ventanilla_member(request: HttpRequest, site: Any, member_id: int) -> HttpResponse:
    _require(request)
    member = _member_or_404(member_id)
    accounts = list(accounts_for_member(member=member))
    return _render(
        request,
        site,
        "member.html",
        {
            "title": member.full_name,
            "member": member,
            "accounts": accounts,
            "loans": list(loans_for_member(member=member)),
            "investments": list(investments_for_member(member=member)),
            "debit_cards": list(debit_cards_for_member(member=member)),
            "credit_cards": list(credit_cards_for_member(member=member)),
            "can_deposit": request.user.has_perm(PERM_DEPOSIT),
            "can_withdraw": request.user.has_perm(PERM_WITHDRAWAL),
            "ACTIVE": AccountStatus.ACTIVE,
            "BLOCKED": AccountStatus.BLOCKED,
        },
    )


def ventanilla_onboard(request: HttpRequest, site: Any) -> HttpResponse:
    _require(request, PERM_ADD_MEMBER)
    form = OnboardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deposit = data["deposit"] or 0
        if deposit and not request.user.has_perm(PERM_DEPOSIT):
            raise PermissionDenied
        done, refusal = _at_the_window(
            lambda: member_onboard(
                identification=data["identification"],
                first_names=data["first_names"],
                last_names=data["last_names"],
                email=data["email"],
                mobile_phone=data["mobile_phone"],
                birth_date=data["birth_date"],
                address=data["address"],
                account_kind=data["account_kind"],
                deposit=deposit,
                teller=request.user if deposit else None,
                idempotency_key=f"ventanilla:{data['idempotency_key']}",
                request=request,
            )
        )
        if deposit and isinstance(refusal, ProductError | LedgerError):
            # One transaction: with the deposit refused, no socio and no account remain.
            form.add_error("deposit", f"{refusal_message(refusal)} {MSG_ONBOARD_NOT_DONE}")
        elif isinstance(refusal, LedgerError):
            form.add_error(None, refusal_message(refusal))
        elif refusal is not None:
            form.add_service_errors(refusal)
        else:
            if done.cash is not None:
                return HttpResponseRedirect(_receipt_url(done.cash.pk))
            messages.success(
                request,
                f"Se registró a {done.member.full_name} y se abrió su "
                f"{done.account.get_kind_display()} {done.account.number}.",
            )
            return HttpResponseRedirect(_member_url(done.member.pk))
    return _render(
        request,
        site,
        "onboard.html",
        {"title": "Nuevo socio", "form": form, "media": form.media},
    )


def _cash_view(request: HttpRequest, site: Any, number: str, kind: str) -> HttpResponse:
    spec = _KIND[kind]
    _require(request, spec["perm"])
    account = _account_or_404(number)
    member = account.member
    context: dict[str, Any] = {
        "title": spec["title"],
        "account": account,
        "member": member,
        "short": short_account(account.number),
        "kind": kind,
        "noun": spec["noun"],
        "member_url": _member_url(member.pk),
        "action_url": reverse(f"admin:ventanilla_{spec['segment']}", args=[account.number]),
    }
    amount_form = CashAmountForm(None)
    if request.method == "POST" and "confirmar" in request.POST:
        confirm = CashConfirmForm(request.POST)
        if confirm.is_valid():
            operation, refusal = _at_the_window(
                lambda: cash_operation_request(
                    account=account,
                    kind=kind,
                    amount=confirm.cleaned_data["amount"],
                    teller=request.user,
                    idempotency_key=confirm.operation_key(spec["segment"]),
                    request=request,
                )
            )
            if refusal is not None:
                # Nothing was posted: the amount again, with the refusal beside it.
                amount_form = CashAmountForm(
                    {"amount": _amount_text(confirm.cleaned_data["amount"])}
                )
                amount_form.is_valid()
                amount_form.add_error("amount", refusal_message(refusal))
                return _render(request, site, "cash_form.html", {**context, "form": amount_form})
            return HttpResponseRedirect(_receipt_url(operation.pk))
        return _render(
            request,
            site,
            "cash_form.html",
            {**context, "form": amount_form, "refusal": " ".join(_all_errors(confirm))},
        )
    if request.method == "POST":
        amount_form = CashAmountForm(request.POST)
        if amount_form.is_valid():
            amount = amount_form.cleaned_data["amount"]
            confirm = CashConfirmForm(initial={"amount": amount})
            return _render(
                request,
                site,
                "cash_confirm.html",
                {
                    **context,
                    "title": f"Confirmar {spec['title'].lower()}",
                    "form": confirm,
                    "amount": amount,
                    "pending": amount > settings.CASH_APPROVAL_THRESHOLD,
                    "threshold": settings.CASH_APPROVAL_THRESHOLD,
                },
            )
    return _render(request, site, "cash_form.html", {**context, "form": amount_form})


def _amount_text(cents: int) -> str:
    return format_cents(cents).removeprefix("$ ")


def _all_errors(form: CashConfirmForm) -> list[str]:
    return sorted({str(error) for errors in form.errors.values() for error in errors})


def ventanilla_deposit(request: HttpRequest, site: Any, number: str) -> HttpResponse:
    return _cash_view(request, site, number, CashKind.DEPOSIT)


def ventanilla_withdrawal(request: HttpRequest, site: Any, number: str) -> HttpResponse:
    return _cash_view(request, site, number, CashKind.WITHDRAWAL)


@dataclass(frozen=True)
class CashReceipt:
    """What the teller's comprobante shows, read from the cash operation (and its
    Comprobante N.º once posted)."""

    operation: CashOperation
    receipt_number: int | None
    title: str
    account_label: str
    member_name: str
    identification: str
    teller: str
    pending: bool
    rejected: bool


def cash_receipt(operation: CashOperation) -> CashReceipt:
    account = operation.account
    receipt = receipt_for_cash_operation(operation)
    teller = operation.teller
    return CashReceipt(
        operation=operation,
        receipt_number=receipt.number if receipt is not None else None,
        title=_KIND[operation.kind]["title"],
        account_label=f"{account.get_kind_display()} {short_account(account.number)}",
        member_name=account.member.full_name,
        identification=mask_identification(account.member.identification),
        teller=teller.get_full_name() or teller.get_username(),
        pending=operation.status == CashStatus.PENDING,
        rejected=operation.status == CashStatus.REJECTED,
    )


def pdf_available() -> bool:
    """The shared PDF writer (``enlinea.documents.pdf``) is there to use."""
    try:
        return importlib.util.find_spec("enlinea.documents.pdf") is not None
    except ModuleNotFoundError:
        return False


def ventanilla_receipt(request: HttpRequest, site: Any, operation_id: int) -> HttpResponse:
    _require(request, PERM_VIEW_CASH)
    operation = _operation_or_404(operation_id)
    data = cash_receipt(operation)
    return _render(
        request,
        site,
        "receipt.html",
        {
            "title": f"Comprobante de {data.title.lower()}",
            "receipt": data,
            "threshold": settings.CASH_APPROVAL_THRESHOLD,
            "member_url": _member_url(operation.account.member_id),
            "pdf_url": (
                reverse("admin:ventanilla_comprobante_pdf", args=[operation.pk])
                if data.receipt_number and pdf_available()
                else None
            ),
        },
    )


def ventanilla_receipt_pdf(request: HttpRequest, site: Any, operation_id: int) -> HttpResponse:
    """The posted operation's Comprobante as PDF, through the receipts' own document
    (``receipts.documents.receipt_pdf``, the shared PDF writer)."""
    _require(request, PERM_VIEW_CASH)
    operation = _operation_or_404(operation_id)
    receipt = receipt_for_cash_operation(operation)
    if receipt is None or not pdf_available():
        raise Http404("Esta operación todavía no tiene comprobante.")
    from enlinea.receipts.documents import receipt_pdf

    response = HttpResponse(receipt_pdf(receipt_view(receipt)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="comprobante-{receipt.number}.pdf"'
    return response


def _member_url(member_id: int) -> str:
    return reverse("admin:ventanilla_socio", args=[member_id])


def _receipt_url(operation_id: int) -> str:
    return reverse("admin:ventanilla_comprobante", args=[operation_id])


def ventanilla_urls(site: Any) -> list[URLPattern]:
    """The Ventanilla's URLs, behind ``site.admin_view`` (login, second factor, CSRF)."""

    def view(function: Any) -> Any:
        def bound(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return function(request, site, *args, **kwargs)

        return site.admin_view(bound)

    return [
        path("ventanilla/", view(ventanilla_index), name="ventanilla"),
        path("ventanilla/nuevo-socio/", view(ventanilla_onboard), name="ventanilla_nuevo_socio"),
        path("ventanilla/socio/<int:member_id>/", view(ventanilla_member), name="ventanilla_socio"),
        path(
            "ventanilla/cuenta/<str:number>/deposito/",
            view(ventanilla_deposit),
            name="ventanilla_deposito",
        ),
        path(
            "ventanilla/cuenta/<str:number>/retiro/",
            view(ventanilla_withdrawal),
            name="ventanilla_retiro",
        ),
        path(
            "ventanilla/operacion/<int:operation_id>/",
            view(ventanilla_receipt),
            name="ventanilla_comprobante",
        ),
        path(
            "ventanilla/operacion/<int:operation_id>/comprobante.pdf",
            view(ventanilla_receipt_pdf),
            name="ventanilla_comprobante_pdf",
        ),
    ]
