"""Figures behind the charts of "Consulta de movimientos": month-end balances and this
month's spending by concept.

Both read the account's ledger postings, so the charts show the ledger's numbers:

* ``monthly_balances``: the balance at the end of each of the last months is the
  ``balance_after`` of the account's last posting before the next month starts (by
  ``(created_at, id)``, the order the movement list uses). A month without movements
  therefore carries the previous month's balance forward, and months before the first
  posting are 0. **One query** whatever the rows: one scalar subquery per month, each an
  index probe on ``ledger_posting_statement`` (``account, created_at, id``) that stops at
  the first row, so a year of 100,000 movements costs what an empty account costs.
* ``spending_by_concept``: this month's debits grouped by concept (the entry's
  description, upper-cased, as the movement list shows it), the largest ``top`` and the
  rest together as "Otros". **One query**: the grouped top rows, each carrying the
  month's totals (a window over every group, taken before the ``LIMIT``). It reads every
  debit of the month with its entry: ~6 ms for a month of 2,782 debits (bench/reads.py).

Both are written as SQL, the same on PostgreSQL and SQLite (window functions since
SQLite 3.25): built through the ORM, the twelve subqueries took ~4 ms a request to
*compile* for 0.5 ms in the database, the largest part of the movements page after its
template (bench/reads.py, docs/performance.md).

Callers pass an account already fetched through the owner-scoped
``accounts.account_for_member``; nothing here looks an account up by number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone

from enlinea.ledger.models import JournalEntry, Posting
from enlinea.products.models import DepositAccount

MONTHS = 12
TOP_CONCEPTS = 5
OTHERS = "Otros"


@dataclass(frozen=True)
class MonthBalance:
    month: dt.date  # the first day of the month
    balance: int  # cents, at the end of the month (or now, for the current month)


@dataclass(frozen=True)
class ConceptTotal:
    concept: str
    amount: int  # cents spent, positive
    count: int  # how many debits
    is_others: bool = False


@dataclass(frozen=True)
class Spending:
    month: dt.date  # the first day of the month
    rows: list[ConceptTotal]  # largest first; "Otros" last when there is one
    total: int  # cents, every debit of the month
    count: int


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month`` (negative goes back)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: dt.date) -> dt.datetime:
    """Midnight starting ``day`` in the cooperative's time zone (months end locally)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _sql(query: str, params: list[object]) -> list[tuple]:
    """Run a read on the postings' database; ``{posting}`` and ``{entry}`` in ``query``
    become the models' own (quoted) table names."""
    connection = connections[router.db_for_read(Posting)]
    qn = connection.ops.quote_name
    names = {
        "posting": qn(Posting._meta.db_table),
        "entry": qn(JournalEntry._meta.db_table),
    }
    with connection.cursor() as cursor:
        cursor.execute(query.format(**names), params)
        return cursor.fetchall()


def _moment(moment: dt.datetime) -> object:
    """An aware datetime as the database compares ``created_at`` (UTC text on SQLite)."""
    return connections[router.db_for_read(Posting)].ops.adapt_datetimefield_value(moment)


# The balance_after of the account's last posting before an instant: the index's last
# entry under (account, instant), read backwards, one row.
_LAST_BALANCE = (
    "(SELECT balance_after FROM {posting}"
    " WHERE account_id = %s AND created_at < %s"
    " ORDER BY created_at DESC, id DESC LIMIT 1)"
)


def monthly_balances(
    *, account: DepositAccount, today: dt.date, months: int = MONTHS
) -> list[MonthBalance]:
    """The account's balance at the end of each of the last ``months`` months, oldest
    first, ending with the current month (whose "end" is its latest movement)."""
    current = month_start(today)
    firsts = [add_months(current, n) for n in range(-(months - 1), 1)]
    params: list[object] = []
    for first in firsts:
        params += [account.ledger_account_id, _moment(local_midnight(add_months(first, 1)))]
    (row,) = _sql("SELECT " + ", ".join([_LAST_BALANCE] * len(firsts)), params)
    return [
        MonthBalance(month=first, balance=balance or 0)
        for first, balance in zip(firsts, row, strict=True)
    ]


# This month's debits by concept, the movement list's concept: the description, or the
# entry's kind when it has none. Each group carries the totals of every group (the
# window runs before the LIMIT), so the top rows and "Otros" come in one query.
# The concept is a correlated subquery per debit rather than a join: the same index
# probe of the entry, but PostgreSQL runs a plan with a correlated subquery in one
# process, where the join's plan starts parallel workers, which made a busy account's
# month-end chart (2,782 debits) 2-3 times slower on the 2-core bench machine.
_SPENDING = """
SELECT concept, spent, n, SUM(spent) OVER (), SUM(n) OVER ()
FROM (
    SELECT concept, SUM(amount) AS spent, COUNT(*) AS n
    FROM (
        SELECT p.amount,
               (SELECT UPPER(COALESCE(NULLIF(e.description, ''), REPLACE(e.kind, '_', ' ')))
                FROM {entry} e WHERE e.id = p.entry_id) AS concept
        FROM {posting} p
        WHERE p.account_id = %s AND p.amount < 0 AND p.created_at >= %s AND p.created_at < %s
    ) debits
    GROUP BY concept
) grouped
ORDER BY spent, concept
LIMIT %s
"""


def spending_by_concept(
    *, account: DepositAccount, today: dt.date, top: int = TOP_CONCEPTS
) -> Spending:
    """This month's debits of the account by concept: the ``top`` largest, then Otros."""
    first = month_start(today)
    grouped = _sql(
        _SPENDING,
        [
            account.ledger_account_id,
            _moment(local_midnight(first)),
            _moment(local_midnight(add_months(first, 1))),
            top,  # amounts are negative: ORDER BY spent puts the most spent first
        ],
    )
    total = -int(grouped[0][3]) if grouped else 0
    count = int(grouped[0][4]) if grouped else 0
    # SQLite's UPPER leaves non-ASCII letters alone; Python's matches the movement list.
    rows = [ConceptTotal(concept.upper(), -int(spent), int(n)) for concept, spent, n, *_ in grouped]
    shown, shown_count = sum(r.amount for r in rows), sum(r.count for r in rows)
    if count > shown_count:
        rows.append(ConceptTotal(OTHERS, total - shown, count - shown_count, is_others=True))
    return Spending(month=first, rows=rows, total=total, count=count)
