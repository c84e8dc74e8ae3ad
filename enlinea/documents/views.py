"""Downloads: movements (PDF / Excel), amortization table, Estado de cuenta, Certificado
bancario. Each view finds its member with ``member_for_request`` and the product through
the owner-scoped selectors (404 for anyone else's), then has ``render`` write the file
into a spooled temporary file (memory up to 1 MB, disk beyond) streamed from there."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from typing import IO, Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from enlinea.members.selectors import member_for_request
from enlinea.money import format_cents
from enlinea.position.views.accounts import MovementFilterForm
from enlinea.products.models import DepositAccount
from enlinea.products.selectors import accounts as account_selectors
from enlinea.products.selectors.loans import loan_for_member

from . import render as documents

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 1024 * 1024


def _file(write: Callable[[IO[bytes]], Any], filename: str, content_type: str) -> FileResponse:
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - FileResponse closes it
    write(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)


# -- Descargar movimientos -------------------------------------------------------------
def _filtered(
    request: HttpRequest, number: str
) -> tuple[DepositAccount, dict[str, Any]] | HttpResponse:
    """The account and the movements page's own filter (same form, same parameters)."""
    account = account_selectors.account_for_member(
        member=member_for_request(request), number=number
    )
    form = MovementFilterForm(request.GET, today=timezone.localdate())
    if not form.is_valid():  # back to the page, which shows the errors at their fields
        url = reverse("position:account_movements", args=[account.number])
        return redirect(f"{url}?{request.GET.urlencode()}")
    return account, form.cleaned_data


def _movements_file(request: HttpRequest, number: str, *, excel: bool) -> HttpResponse:
    found = _filtered(request, number)
    if isinstance(found, HttpResponse):
        return found
    account, data = found
    write = documents.movements_xlsx if excel else documents.movements_pdf
    return _file(
        lambda out: write(account, data["desde"], data["hasta"], data["tipo"], out),
        f"movimientos-{account.number}.{'xlsx' if excel else 'pdf'}",
        XLSX if excel else PDF,
    )


@login_required
@require_GET
def movements_pdf(request: HttpRequest, number: str) -> HttpResponse:
    return _movements_file(request, number, excel=False)


@login_required
@require_GET
def movements_xlsx(request: HttpRequest, number: str) -> HttpResponse:
    return _movements_file(request, number, excel=True)


# -- Tabla de amortización --------------------------------------------------------------
@login_required
@require_GET
def loan_schedule_pdf(request: HttpRequest, number: str) -> HttpResponse:
    loan = loan_for_member(member=member_for_request(request), number=number)
    return _file(
        lambda out: documents.loan_schedule_pdf(loan, out), f"amortizacion-{loan.number}.pdf", PDF
    )


@login_required
@require_GET
def loan_schedule_xlsx(request: HttpRequest, number: str) -> HttpResponse:
    loan = loan_for_member(member=member_for_request(request), number=number)
    return _file(
        lambda out: documents.loan_schedule_xlsx(loan, out),
        f"amortizacion-{loan.number}.xlsx",
        XLSX,
    )


# -- Estado de cuenta ------------------------------------------------------------------
class StatementForm(forms.Form):
    cuenta = forms.ChoiceField(
        label="Cuenta",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Elige la cuenta.",
            "invalid_choice": "Elige una de tus cuentas.",
        },
    )
    mes = forms.CharField(
        label="Mes",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"required": "Elige el mes."},
    )

    def __init__(
        self, data: Any, *, accounts: list[DepositAccount], today: dt.date, initial: Any = None
    ) -> None:
        super().__init__(data, initial=initial)
        self.accounts = {a.number: a for a in accounts}
        self.today = today
        self.fields["cuenta"].choices = [
            (
                a.number,
                f"{a.get_kind_display()} · Nro. Cta. {a.number} · "
                f"Saldo: {format_cents(a.available_balance)}",
            )
            for a in accounts
        ]
        self.fields["mes"].widget.attrs["max"] = f"{today:%Y-%m}"
        if accounts:  # the browser's picker starts at the oldest account's first month
            oldest = min(timezone.localtime(a.opened_at).date() for a in accounts)
            self.fields["mes"].widget.attrs["min"] = f"{oldest:%Y-%m}"

    def clean_mes(self) -> tuple[int, int]:
        text = self.cleaned_data["mes"].strip()
        try:
            day = dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a month, no time
        except ValueError as exc:
            raise forms.ValidationError(
                "Elige el mes como mes y año, por ejemplo 2026-07."
            ) from exc
        if day > self.today.replace(day=1):
            raise forms.ValidationError("El mes no puede ser posterior al mes actual.")
        return day.year, day.month

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        account = self.accounts.get(data.get("cuenta", ""))
        month = data.get("mes")
        if account and month:
            opened = timezone.localtime(account.opened_at).date().replace(day=1)
            if dt.date(month[0], month[1], 1) < opened:
                self.add_error("mes", "Tu cuenta aún no estaba abierta en ese mes.")
        return data


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """Servicios > Estado de cuenta: pick an account and a month, "Descargar"."""
    member = member_for_request(request)
    accounts = list(account_selectors.accounts_for_member(member=member))
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    submitted = "mes" in request.GET or "cuenta" in request.GET
    initial = {"cuenta": accounts[0].number if accounts else "", "mes": f"{last_month:%Y-%m}"}
    form = StatementForm(
        request.GET if submitted else None, accounts=accounts, today=today, initial=initial
    )
    if submitted and form.is_valid():
        year, month = form.cleaned_data["mes"]
        return redirect(
            "documents:statement_pdf", number=form.cleaned_data["cuenta"], year=year, month=month
        )
    context = {
        "form": form,
        "accounts": accounts,
        "current_slug": "servicios",
    }
    return render(request, "documents/statement.html", context)


@login_required
@require_GET
def statement_pdf(request: HttpRequest, number: str, year: int, month: int) -> HttpResponse:
    """The Estado de cuenta file; a month the form would refuse goes back to the form,
    which shows why at the field."""
    member = member_for_request(request)
    account = account_selectors.account_for_member(member=member, number=number)
    mes = f"{year:04d}-{month:02d}"
    form = StatementForm(
        {"cuenta": account.number, "mes": mes}, accounts=[account], today=timezone.localdate()
    )
    if not form.is_valid():
        return redirect(f"{reverse('documents:statement')}?cuenta={account.number}&mes={mes}")
    return _file(
        lambda out: documents.statement_pdf(account, year, month, out),
        f"estado-de-cuenta-{account.number}-{mes}.pdf",
        PDF,
    )


# -- Certificado bancario --------------------------------------------------------------
@login_required
@require_GET
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    account = account_selectors.account_for_member(
        member=member_for_request(request), number=number
    )
    return _file(
        lambda out: documents.certificate_pdf(account, out),
        f"certificado-bancario-{account.number}.pdf",
        PDF,
    )
