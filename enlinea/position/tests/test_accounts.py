"""Mis productos, Cuentas and Consulta de movimientos: selectors and pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import Posting
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.products.models import AccountKind, AccountStatus
from enlinea.products.selectors.accounts import (
    CREDITS,
    DEBITS,
    account_for_member,
    account_movements,
    accounts_for_member,
)
from enlinea.products.services import (
    account_open,
    account_set_status,
    cash_deposit,
    cash_withdrawal,
)
from enlinea.web.templatetags.formato import dinero

from .products_support import (
    funded_account,
    give_credit_card,
    give_investment,
    give_loan,
    page_queries,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def socio(member):
    return member.member


@pytest.fixture
def account(socio):
    return funded_account(socio, amount=1_000_000)


@pytest.fixture
def logged(client, member):
    client.force_login(member)
    return client


def _deposits(account, n: int, *, when: dt.datetime | None = None, prefix: str = "dep") -> None:
    for i in range(n):
        cash_deposit(
            account=account,
            amount=100 + i,
            idempotency_key=f"{prefix}-{account.pk}-{i}",
            description=f"Depósito {i}",
            occurred_at=when,
        )


def _movements_url(account, **params: str) -> str:
    url = reverse("position:account_movements", args=[account.number])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _today(**filters: str) -> dict[str, str]:
    return {"periodo": "hoy", "tipo": "todos", **filters}


# ---------------------------------------------------------------- selectors


def test_accounts_for_member_lists_only_the_members_own(socio, other_member, account) -> None:
    theirs = funded_account(other_member.member)
    assert list(accounts_for_member(member=socio)) == [account]
    assert list(accounts_for_member(member=other_member.member)) == [theirs]


def test_account_for_member_is_404_for_anyone_elses_number(socio, other_member, account) -> None:
    assert account_for_member(member=socio, number=account.number) == account
    with pytest.raises(Http404):
        account_for_member(member=other_member.member, number=account.number)
    with pytest.raises(Http404):
        account_for_member(member=socio, number="999999999999")


def test_movements_kind_sign_concept_and_running_balance(account) -> None:
    cash_withdrawal(account=account, amount=2_500, idempotency_key="ret-1")
    entry_record(
        idempotency_key="nd-1",
        kind="transfer_internal",
        lines=[Line(account.ledger_account_id, -600), Line(coop_account(LedgerKind.CASH).pk, 600)],
        description="Transferencia a cuenta terceros",
    )
    entry_record(
        idempotency_key="nc-1",
        kind="interbank_in",
        lines=[Line(coop_account(LedgerKind.CASH).pk, -900), Line(account.ledger_account_id, 900)],
        description="Transferencia recibida",
    )
    now = timezone.now()
    rows, following = account_movements(
        account=account, since=now - dt.timedelta(days=1), until=now + dt.timedelta(days=1)
    )
    assert following is None
    assert [(m.kind_label, m.concept, m.amount, m.is_debit) for m in rows] == [
        ("NOTA DE CREDITO", "TRANSFERENCIA RECIBIDA", 900, False),
        ("NOTA DE DEBITO", "TRANSFERENCIA A CUENTA TERCEROS", -600, True),
        ("RETIRO", "RETIRO EN EFECTIVO", -2_500, True),
        ("DEPOSITO", "DEPÓSITO EN EFECTIVO", 1_000_000, False),
    ]
    postings = {p.pk: p for p in Posting.objects.filter(account=account.ledger_account)}
    assert [m.balance for m in rows] == [postings[m.posting_id].balance_after for m in rows]
    assert rows[0].balance == 1_000_000 - 2_500 - 600 + 900
    assert rows[0].reference == str(postings[rows[0].posting_id].entry_id)


def test_movements_direction_filter(account) -> None:
    cash_withdrawal(account=account, amount=2_500, idempotency_key="ret-1")
    now = timezone.now()
    window = {"since": now - dt.timedelta(days=1), "until": now + dt.timedelta(days=1)}
    debits, _ = account_movements(account=account, direction=DEBITS, **window)
    credits, _ = account_movements(account=account, direction=CREDITS, **window)
    assert [m.amount for m in debits] == [-2_500]
    assert [m.amount for m in credits] == [1_000_000]


def test_keyset_pages_neither_repeat_nor_skip_rows_even_with_equal_times(account) -> None:
    same_moment = timezone.now() - dt.timedelta(hours=2)
    _deposits(account, 7, when=same_moment, prefix="tie")  # 7 rows sharing created_at
    _deposits(account, 6)
    now = timezone.now()
    window = {"since": now - dt.timedelta(days=1), "until": now + dt.timedelta(days=1)}
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        rows, after = account_movements(account=account, after=after, limit=4, **window)
        seen.extend(m.posting_id for m in rows)
        pages += 1
        if after is None:
            break
    expected = list(
        Posting.objects.filter(account=account.ledger_account)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    assert len(expected) == 14
    assert seen == expected
    assert pages == 4


# ---------------------------------------------------------------- Mis productos and Cuentas


def test_home_is_mis_productos_with_each_familys_total(logged, socio, account) -> None:
    second = account_open(member=socio, idempotency_key="prog", kind=AccountKind.PROGRESAR)
    account_set_status(account=second, status=AccountStatus.INACTIVE)
    loan = give_loan(socio, account)
    investment = give_investment(socio, account)
    card = give_credit_card(socio)
    for ledger in (account.ledger_account, loan.ledger_account, card.ledger_account):
        ledger.refresh_from_db()
    assert loan.balance > 0
    body = logged.get(reverse("web:home")).content.decode()
    assert '<h1 tabindex="-1">Mis productos</h1>' in body
    assert f'href="{reverse("position:accounts")}">Cuentas</a>' in body
    assert f"Saldo disponible: <strong>{dinero(account.available_balance)}</strong>" in body
    assert f"Saldo por pagar: <strong>{dinero(loan.balance)}</strong>" in body
    assert f"Capital: <strong>{dinero(investment.capital)}</strong>" in body
    assert f"Deuda total: <strong>{dinero(card.total_debt)}</strong>" in body
    for column in ("N.º Cta.", "Tipo de cuenta", "Saldo disponible", "Saldo contable", "Estado"):
        assert f">{column}</th>" in body
    row = body.split(f'data-account="{second.number}"')[1].split("</tr>")[0]
    assert "CUENTA PROGRESAR CLIENTES" in row
    assert "INACTIVA" in row
    assert ">Ver movimientos</a>" in row


def test_cuentas_shows_balances_equal_to_the_ledgers(logged, socio, account) -> None:
    from enlinea.ledger.services import hold_place

    hold_place(
        account_id=account.ledger_account_id, amount=4_000, reason="prueba", idempotency_key="h1"
    )
    account.ledger_account.refresh_from_db()
    body = logged.get(reverse("position:accounts")).content.decode()
    row = body.split(f'data-account="{account.number}"')[1].split("</tr>")[0]
    assert (
        f'data-label="Saldo disponible" class="num">{dinero(account.ledger_account.available)}'
        in row
    )
    assert (
        f'data-label="Saldo contable" class="num">{dinero(account.ledger_account.balance)}' in row
    )
    assert account.ledger_account.available == account.ledger_account.balance - 4_000
    assert "ACTIVA" in row
    assert f'href="{_movements_url(account)}"' in row


def test_cuentas_query_count_does_not_grow_with_accounts(logged, socio, account) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert logged.get(reverse("position:accounts")).status_code == 200
        return len(page_queries(ctx))

    count()  # the first request also writes the session: not what is measured
    one = count()
    for i in range(4):
        account_open(member=socio, idempotency_key=f"more-{i}")
    assert count() == one


def test_home_query_count_does_not_grow_with_products(logged, socio, account) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert logged.get(reverse("web:home")).status_code == 200
        return len(page_queries(ctx))

    count()  # the first request also writes the session: not what is measured
    one = count()
    for i in range(3):
        account_open(member=socio, idempotency_key=f"more-{i}")
    give_loan(socio, account, n=1)
    give_loan(socio, account, n=2)
    assert count() == one


def test_staff_without_member_gets_404_not_a_500(client, django_user_model) -> None:
    user = django_user_model.objects.create_user(username="cajero", password="x" * 12)
    client.force_login(user)
    assert client.get(reverse("position:accounts")).status_code == 404


# ---------------------------------------------------------------- Consulta de movimientos


def test_movements_page_columns_and_arrows(logged, account) -> None:
    cash_withdrawal(account=account, amount=2_500, idempotency_key="ret-1")
    response = logged.get(_movements_url(account, **_today()))
    body = response.content.decode()
    assert response.status_code == 200
    for column in ("Referencia", "Fecha", "Tipo", "Concepto", "Monto", "Saldo"):
        assert f'<th scope="col">{column}</th>' in body or f">{column}</th>" in body
    assert re.search(r"↓</span> Débito -\$ 25\.00", body)
    assert re.search(r"↑</span> Crédito \$ 10,000\.00", body)
    assert "RETIRO EN EFECTIVO" in body
    assert ">DEPOSITO</td>" in body
    assert dinero(1_000_000 - 2_500) in body


def test_movements_default_is_the_last_min_days_and_shows_the_limits(logged, account) -> None:
    response = logged.get(_movements_url(account))
    form = response.context["form"]
    today = timezone.localdate()
    assert form.cleaned_data["desde"] == today - dt.timedelta(days=30)
    assert form.cleaned_data["hasta"] == today
    body = response.content.decode()
    assert "Fecha mínimo de consulta 30 día(s)" in body
    assert "Fecha máximo de consulta 365 día(s)" in body
    assert len(response.context["movements"]) == 1


def test_movements_empty_message(logged, account) -> None:
    body = logged.get(_movements_url(account, periodo="ayer", tipo="todos")).content.decode()
    assert "SU CUENTA NO TIENE MOVIMIENTOS." in body


@pytest.mark.parametrize(
    ("periodo", "days_back", "expected"),
    [("hoy", 0, 1), ("ayer", 1, 1), ("mes_anterior", 40, 0)],
)
def test_movements_periods(logged, account, periodo, days_back, expected) -> None:
    when = timezone.now() - dt.timedelta(days=days_back)
    _deposits(account, 1, when=when, prefix=f"p{days_back}")
    response = logged.get(_movements_url(account, periodo=periodo, tipo="todos"))
    today = timezone.localdate()
    rows = response.context["movements"]
    data = response.context["form"].cleaned_data
    if periodo == "mes_anterior":
        first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        assert data["desde"] == first
        assert data["hasta"] == today.replace(day=1) - dt.timedelta(days=1)
        inside = sum(
            1
            for p in Posting.objects.filter(account=account.ledger_account)
            if first <= timezone.localtime(p.created_at).date() <= data["hasta"]
        )
        assert len(rows) == inside
    else:
        assert [m.amount for m in rows if m.concept == "DEPÓSITO 0"] == [100]
        assert all(timezone.localtime(m.created_at).date() == data["desde"] for m in rows)


def test_movements_custom_range_and_direction(logged, account) -> None:
    cash_withdrawal(account=account, amount=2_500, idempotency_key="ret-1")
    today = timezone.localdate()
    params = {"periodo": "personalizado", "desde": (today - dt.timedelta(days=3)).isoformat()}
    params["hasta"] = today.isoformat()
    debits = logged.get(_movements_url(account, **params, tipo="debitos")).context["movements"]
    credits = logged.get(_movements_url(account, **params, tipo="creditos")).context["movements"]
    assert [m.amount for m in debits] == [-2_500]
    assert [m.amount for m in credits] == [1_000_000]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"desde": "ayer-ya", "hasta": "2026-01-01"}, "desde", "Ingresa la fecha desde como"),
        ({"desde": "", "hasta": ""}, "desde", "Ingresa la fecha desde."),
        ({"desde": "FUTURE", "hasta": "FUTURE"}, "hasta", "no puede ser posterior a hoy"),
        ({"desde": "ANCIENT", "hasta": "TODAY"}, "desde", "de los últimos 365 días"),
        ({"desde": "TODAY", "hasta": "YESTERDAY"}, "desde", "anterior o igual a la fecha hasta"),
        ({"desde": "9999999-99-99", "hasta": "\x00"}, "desde", "Ingresa la fecha desde como"),
    ],
)
def test_invalid_custom_dates_say_why_at_the_field(logged, account, params, field, message) -> None:
    today = timezone.localdate()
    words = {
        "FUTURE": today + dt.timedelta(days=1),
        "ANCIENT": today - dt.timedelta(days=366),
        "TODAY": today,
        "YESTERDAY": today - dt.timedelta(days=1),
    }
    query = {k: words[v].isoformat() if v in words else v for k, v in params.items()}
    response = logged.get(
        reverse("position:account_movements", args=[account.number]),
        {"periodo": "personalizado", "tipo": "todos", **query},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    body = response.content.decode()
    assert "<title>Error: Movimientos" in body
    assert f'id="id_{field}_error"' in body
    assert "SU CUENTA NO TIENE MOVIMIENTOS." not in body


@pytest.mark.parametrize(
    "params",
    [{"periodo": "siempre", "tipo": "todos"}, {"periodo": "hoy", "tipo": "todo"}, {"periodo": ""}],
)
def test_invalid_period_or_type_is_a_message_not_a_500(logged, account, params) -> None:
    response = logged.get(_movements_url(account), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Elige" in response.content.decode()


def test_a_fixed_period_ignores_whatever_dates_came_along(logged, account) -> None:
    response = logged.get(_movements_url(account), {**_today(), "desde": "basura"})
    assert response.status_code == 200
    assert not response.context["form"].errors


def _ver_mas(body: str) -> str | None:
    found = re.search(r'<a class="button" href="([^"]+)" rel="next">Ver más</a>', body)
    return found.group(1).replace("&amp;", "&") if found else None


def test_ver_mas_pages_through_every_movement_once(logged, account) -> None:
    same_moment = timezone.now() - dt.timedelta(minutes=30)
    _deposits(account, 30, when=same_moment, prefix="tie")
    _deposits(account, 24)
    url: str | None = _movements_url(account, **_today())
    seen: list[int] = []
    while url:
        response = logged.get(url)
        assert response.status_code == 200
        seen.extend(m.posting_id for m in response.context["movements"])
        url = _ver_mas(response.content.decode())
    expected = list(
        Posting.objects.filter(account=account.ledger_account)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    assert len(expected) == 55
    assert seen == expected


def test_movements_query_count_is_constant(logged, account) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert logged.get(url).status_code == 200
        return len(page_queries(ctx))

    count(_movements_url(account, **_today()))  # the first request also writes the session
    one = count(_movements_url(account, **_today()))
    _deposits(account, 40)
    first_page = count(_movements_url(account, **_today()))
    body = logged.get(_movements_url(account, **_today())).content.decode()
    second_page = count(_ver_mas(body))
    assert one == first_page == second_page


@pytest.mark.parametrize("cursor", ["nada", "W1siMjAyNiJdXQ:xx:yy", "%00", "a" * 500])
def test_a_forged_cursor_is_404_never_a_500(logged, account, cursor) -> None:
    response = logged.get(_movements_url(account), {**_today(), "cursor": cursor})
    assert response.status_code == 404


def test_another_accounts_cursor_does_not_work_here(logged, socio, account) -> None:
    other = account_open(member=socio, idempotency_key="second")
    _deposits(account, 30)
    body = logged.get(_movements_url(account, **_today())).content.decode()
    cursor = re.search(r"cursor=([^&\"]+)", _ver_mas(body)).group(1)
    response = logged.get(_movements_url(other, **_today(), cursor=cursor))
    assert response.status_code == 404


def test_another_members_account_movements_is_404(client, other_member, account) -> None:
    client.force_login(other_member)
    assert client.get(_movements_url(account)).status_code == 404
    assert client.get(_movements_url(account, **_today())).status_code == 404


def test_menu_cuentas_option_reaches_the_page(logged) -> None:
    body = logged.get(reverse("web:section", args=["posicion-consolidada"])).content.decode()
    assert f'href="{reverse("position:accounts")}">Cuentas</a>' in body
