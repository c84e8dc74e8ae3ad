"""Owner-scoped reads behind the documents: a month's movements in time order (Estado de
cuenta), every movement of a filtered period (exports), and an account's average balance
(Certificado bancario). Rows come from keyset pages, never all at once, never OFFSET."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from enlinea.ledger.models import Posting
from enlinea.products.models import DepositAccount

from .accounts import ALL, Cursor, Movement, account_movements, movement, movement_rows

PAGE = 500


def movements_all(
    *, account: DepositAccount, since: dt.datetime, until: dt.datetime, direction: str = ALL
) -> Iterator[Movement]:
    """Every movement of ``[since, until)``, newest first, a keyset page at a time."""
    after: Cursor | None = None
    while True:
        rows, after = account_movements(
            account=account, since=since, until=until, direction=direction, after=after, limit=PAGE
        )
        yield from rows
        if after is None:
            return


def balance_before(*, account: DepositAccount, moment: dt.datetime) -> int:
    """The account's balance just before ``moment``: the last posting's running balance."""
    last = (
        Posting.objects.filter(account_id=account.ledger_account_id, created_at__lt=moment)
        .order_by("-created_at", "-id")
        .values_list("balance_after", flat=True)
        .first()
    )
    return last or 0


def movements_in_order(
    *, account: DepositAccount, since: dt.datetime, until: dt.datetime
) -> Iterator[Movement]:
    """The movements of ``[since, until)`` oldest first (a statement's order)."""
    after: tuple[dt.datetime, int] | None = None
    while True:
        postings = Posting.objects.filter(
            account_id=account.ledger_account_id, created_at__gte=since, created_at__lt=until
        )
        if after is not None:
            postings = postings.filter(
                Q(created_at__gte=after[0]) & (Q(created_at__gt=after[0]) | Q(id__gt=after[1]))
            )
        rows = list(movement_rows(postings).order_by("created_at", "id")[:PAGE])
        for row in rows:
            yield movement(row)
        if len(rows) < PAGE:
            return
        posting_id, _, _, created_at, *_ = rows[-1]
        after = (created_at, posting_id)


def local_month(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The aware local bounds ``[first day 00:00, next month's first day 00:00)``."""
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end, dt.time.min)),
    )


def average_balance(*, account: DepositAccount, days: int = 90) -> int:
    """The mean of the account's end-of-day balances over the last ``days`` days."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=days)
    moment = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    balance = balance_before(account=account, moment=moment)
    end_of_day: dict[dt.date, int] = {}
    for posting in (
        Posting.objects.filter(account_id=account.ledger_account_id, created_at__gte=moment)
        .order_by("created_at", "id")
        .values_list("created_at", "balance_after")
        .iterator(chunk_size=2000)
    ):
        end_of_day[timezone.localdate(posting[0])] = posting[1]
    total = 0
    for i in range(days):
        day = start + dt.timedelta(days=i)
        balance = end_of_day.get(day, balance)
        total += balance
    return total // days
