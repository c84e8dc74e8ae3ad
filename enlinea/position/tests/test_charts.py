"""The charts of Consulta de movimientos: their geometry, their figures and their page."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import Posting
from enlinea.ledger.services import Line, chart_ensure, coop_account, entry_record
from enlinea.position.charts import (
    WIDTH,
    bar_chart,
    column_chart,
    month_name,
    truncate,
)
from enlinea.products.selectors.account_stats import (
    OTHERS,
    ConceptTotal,
    MonthBalance,
    add_months,
    local_midnight,
    monthly_balances,
    spending_by_concept,
)
from enlinea.products.services import account_open
from enlinea.web.templatetags.formato import dinero

from .products_support import page_queries

# ------------------------------------------------------------------ geometry (no database)


def _months(values: list[int], start: dt.date = dt.date(2025, 3, 1)) -> list[MonthBalance]:
    return [MonthBalance(add_months(start, i), v) for i, v in enumerate(values)]


def test_add_months_crosses_years_both_ways() -> None:
    assert add_months(dt.date(2025, 12, 1), 1) == dt.date(2026, 1, 1)
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 3, 1), -11) == dt.date(2025, 4, 1)
    assert add_months(dt.date(2026, 3, 1), 0) == dt.date(2026, 3, 1)


def test_column_heights_are_proportional_and_stand_on_the_zero_line() -> None:
    chart = column_chart(_months([0, 100, 50, 25]), height=200, top=24, bottom=26)
    plot = 200 - 24 - 26
    heights = [c.height for c in chart.columns]
    assert heights == [0, plot, plot / 2, plot / 4]
    assert all(c.y + c.height == chart.zero_y for c in chart.columns)
    assert chart.zero_y == 200 - 26
    assert [t.value for t in chart.ticks] == [0, 100]
    assert chart.ticks[1].y == 24
    assert chart.highest == MonthBalance(dt.date(2025, 4, 1), 100)
    assert chart.highest_month == "abril 2025"
    assert chart.latest == MonthBalance(dt.date(2025, 6, 1), 25)


def test_columns_fit_the_width_in_month_order_with_spanish_labels() -> None:
    chart = column_chart(_months([5] * 12, start=dt.date(2025, 1, 1)))
    xs = [c.x for c in chart.columns]
    assert xs == sorted(xs)
    assert chart.columns[0].x > 0
    assert chart.columns[-1].x + chart.columns[-1].width < WIDTH
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert max(gaps) - min(gaps) < 0.02  # evenly spaced (to the rounding of 2 decimals)
    assert [c.label for c in chart.columns] == [
        "ene",
        "feb",
        "mar",
        "abr",
        "may",
        "jun",
        "jul",
        "ago",
        "sep",
        "oct",
        "nov",
        "dic",
    ]
    assert chart.first_month == "enero 2025"
    assert chart.last_month == "diciembre 2025"


def test_a_negative_balance_hangs_below_the_zero_line() -> None:
    chart = column_chart(_months([300, -100]), height=140, top=20, bottom=20)
    up, down = chart.columns
    assert up.y + up.height == chart.zero_y
    assert down.y == chart.zero_y
    assert up.height == pytest.approx(3 * down.height)
    assert [t.value for t in chart.ticks] == [0, 300, -100]
    assert chart.ticks[2].text_y > chart.ticks[2].y  # its amount is written under its line


def test_an_all_zero_year_draws_flat_columns_without_dividing_by_zero() -> None:
    chart = column_chart(_months([0] * 12))
    assert {c.height for c in chart.columns} == {0}
    assert [t.value for t in chart.ticks] == [0]


def test_bars_are_proportional_to_the_largest_and_keep_a_sliver_for_tiny_amounts() -> None:
    rows = [ConceptTotal("A", 1000, 1), ConceptTotal("B", 250, 2), ConceptTotal("C", 1, 1)]
    chart = bar_chart(rows, width=360, side=4)
    widths = [b.width for b in chart.bars]
    assert widths[0] == 352
    assert widths[1] == 88
    assert widths[2] == 2
    tops = [b.y for b in chart.bars]
    assert tops == sorted(tops)
    assert all(b.text_y < b.y for b in chart.bars)  # the label sits above its bar
    assert chart.height >= chart.bars[-1].y + chart.bars[-1].height


def test_long_concepts_are_shortened_in_the_picture_only() -> None:
    concept = "TRANSFERENCIA A CUENTA DE TERCEROS EN OTRA INSTITUCION"
    bar = bar_chart([ConceptTotal(concept, 10, 1)], label_chars=28).bars[0]
    assert bar.label == truncate(concept, 28)
    assert len(bar.label) == 28
    assert bar.label.endswith("…")
    assert bar.row.concept == concept
    assert truncate("CORTO", 28) == "CORTO"


def test_month_names_are_spanish() -> None:
    assert month_name(dt.date(2026, 9, 1)) == "septiembre 2026"


# ------------------------------------------------------------------ figures (database)


def _post(account, amount: int, key: str, description: str, when: dt.datetime | None) -> None:
    cash = coop_account(LedgerKind.CASH).pk
    entry_record(
        idempotency_key=key,
        kind="transfer_internal" if amount < 0 else "interbank_in",
        lines=[Line(account.ledger_account_id, amount), Line(cash, -amount)],
        description=description,
        occurred_at=when,
    )


def _ledger_balance_before(account, edge: dt.datetime) -> int:
    total = Posting.objects.filter(
        account_id=account.ledger_account_id, created_at__lt=edge
    ).aggregate(s=Sum("amount"))["s"]
    return total or 0


@pytest.fixture
def empty_account(member):
    chart_ensure()
    return account_open(member=member.member, idempotency_key="charts-account")


def _history(account, today: dt.date, *, months_with_rows: list[int], per_month: int) -> None:
    """Credits and debits in the given past months (``k`` months back), oldest first, so
    running balances follow time as they do in production."""
    current = today.replace(day=1)
    for k in sorted(months_with_rows, reverse=True):
        first = add_months(current, -k)
        for i in range(per_month):
            when = local_midnight(first) + dt.timedelta(days=2, hours=i)
            _post(account, 10_000 + i, f"h-in-{k}-{i}", "Transferencia recibida", when)
            _post(account, -(1_000 + i), f"h-out-{k}-{i}", "Pago tarjeta", when)


@pytest.mark.django_db
def test_month_end_balances_equal_the_ledger_and_carry_forward(empty_account) -> None:
    today = timezone.localdate()
    _history(empty_account, today, months_with_rows=[9, 8, 5, 2], per_month=3)
    _post(empty_account, 777, "now-in", "Depósito de hoy", None)
    points = monthly_balances(account=empty_account, today=today)

    current = today.replace(day=1)
    assert [p.month for p in points] == [add_months(current, n) for n in range(-11, 1)]
    for point in points:
        edge = local_midnight(add_months(point.month, 1))
        assert point.balance == _ledger_balance_before(empty_account, edge), point
    by_back = {11 - i: p.balance for i, p in enumerate(points)}
    assert by_back[11] == by_back[10] == 0  # before the first movement
    assert by_back[7] == by_back[8] > 0  # no movements in month 7: month 8's balance
    assert by_back[4] == by_back[3] == by_back[5]
    empty_account.ledger_account.refresh_from_db()
    assert by_back[0] == empty_account.ledger_account.balance == by_back[2] + 777


@pytest.mark.django_db
def test_a_late_evening_movement_counts_in_its_local_month(empty_account) -> None:
    today = timezone.localdate()
    last_month = add_months(today.replace(day=1), -1)
    # 23:30 on the last day of last month in Guayaquil is already the 1st in UTC.
    late = local_midnight(today.replace(day=1)) - dt.timedelta(minutes=30)
    _post(empty_account, 5_000, "late", "Transferencia recibida", late)
    points = {p.month: p.balance for p in monthly_balances(account=empty_account, today=today)}
    assert points[last_month] == 5_000
    assert points[add_months(last_month, -1)] == 0


@pytest.mark.django_db
def test_month_end_balances_are_one_query_whatever_the_rows(
    empty_account, django_assert_num_queries
) -> None:
    today = timezone.localdate()
    _history(empty_account, today, months_with_rows=list(range(1, 12)), per_month=4)
    with django_assert_num_queries(1):
        points = monthly_balances(account=empty_account, today=today)
    assert len(points) == 12


@pytest.mark.django_db
def test_spending_by_concept_top_and_others_equal_the_months_debits(
    empty_account, django_assert_num_queries
) -> None:
    today = timezone.localdate()
    _history(empty_account, today, months_with_rows=[1], per_month=2)  # last month's: not shown
    _post(empty_account, 100_000, "in", "Transferencia recibida", None)  # a credit: not spent
    spends = [
        ("Supermaxi", 9_000),
        ("SUPERMAXI", 1_000),  # the same concept as the list shows it
        ("Pago luz eléctrica", 8_000),
        ("Farmacia", 7_000),
        ("Gasolinera", 6_000),
        ("Cine", 5_000),
        ("Librería", 300),
        ("Taxi", 200),
        ("", 100),  # no description: the movement list shows the entry's kind
    ]
    for i, (concept, amount) in enumerate(spends):
        _post(empty_account, -amount, f"spend-{i}", concept, None)

    with django_assert_num_queries(1):
        spending = spending_by_concept(account=empty_account, today=today, top=5)
    assert [(r.concept, r.amount, r.count) for r in spending.rows] == [
        ("SUPERMAXI", 10_000, 2),
        ("PAGO LUZ ELÉCTRICA", 8_000, 1),
        ("FARMACIA", 7_000, 1),
        ("GASOLINERA", 6_000, 1),
        ("CINE", 5_000, 1),
        (OTHERS, 600, 3),
    ]
    assert spending.rows[-1].is_others
    month_debits = Posting.objects.filter(
        account_id=empty_account.ledger_account_id,
        amount__lt=0,
        created_at__gte=local_midnight(today.replace(day=1)),
    )
    assert spending.total == -month_debits.aggregate(s=Sum("amount"))["s"] == 36_600
    assert spending.count == month_debits.count() == 9
    assert sum(r.amount for r in spending.rows) == spending.total

    top = spending_by_concept(account=empty_account, today=today, top=10)
    assert OTHERS not in [r.concept for r in top.rows]
    assert "TRANSFER INTERNAL" in [r.concept for r in top.rows]


@pytest.mark.django_db
def test_a_month_without_debits_has_no_rows(empty_account) -> None:
    _post(empty_account, 5_000, "only-in", "Transferencia recibida", None)
    spending = spending_by_concept(account=empty_account, today=timezone.localdate())
    assert spending.rows == []
    assert spending.total == spending.count == 0


# ------------------------------------------------------------------ the page


def _page(client, account) -> str:
    response = client.get(reverse("position:account_movements", args=[account.number]))
    assert response.status_code == 200
    return response.content.decode()


def _table(body: str, caption_start: str) -> list[list[str]]:
    table = body.split(f"<caption>{caption_start}")[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]


@pytest.mark.django_db
def test_movements_page_draws_both_charts_with_their_tables(client, member, empty_account) -> None:
    today = timezone.localdate()
    _history(empty_account, today, months_with_rows=[3, 1], per_month=2)
    _post(empty_account, -4_321, "page-spend", "Supermaxi", None)
    client.force_login(member)
    body = _page(client, empty_account)

    for title_id in ("chart-balance-title", "chart-spending-title"):
        svg = re.search(rf'<svg[^>]*aria-labelledby="{title_id}"[^>]*>', body)
        assert svg is not None, title_id
        assert 'role="img"' in svg.group(0)
        assert re.search(r'viewBox="0 0 \d+ \d+"', svg.group(0))
        assert f'<title id="{title_id}">' in body
    assert "Saldo de los últimos 12 meses" in body
    assert "Gastos del mes por concepto" in body
    assert body.count("Ver datos del gráfico") == 2
    assert not re.search(r'(x|y|width|height)="\d+,\d', body)  # no decimal commas in SVG

    balances = _table(body, "Saldo al final de cada mes")
    assert balances[0] == ["Mes", "Saldo"]
    points = monthly_balances(account=empty_account, today=today)
    assert balances[1:] == [[month_name(p.month), dinero(p.balance)] for p in points]
    empty_account.ledger_account.refresh_from_db()
    assert balances[-1][1] == dinero(empty_account.ledger_account.balance)

    spending = _table(body, "Débitos de")
    assert spending[0] == ["Concepto", "Débitos", "Monto"]
    assert spending[1:] == [["SUPERMAXI", "1", dinero(4_321)], ["Total", "1", dinero(4_321)]]
    assert '<th scope="row">SUPERMAXI</th>' in body


@pytest.mark.django_db
def test_movements_page_without_debits_this_month_says_so(client, member, empty_account) -> None:
    client.force_login(member)
    body = _page(client, empty_account)
    assert "No tienes débitos en " in body
    assert "chart-spending-title" not in body
    assert _table(body, "Saldo al final de cada mes")[-1][1] == dinero(0)


@pytest.mark.django_db
def test_movements_page_query_count_does_not_grow_with_months_or_rows(
    client, member, empty_account
) -> None:
    client.force_login(member)
    today = timezone.localdate()
    _post(empty_account, 1_000, "q-in", "Transferencia recibida", None)
    _post(empty_account, -100, "q-first", "Primero", None)
    _page(client, empty_account)
    with CaptureQueriesContext(connection) as one:
        _page(client, empty_account)

    other = account_open(member=member.member, idempotency_key="charts-busy")
    _history(other, today, months_with_rows=list(range(1, 12)), per_month=6)
    for i in range(30):
        _post(other, -(50 + i), f"q-now-{i}", f"Concepto {i % 9}", None)
    with CaptureQueriesContext(connection) as many:
        body = _page(client, other)
    assert body.count('data-label="Concepto"') == 25  # a full page of movements
    assert "Otros" in body
    assert len(page_queries(many)) == len(page_queries(one))
