"""Créditos: the loan list, its detail and the amortization table (owner-scoped)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enlinea.products.finance import Installment, loan_state
from enlinea.products.selectors.loans import loan_for_member, loans_for_member
from enlinea.products.services import loan_repay
from enlinea.web.templatetags.formato import dinero, fecha

from .products_support import funded_account, give_loan, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def socio(member):
    return member.member


@pytest.fixture
def account(socio):
    return funded_account(socio)


@pytest.fixture
def loan(socio, account):
    return give_loan(socio, account)


def _schedule(loan) -> list[Installment]:
    return [
        Installment(
            number=i.number,
            due_date=i.due_date,
            payment_cents=i.payment,
            principal_cents=i.principal,
            interest_cents=i.interest,
            balance_after_cents=i.balance_after,
        )
        for i in loan.installments.order_by("number")
    ]


def test_selector_gives_the_members_loan_and_404_for_another_members(
    loan, other_member, socio
) -> None:
    assert loan_for_member(member=socio, number=loan.number).pk == loan.pk
    assert [x.pk for x in loans_for_member(member=other_member.member)] == []
    with pytest.raises(Http404):
        loan_for_member(member=other_member.member, number=loan.number)
    with pytest.raises(Http404):
        loan_for_member(member=socio, number="999999999999")


def test_loan_balance_is_the_ledger_balance_by_its_normal_side(loan, account) -> None:
    loan_repay(loan=loan, from_account=account, idempotency_key="pay-1")
    loan_repay(loan=loan, from_account=account, idempotency_key="pay-2")
    got = loan_for_member(member=loan.member, number=loan.number)
    loan.ledger_account.refresh_from_db()
    assert got.balance == -loan.ledger_account.balance
    state = loan_state(schedule=_schedule(loan), installments_paid=2)
    assert got.balance == state.balance_cents
    assert got.next_due_date == state.next_due_date
    assert got.next_payment == state.next_payment_cents


def test_loan_list_shows_the_manuals_columns_with_ledger_numbers(client, member, loan) -> None:
    client.force_login(member)
    response = client.get(reverse("position:loans"))
    assert response.status_code == 200
    body = response.content.decode()
    for column in (
        "Número",
        "Descripción",
        "Monto",
        "Saldo del crédito",
        "Cuota de crédito",
        "Fecha próxima cuota",
        "Estado",
        "Ver detalle",
    ):
        assert column in body, column
    first = loan.installments.get(number=1)
    loan.ledger_account.refresh_from_db()
    assert -loan.ledger_account.balance == 100_000  # nothing repaid yet
    assert loan.number in body
    assert "CONSUMO AGIL" in body
    assert dinero(100_000) in body
    assert (
        f'data-label="Saldo del crédito" class="num">{dinero(-loan.ledger_account.balance)}<'
        in body
    )
    assert f'data-label="Cuota de crédito" class="num">{dinero(first.payment)}<' in body
    assert fecha(first.due_date) in body
    assert "VIGENTE" in body
    assert reverse("position:loan_detail", args=[loan.number]) in body


def test_loan_list_without_loans_says_so(client, member) -> None:
    client.force_login(member)
    body = client.get(reverse("position:loans")).content.decode()
    assert "No tienes créditos con nosotros." in body


def test_loan_detail_shows_every_field(client, member, loan, account) -> None:
    loan_repay(loan=loan, from_account=account, idempotency_key="pay-1")
    client.force_login(member)
    response = client.get(reverse("position:loan_detail", args=[loan.number]))
    assert response.status_code == 200
    body = response.content.decode()
    second = loan.installments.get(number=2)
    loan.ledger_account.refresh_from_db()
    expected = {
        "Tipo de crédito": "CONSUMO AGIL",
        "Monto": dinero(100_000),
        "Número de crédito": loan.number,
        "Fecha de crédito": fecha(loan.disbursed_on),
        "Fecha próxima cuota": fecha(second.due_date),
        "Estado": "VIGENTE",
        "Tasa (%)": "15.60%",
        "Cuota de crédito": dinero(second.payment),
        "Número de cuotas": "24",
        "Cuotas pagadas": "1",
        "Saldo del Crédito": dinero(-loan.ledger_account.balance),
    }
    for label, value in expected.items():
        row = body.split(f"<dt>{label}</dt>")[1].split("</dd>")[0]
        assert value in row, (label, row)
    assert -loan.ledger_account.balance == loan.installments.get(number=1).balance_after
    assert "Tabla de amortización" in body
    assert reverse("position:loan_schedule", args=[loan.number]) in body
    assert "Visualizar" in body


def test_amortization_table_lists_every_installment_and_which_are_paid(
    client, member, loan, account
) -> None:
    loan_repay(loan=loan, from_account=account, idempotency_key="pay-1")
    client.force_login(member)
    response = client.get(reverse("position:loan_schedule", args=[loan.number]))
    assert response.status_code == 200
    body = response.content.decode()
    for column in ("Cuota", "Vencimiento", "Capital", "Interés", "Valor cuota", "Saldo", "Estado"):
        assert f">{column}</th>" in body, column
    rows = body.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    installments = list(loan.installments.order_by("number"))
    assert len(rows) == len(installments) == 24
    for row, inst in zip(rows, installments, strict=True):
        assert f'data-label="Cuota">{inst.number}<' in row
        assert fecha(inst.due_date) in row
        assert f'data-label="Capital" class="num">{dinero(inst.principal)}<' in row
        assert f'data-label="Interés" class="num">{dinero(inst.interest)}<' in row
        assert f'data-label="Valor cuota" class="num">{dinero(inst.payment)}<' in row
        assert f'data-label="Saldo" class="num">{dinero(inst.balance_after)}<' in row
        assert ("Pagada el" in row) == (inst.number == 1)
        assert ("Pendiente" in row) == (inst.number != 1)


@pytest.mark.parametrize("name", ["position:loan_detail", "position:loan_schedule"])
def test_another_members_loan_is_not_found(client, other_member, loan, name) -> None:
    client.force_login(other_member)
    assert client.get(reverse(name, args=[loan.number])).status_code == 404


@pytest.mark.parametrize("name", ["position:loans", "position:loan_detail"])
def test_loan_pages_need_login_and_are_get_only(client, member, loan, name) -> None:
    args = [] if name == "position:loans" else [loan.number]
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302
    client.force_login(member)
    assert client.post(url).status_code == 405


def test_loan_list_query_count_does_not_grow_with_loans(client, member, socio, account) -> None:
    client.force_login(member)
    give_loan(socio, account, 0)
    url = reverse("position:loans")
    client.get(url)  # warm the session and menu caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(1, 5):
        give_loan(socio, account, n, principal=50_000 + n)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count("Ver detalle</a>") == 5
    assert len(page_queries(many)) == len(page_queries(one))


def test_amortization_query_count_does_not_grow_with_installments(
    client, member, socio, account
) -> None:
    client.force_login(member)
    short = give_loan(socio, account, 0, term_months=2)
    long = give_loan(socio, account, 1, term_months=48)
    client.get(reverse("position:loan_schedule", args=[short.number]))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("position:loan_schedule", args=[short.number]))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("position:loan_schedule", args=[long.number]))
    assert len(page_queries(many)) == len(page_queries(one))
