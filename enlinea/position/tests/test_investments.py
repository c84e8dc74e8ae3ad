"""Inversiones: the pólizas list and a póliza's detail (owner-scoped)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enlinea.products.finance import (
    interest_withholding,
    term_deposit_interest,
    term_deposit_maturity,
)
from enlinea.products.selectors.investments import (
    investment_for_member,
    investment_total_at_maturity,
    investments_for_member,
)
from enlinea.web.templatetags.formato import dinero, fecha

from .products_support import funded_account, give_investment, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def socio(member):
    return member.member


@pytest.fixture
def account(socio):
    return funded_account(socio)


@pytest.fixture
def investment(socio, account):
    return give_investment(socio, account)


def test_selector_gives_the_members_investment_and_404_for_another_members(
    investment, socio, other_member
) -> None:
    assert investment_for_member(member=socio, number=investment.number).pk == investment.pk
    assert list(investments_for_member(member=other_member.member)) == []
    with pytest.raises(Http404):
        investment_for_member(member=other_member.member, number=investment.number)


def test_total_at_maturity_is_capital_plus_interest_less_withholding(investment) -> None:
    interest = term_deposit_interest(capital_cents=250_000, annual_rate_bp=650, term_days=180)
    withholding = interest_withholding(interest_cents=interest)
    assert investment_total_at_maturity(investment=investment) == 250_000 + interest - withholding
    assert withholding > 0


def test_investment_list_shows_the_manuals_columns(client, member, investment) -> None:
    client.force_login(member)
    response = client.get(reverse("position:investments"))
    assert response.status_code == 200
    body = response.content.decode()
    for column in ("Número de operación", "Capital", "Plazo", "Tasa de interés", "Fecha"):
        assert f">{column}</th>" in body, column
    assert f'data-label="Número de operación">{investment.number}<' in body
    assert f'data-label="Capital" class="num">{dinero(250_000)}<' in body
    assert 'data-label="Plazo">180 días<' in body
    assert 'data-label="Tasa de interés">6.50%<' in body
    assert fecha(investment.start_date) in body
    assert reverse("position:investment_detail", args=[investment.number]) in body


def test_investment_list_without_investments_says_so(client, member) -> None:
    client.force_login(member)
    body = client.get(reverse("position:investments")).content.decode()
    assert "No tienes inversiones con nosotros." in body


def test_investment_detail_shows_maturity_interest_withholding_and_total(
    client, member, investment
) -> None:
    client.force_login(member)
    response = client.get(reverse("position:investment_detail", args=[investment.number]))
    assert response.status_code == 200
    body = response.content.decode()
    interest = term_deposit_interest(capital_cents=250_000, annual_rate_bp=650, term_days=180)
    withholding = interest_withholding(interest_cents=interest)
    expected = {
        "Número de operación": investment.number,
        "Capital": dinero(250_000),
        "Plazo": "180 días",
        "Tasa de interés": "6.50%",
        "Fecha": fecha(investment.start_date),
        "Fecha de vencimiento": fecha(
            term_deposit_maturity(start=investment.start_date, term_days=180)
        ),
        "Interés al vencimiento": dinero(interest),
        "Retención en la fuente": dinero(withholding),
        "Total a recibir": dinero(250_000 + interest - withholding),
        "Estado": "VIGENTE",
    }
    for label, value in expected.items():
        row = body.split(f"<dt>{label}</dt>")[1].split("</dd>")[0]
        assert value in row, (label, row)


def test_another_members_investment_is_not_found(client, other_member, investment) -> None:
    client.force_login(other_member)
    url = reverse("position:investment_detail", args=[investment.number])
    assert client.get(url).status_code == 404


def test_investment_pages_need_login_and_are_get_only(client, member, investment) -> None:
    for url in (
        reverse("position:investments"),
        reverse("position:investment_detail", args=[investment.number]),
    ):
        assert client.get(url).status_code == 302
    client.force_login(member)
    assert client.post(reverse("position:investments")).status_code == 405


def test_investment_list_query_count_does_not_grow(client, member, socio, account) -> None:
    client.force_login(member)
    give_investment(socio, account, 0)
    url = reverse("position:investments")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 5):
        give_investment(socio, account, n)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count("Ver detalle</a>") == 5
    assert len(page_queries(many)) == len(page_queries(one))
