"""The two charts of "Consulta de movimientos", drawn on the server as SVG (no JavaScript).

The geometry functions are pure: numbers in, coordinates out (in the SVG's viewBox units,
so the picture scales to any width; ``WIDTH`` is about a phone's content width, so text is
read at its size there). ``_charts.html`` draws them and prints the same numbers in a
table. ``account_charts`` is the one place the movements view calls: it reads the figures
through ``enlinea.products.selectors.account_stats`` and lays them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from enlinea.products.selectors.account_stats import (
    ConceptTotal,
    MonthBalance,
    Spending,
    monthly_balances,
    spending_by_concept,
)
from enlinea.web.templatetags.formato import MONTH_NAMES

WIDTH = 360
MONTHS_SHORT = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]


def month_name(month: dt.date) -> str:
    """``enero 2026``: the tables' and descriptions' words for a month."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (the table keeps it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ------------------------------------------------------------------ month-end balances


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label_x: float  # the centre of the column, for its month label
    label: str  # ``ene``
    month: dt.date
    value: int  # cents


@dataclass(frozen=True)
class Tick:
    y: float
    value: int  # cents
    text_y: float  # baseline of its amount: above a top line, below a bottom one


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    columns: list[Column]
    ticks: list[Tick]  # the zero line first, then the highest (and lowest, if negative)
    zero_y: float
    label_y: float  # baseline of the month labels
    highest: MonthBalance | None
    highest_month: str
    latest: MonthBalance | None
    first_month: str
    last_month: str


def column_chart(
    points: list[MonthBalance],
    *,
    width: int = WIDTH,
    height: int = 200,
    top: float = 24,
    bottom: float = 26,
    side: float = 4,
    fill: float = 0.64,
) -> ColumnChart:
    """One column per month, heights proportional to the balance, on a zero line.

    The scale runs from ``min(0, lowest)`` to ``max(0, highest)``, so columns always
    start at zero and a negative balance hangs below the line. An all-zero series draws
    no columns taller than nothing (never a division by zero).
    """
    plot_h = height - top - bottom
    values = [p.balance for p in points]
    hi = max([0, *values])
    lo = min([0, *values])
    span = hi - lo or 1

    def y(value: int) -> float:
        return round(top + (hi - value) / span * plot_h, 2)

    slot = (width - 2 * side) / max(len(points), 1)
    bar = round(slot * fill, 2)
    columns = []
    for i, point in enumerate(points):
        centre = side + slot * i + slot / 2
        y_top, y_bottom = y(max(point.balance, 0)), y(min(point.balance, 0))
        columns.append(
            Column(
                x=round(centre - bar / 2, 2),
                y=y_top,
                width=bar,
                height=round(y_bottom - y_top, 2),
                label_x=round(centre, 2),
                label=MONTHS_SHORT[point.month.month - 1],
                month=point.month,
                value=point.balance,
            )
        )
    ticks = [Tick(y(0), 0, y(0))]
    if hi > 0:
        ticks.append(Tick(y(hi), hi, round(y(hi) - 6, 2)))
    if lo < 0:
        ticks.append(Tick(y(lo), lo, round(y(lo) + 14, 2)))
    highest = max(points, key=lambda p: (p.balance, p.month)) if points else None
    return ColumnChart(
        width=width,
        height=height,
        columns=columns,
        ticks=ticks,
        zero_y=y(0),
        label_y=height - 8,
        highest=highest,
        highest_month=month_name(highest.month) if highest else "",
        latest=points[-1] if points else None,
        first_month=month_name(points[0].month) if points else "",
        last_month=month_name(points[-1].month) if points else "",
    )


# ------------------------------------------------------------------ spending by concept


@dataclass(frozen=True)
class Bar:
    y: float  # top of the bar
    width: float
    height: float
    text_y: float  # baseline of the concept and amount line above the bar
    label: str  # the concept, shortened to fit
    row: ConceptTotal


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    x: float  # where bars start
    amount_x: float  # where amounts end (right-aligned)
    bars: list[Bar]


def bar_chart(
    rows: list[ConceptTotal],
    *,
    width: int = WIDTH,
    side: float = 4,
    text: float = 16,
    bar_height: float = 14,
    gap: float = 12,
    label_chars: int = 28,
) -> BarChart:
    """One horizontal bar per concept under a line with its name and amount; the largest
    bar spans the width, the others in proportion (a tiny share still shows 2 units)."""
    plot_w = width - 2 * side
    largest = max([r.amount for r in rows] or [0]) or 1
    pitch = text + 4 + bar_height + gap
    bars = []
    for i, row in enumerate(rows):
        top = i * pitch
        share = row.amount / largest * plot_w
        bars.append(
            Bar(
                y=round(top + text + 4, 2),
                width=round(max(share, 2.0) if row.amount > 0 else 0.0, 2),
                height=bar_height,
                text_y=round(top + text - 3, 2),
                label=truncate(row.concept, label_chars),
                row=row,
            )
        )
    return BarChart(
        width=width,
        height=int(len(rows) * pitch),
        x=side,
        amount_x=width - side,
        bars=bars,
    )


# ------------------------------------------------------------------ the page's charts


@dataclass(frozen=True)
class MonthRow:
    name: str  # ``enero 2026``
    month: dt.date
    balance: int


@dataclass(frozen=True)
class AccountCharts:
    balances: list[MonthRow]
    balance_chart: ColumnChart
    spending: Spending
    spending_chart: BarChart
    spending_month: str


def account_charts(*, account: Any, today: dt.date) -> AccountCharts:
    """Both charts of an account fetched through ``account_for_member``: two queries,
    whatever the number of movements or months."""
    balances = monthly_balances(account=account, today=today)
    spending = spending_by_concept(account=account, today=today)
    return AccountCharts(
        balances=[MonthRow(month_name(b.month), b.month, b.balance) for b in balances],
        balance_chart=column_chart(balances),
        spending=spending,
        spending_chart=bar_chart(spending.rows),
        spending_month=month_name(spending.month),
    )
