"""Mis productos, Cuentas and Consulta de movimientos (manual 2, "Posición consolidada").

Every view finds the member with ``member_for_request`` and reads only through the
owner-scoped selectors of ``enlinea.products.selectors``: another member's account number
answers 404. Movements page with a signed keyset cursor ("Ver más"), never OFFSET.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from enlinea.members.selectors import member_for_request
from enlinea.position.charts import account_charts
from enlinea.products.models import DepositAccount
from enlinea.products.selectors import accounts as account_selectors
from enlinea.products.selectors.accounts import ALL, CREDITS, DEBITS, Cursor

PAGE_SIZE = 25
CURSOR_SALT = "enlinea.position.movements"

PREVIOUS_MONTH = "mes_anterior"
YESTERDAY = "ayer"
TODAY = "hoy"
CUSTOM = "personalizado"

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # that family's page is not built yet
        return None


@dataclass(frozen=True)
class Family:
    """One product family on Mis productos: its total at a glance and where to see it."""

    title: str
    total_label: str
    total: int | None
    count: int
    url: str | None


def _families(member: Any, accounts: list[DepositAccount]) -> list[Family]:
    from enlinea.products.selectors import cards, investments, loans

    loan_rows = list(loans.loans_for_member(member=member, next_installment=False))
    investment_rows = list(investments.investments_for_member(member=member))
    debit_rows = list(cards.debit_cards_for_member(member=member))
    credit_rows = list(cards.credit_cards_for_member(member=member))
    totals = account_selectors.accounts_totals(accounts)
    return [
        Family(
            "Cuentas", "Saldo disponible", totals.available, totals.count, _url("position:accounts")
        ),
        Family(
            "Créditos",
            "Saldo por pagar",
            sum(loan.balance for loan in loan_rows),
            len(loan_rows),
            _url("position:loans"),
        ),
        Family(
            "Inversiones",
            "Capital",
            sum(i.capital for i in investment_rows),
            len(investment_rows),
            _url("position:investments"),
        ),
        Family("Tarjeta de débito", "", None, len(debit_rows), _url("position:debit_cards")),
        Family(
            "Tarjeta de crédito",
            "Deuda total",
            sum(c.total_debt for c in credit_rows),
            len(credit_rows),
            _url("position:credit_cards"),
        ),
    ]


@login_required
@require_GET
def my_products(request: HttpRequest) -> HttpResponse:
    """Mis productos: the landing page after login (``web:home``)."""
    member = member_for_request(request)
    accounts = list(account_selectors.accounts_for_member(member=member))
    context = {
        "accounts": accounts,
        "families": _families(member, accounts),
        "current_slug": "posicion-consolidada",
    }
    return render(request, "position/my_products.html", context)


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    """Cuentas: number, type, available and ledger balances, status, Ver movimientos."""
    member = member_for_request(request)
    accounts = list(account_selectors.accounts_for_member(member=member))
    context = {
        "accounts": accounts,
        "totals": account_selectors.accounts_totals(accounts),
        "current_slug": "posicion-consolidada",
    }
    return render(request, "position/account_list.html", context)


class MovementFilterForm(forms.Form):
    """The "Filtrar" dialog: a period and the kind of movement."""

    periodo = forms.ChoiceField(
        label="Período",
        choices=[
            (PREVIOUS_MONTH, "Mes anterior"),
            (YESTERDAY, "Ayer"),
            (TODAY, "Hoy"),
            (CUSTOM, "Personalizado"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Elige un período.",
            "invalid_choice": "Elige un período de la lista.",
        },
    )
    desde = forms.DateField(
        label="Fecha desde",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Ingresa la fecha desde como día/mes/año, por ejemplo 24/01/2026."
        },
    )
    hasta = forms.DateField(
        label="Fecha hasta",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Ingresa la fecha hasta como día/mes/año, por ejemplo 24/01/2026."
        },
    )
    tipo = forms.ChoiceField(
        label="Tipo movimiento",
        choices=[(ALL, "Todos"), (DEBITS, "Débitos"), (CREDITS, "Créditos")],
        error_messages={
            "required": "Elige el tipo de movimiento.",
            "invalid_choice": "Elige Todos, Débitos o Créditos.",
        },
    )

    def __init__(self, data: QueryDict | dict | None, *, today: dt.date) -> None:
        super().__init__(data)
        self.today = today
        max_days = settings.POSITION_MOVEMENTS_MAX_DAYS
        self.earliest = today - dt.timedelta(days=max_days)
        self.fields["desde"].help_text = (
            f"Fecha mínimo de consulta {settings.POSITION_MOVEMENTS_MIN_DAYS} día(s). "
            f"Fecha máximo de consulta {max_days} día(s)."
        )
        for name in ("desde", "hasta"):
            self.fields[name].widget.attrs.update(
                {"min": self.earliest.isoformat(), "max": today.isoformat()}
            )

    @classmethod
    def initial_data(cls, today: dt.date) -> dict[str, str]:
        """What the page shows before the member filters: the last MIN_DAYS days, all."""
        since = today - dt.timedelta(days=settings.POSITION_MOVEMENTS_MIN_DAYS)
        return {
            "periodo": CUSTOM,
            "desde": since.isoformat(),
            "hasta": today.isoformat(),
            "tipo": ALL,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        period = data.get("periodo")
        today = self.today
        if period != CUSTOM:  # the dates are the period's: what was typed there does not count
            for name in ("desde", "hasta"):
                self._errors.pop(name, None)
        if period == PREVIOUS_MONTH:
            last_month = today.replace(day=1) - dt.timedelta(days=1)
            data["desde"] = last_month.replace(day=1)
            data["hasta"] = last_month.replace(
                day=calendar.monthrange(last_month.year, last_month.month)[1]
            )
        elif period == YESTERDAY:
            data["desde"] = data["hasta"] = today - dt.timedelta(days=1)
        elif period == TODAY:
            data["desde"] = data["hasta"] = today
        elif period == CUSTOM:
            self._clean_custom(data)
        return data

    def _clean_custom(self, data: dict[str, Any]) -> None:
        since, until = data.get("desde"), data.get("hasta")
        if since is None and "desde" not in self.errors:
            self.add_error("desde", "Ingresa la fecha desde.")
        if until is None and "hasta" not in self.errors:
            self.add_error("hasta", "Ingresa la fecha hasta.")
        if until is not None and until > self.today:
            self.add_error("hasta", "La fecha hasta no puede ser posterior a hoy.")
        if since is not None and since < self.earliest:
            self.add_error(
                "desde",
                "Solo puedes consultar los movimientos de los últimos "
                f"{settings.POSITION_MOVEMENTS_MAX_DAYS} días.",
            )
        if since is not None and until is not None and since > until and "desde" not in self.errors:
            self.add_error("desde", "La fecha desde debe ser anterior o igual a la fecha hasta.")


def cursor_dumps(cursor: Cursor, *, account: DepositAccount) -> str:
    """An opaque, signed "Ver más" cursor, valid only for this account."""
    return signing.dumps(
        [cursor.created_at.isoformat(), cursor.posting_id],
        salt=f"{CURSOR_SALT}:{account.number}",
        compress=True,
    )


def cursor_loads(text: str, *, account: DepositAccount) -> Cursor:
    """The cursor back; Http404 for a forged, altered or another account's cursor."""
    try:
        created_at, posting_id = signing.loads(text, salt=f"{CURSOR_SALT}:{account.number}")
        return Cursor(created_at=dt.datetime.fromisoformat(created_at), posting_id=int(posting_id))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise Http404("Ese enlace de movimientos no es válido.") from exc


