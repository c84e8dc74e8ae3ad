"""The charts of Consulta de movimientos in a real Chromium: read as a member would, by
their names and through the data tables under "Ver datos del gráfico"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import Posting
from enlinea.ledger.services import Line, chart_ensure, coop_account, entry_record
from enlinea.position.charts import month_name
from enlinea.products.selectors.account_stats import add_months, local_midnight
from enlinea.products.services import account_open
from enlinea.web.templatetags.formato import dinero
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width, styled_box

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [pytest.param(PHONE, id="phone-390x844"), pytest.param(DESKTOP, id="desktop-1366x768")]

SPENDS = [  # this month's debits, as a member's month looks
    ("Supermaxi", 8_450),
    ("Supermaxi", 3_210),
    ("Pago luz eléctrica EEQ", 4_780),
    ("Transferencia a cuenta de terceros Juan Perez", 12_000),
    ("Farmacia Fybeca", 1_995),
    ("Recarga celular", 1_000),
    ("Cine", 900),
    ("Taxi", 450),
]


def _post(account, amount: int, key: str, description: str, when) -> None:
    entry_record(
        idempotency_key=key,
        kind="transfer_internal" if amount < 0 else "interbank_in",
        lines=[
            Line(account.ledger_account_id, amount),
            Line(coop_account(LedgerKind.CASH).pk, -amount),
        ],
        description=description,
        occurred_at=when,
    )


@pytest.fixture
def account(member):
    """Ten months of salary and bills (none two months ago), then this month's spending;
    recorded oldest first, so running balances follow time."""
    chart_ensure()
    account = account_open(member=member.member, idempotency_key="charts-b-account")
    current = timezone.localdate().replace(day=1)
    for back in range(10, 0, -1):
        if back == 2:
            continue
        first = local_midnight(add_months(current, -back))
        _post(account, 95_000, f"sal-{back}", "Sueldo", first + dt.timedelta(days=4))
        _post(
            account, -(30_000 + back * 100), f"arr-{back}", "Arriendo", first + dt.timedelta(days=6)
        )
    _post(account, 95_000, "sal-0", "Sueldo", None)
    for i, (concept, amount) in enumerate(SPENDS):
        _post(account, -amount, f"spend-{i}", concept, None)
    return account


def _month_end(account, month) -> int:
    edge = local_midnight(add_months(month, 1))
    postings = Posting.objects.filter(account_id=account.ledger_account_id, created_at__lt=edge)
    return postings.aggregate(s=Sum("amount"))["s"] or 0


def _rows(table) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr, tfoot tr").all()
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_member_reads_the_balance_and_spending_charts(
    open_page, live_server, login, account, viewport
) -> None:
    page, outside = open_page(viewport)
    login(page)
    page.goto(live_server.url + reverse("position:account_movements", args=[account.number]))
    expect(page.get_by_role("heading", level=1, name="Movimientos")).to_be_visible()

    balance = page.get_by_role(
        "img", name=f"Saldo de los últimos 12 meses de la cuenta {account.number}"
    )
    expect(balance).to_be_visible()
    this_month = month_name(timezone.localdate().replace(day=1))
    spending = page.get_by_role(
        "img", name=f"Gastos de {this_month} por concepto, cuenta {account.number}"
    )
    expect(spending).to_be_visible()
    for chart in (balance, spending):  # scales to the column, never wider than the screen
        box = styled_box(chart)
        assert box is not None
        assert 0 < box["width"] <= viewport["width"]
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)

    for summary in page.get_by_text("Ver datos del gráfico", exact=True).all():
        summary.click()
    months = page.get_by_role(
        "table", name=f"Saldo al final de cada mes de la cuenta {account.number}"
    )
    expect(months).to_be_visible()
    current = timezone.localdate().replace(day=1)
    expected = [
        [month_name(add_months(current, n)), dinero(_month_end(account, add_months(current, n)))]
        for n in range(-11, 1)
    ]
    assert _rows(months) == expected
    assert expected[9][1] == expected[8][1]  # two months ago, no movements: carried forward
    assert expected[0][1] == dinero(0)  # before the account's first movement
    account.ledger_account.refresh_from_db()
    assert expected[-1][1] == dinero(account.ledger_account.balance)

    by_concept = page.get_by_role(
        "table", name=f"Débitos de {this_month} por concepto, cuenta {account.number}"
    )
    expect(by_concept).to_be_visible()
    total = sum(amount for _, amount in SPENDS)
    assert _rows(by_concept) == [
        ["TRANSFERENCIA A CUENTA DE TERCEROS JUAN PEREZ", "1", dinero(12_000)],
        ["SUPERMAXI", "2", dinero(8_450 + 3_210)],
        ["PAGO LUZ ELÉCTRICA EEQ", "1", dinero(4_780)],
        ["FARMACIA FYBECA", "1", dinero(1_995)],
        ["RECARGA CELULAR", "1", dinero(1_000)],
        ["Otros", "2", dinero(900 + 450)],
        ["Total", "8", dinero(total)],
    ]
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)
    assert outside == []