def _without_cursor(data: QueryDict | dict) -> str:
    """The filter as a query string, for the downloads of the same list."""
    query = QueryDict(mutable=True)
    query.update({k: v for k, v in data.items() if k != "cursor"})
    return query.urlencode()


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
@require_GET
def account_movements(request: HttpRequest, number: str) -> HttpResponse:
    """Consulta de movimientos of one of the member's accounts."""
    member = member_for_request(request)
    account = account_selectors.account_for_member(member=member, number=number)
    today = timezone.localdate()
    filtered = "periodo" in request.GET
    data = request.GET if filtered else MovementFilterForm.initial_data(today)
    form = MovementFilterForm(data, today=today)
    movements: list = []
    more_url = None
    since = until = None
    if form.is_valid():
        since, until = form.cleaned_data["desde"], form.cleaned_data["hasta"]
        raw_cursor = request.GET.get("cursor")
        after = cursor_loads(raw_cursor, account=account) if raw_cursor else None
        movements, following = account_selectors.account_movements(
            account=account,
            since=_local_start(since),
            until=_local_start(until + dt.timedelta(days=1)),
            direction=form.cleaned_data["tipo"],
            after=after,
            limit=PAGE_SIZE,
        )
        if following is not None:
            query = QueryDict(mutable=True)
            query.update({k: v for k, v in data.items() if k != "cursor"})
            query["cursor"] = cursor_dumps(following, account=account)
            more_url = f"{request.path}?{query.urlencode()}"
    context = {
        "account": account,
        "form": form,
        "movements": movements,
        "more_url": more_url,
        "since": since,
        "until": until,
        "paged": bool(request.GET.get("cursor")),
        "download_query": _without_cursor(data),
        "direction_label": dict(form.fields["tipo"].choices).get(form.data.get("tipo"), "Todos"),
        "current_slug": "posicion-consolidada",
        "charts": account_charts(account=account, today=today),
    }
    return render(request, "position/account_movements.html", context)
