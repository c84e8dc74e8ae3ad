"""Read figures (issue 5, point 12): server-side times of the member's pages on the bulk
demo data (`seed_demo --members N --movements M`, the seed step's scratch database).

On top of the bulk data the bench builds, through the ledger's batch loader, one member
with an account of ``BIG_MOVEMENTS`` movements (the landing page, the movements page and
a deep page of it) and one account with exactly ``EXPORT_MOVEMENTS`` movements in the
last 12 months (its Excel and PDF exports). Each page is requested in-process through
Django's test ``Client`` (every middleware, the session in the database, the member
logged in with ``force_login`` as the tests do) and timed from the request to the last
byte of the response: no network, no browser, no WSGI server. Each figure is printed
with the load average after it; the charts' figures are also timed as of the last day of
last month, when they group a whole month of debits.

Django only ever runs in a spawned child process (as in bench/ledger.py), whose
DATABASE_URL names the scratch database.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import math
import multiprocessing
import os
import pstats
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

BIG_MOVEMENTS = 100_000
EXPORT_MOVEMENTS = 5_000
DEEP_OFFSET = 80_000  # the deep page starts this many movements after the newest: page 3,201
YEAR_DAYS = 364  # "12 months" that every period filter accepts (POSITION_MOVEMENTS_MAX_DAYS)


@dataclass(frozen=True)
class ReadPlan:
    samples: int = 200  # measured requests per page
    warmup: int = 20  # unmeasured requests per page first
    export_samples: int = 10  # measured downloads per export (after one unmeasured)
    profile: bool = False  # also cProfile each page and print where the time goes


# ---------------------------------------------------------------- figures (no Django)


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _ms(figures: dict[str, float], key: str) -> str:
    return f"{figures[key]:.1f} ms" if key in figures else "n/a"


def _s(figures: dict[str, float], key: str) -> str:
    return f"{figures[key]:.2f} s" if key in figures else "n/a"


def reads_line(figures: dict[str, float]) -> str:
    """The summary line; a figure that was not measured (an export not built) is n/a."""
    return (
        f"reads: position p95 {_ms(figures, 'read_position_p95_ms')},"
        f" movements p95 {_ms(figures, 'read_movements_p95_ms')},"
        f" deep page p95 {_ms(figures, 'read_deep_p95_ms')},"
        f" excel {EXPORT_MOVEMENTS} rows {_s(figures, 'read_excel_p95_s')},"
        f" pdf {EXPORT_MOVEMENTS} rows {_s(figures, 'read_pdf_p95_s')}"
    )


def reads_detail(figures: dict[str, float]) -> str:
    return (
        f"reads p50: position {_ms(figures, 'read_position_p50_ms')},"
        f" movements {_ms(figures, 'read_movements_p50_ms')},"
        f" deep page {_ms(figures, 'read_deep_p50_ms')},"
        f" excel {_s(figures, 'read_excel_p50_s')},"
        f" pdf {_s(figures, 'read_pdf_p50_s')}"
        " (targets: p95 < 50 ms per page, a 5,000-row export < 2 s)"
    )


# ---------------------------------------------------------------- child process


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "enlinea.settings"
    os.environ["DEBUG"] = "false"  # production-like: no query log
    import django

    django.setup()


def _spread(count: int, *, days: int) -> list[dt.datetime]:
    """``count`` instants evenly over the last ``days`` days, oldest first, all in the past."""
    from django.utils import timezone

    end = timezone.now() - dt.timedelta(minutes=5)
    step = dt.timedelta(days=days) / count
    return [end - step * (count - i) for i in range(count)]


def _history(ledger_id: int, cash_id: int, instants: list[dt.datetime], tag: str) -> None:
    """Deposits and withdrawals (never below zero) on one account at ``instants``."""
    from enlinea.ledger.bulk import BulkEntry, entries_bulk_load

    batch: list[BulkEntry] = []
    for i, when in enumerate(instants):
        if i % 3 == 2:  # two deposits of 1,000 cents, then a withdrawal of 1,500
            batch.append(
                BulkEntry(
                    f"bench:reads:{tag}:{i}",
                    "cash_withdrawal",
                    "Retiro en efectivo",
                    when,
                    ((ledger_id, -1_500), (cash_id, 1_500)),
                )
            )
        else:
            batch.append(
                BulkEntry(
                    f"bench:reads:{tag}:{i}",
                    "cash_deposit",
                    "Depósito en efectivo",
                    when,
                    ((cash_id, -1_000), (ledger_id, 1_000)),
                )
            )
        if len(batch) >= 50_000:
            entries_bulk_load(batch)
            batch.clear()
    if batch:
        entries_bulk_load(batch)


def _online_user(member, username: str):
    """The bulk member as a finished first login leaves it (as conftest's fixture does)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from enlinea.access.models import OnlineProfile

    user = get_user_model().objects.create_user(username=username, password=None)
    member.user = user
    member.save(update_fields=["user"])
    now = timezone.now()
    OnlineProfile.objects.create(
        user=user,
        security_image="delfin",
        temporary=False,
        setup_completed_at=now,
        password_changed_at=now,
    )
    return user


def _build(year_start: dt.date) -> tuple:
    """The big account's member and the export account's member; returns both accounts."""
    from django.db import connection

    from enlinea.demo.bulk import PROVINCE
    from enlinea.demo.identity import cedula
    from enlinea.ledger.models import AccountKind as LedgerKind
    from enlinea.ledger.models import Posting
    from enlinea.ledger.services import coop_account
    from enlinea.position.views.accounts import _local_start
    from enlinea.products.models import DepositAccount

    cash = coop_account(LedgerKind.CASH).pk
    big, small = (
        DepositAccount.objects.select_related("member").get(
            member__identification=cedula(PROVINCE, serial)
        )
        for serial in (1, 2)
    )
    started = time.perf_counter()
    _history(big.ledger_account_id, cash, _spread(BIG_MOVEMENTS, days=YEAR_DAYS - 4), "big")
    existing = Posting.objects.filter(
        account_id=small.ledger_account_id, created_at__gte=_local_start(year_start)
    ).count()
    _history(
        small.ledger_account_id,
        cash,
        _spread(EXPORT_MOVEMENTS - existing, days=YEAR_DAYS - 4),
        "export",
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ledger_posting")
        cursor.execute("VACUUM ANALYZE ledger_journalentry")
    for account, username in ((big, "benchgrande"), (small, "benchexporta")):
        account.member.user = _online_user(account.member, username)
    total = Posting.objects.count()
    print(
        f"  built: account {big.number} with"
        f" {Posting.objects.filter(account_id=big.ledger_account_id).count():,} movements,"
        f" account {small.number} with {EXPORT_MOVEMENTS:,} in the last 12 months"
        f" ({existing} from the seed); {total:,} postings in all;"
        f" {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return big, small


def _client(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _fetch(client, url: str, *, expect: bytes = b"") -> bytes:
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.get('Location', '')}")
    body = b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    if expect and not body.startswith(expect):
        raise RuntimeError(f"GET {url}: not a {expect!r} file")
    return body


def _time(fetch: Callable[[], object], *, warmup: int, samples: int) -> list[float]:
    for _ in range(warmup):
        fetch()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        fetch()
        times.append(time.perf_counter() - started)
    return times


def _queries(client, url: str) -> tuple[int, float]:
    """How many queries one request makes, and their total time in ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _fetch(client, url)
    return len(captured), sum(float(q["time"]) for q in captured.captured_queries) * 1000


def _profile(name: str, fetch: Callable[[], bytes], runs: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        fetch()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"enlinea/|template/base|db/models/query", 30)
    stats.sort_stats("tottime").print_stats(15)
    print(
        f"  -- cProfile, {name}, {runs} requests (the project's calls by cumulative, all by own):"
    )
    for line in out.getvalue().splitlines():
        if line.strip():
            print(f"     {line}")


def _explain(account, after, since, until) -> None:
    """EXPLAIN ANALYZE of the movement page's query on the big account."""
    from django.db import connection

    from enlinea.products.selectors.accounts import account_movements

    seen: list[tuple[str, object]] = []

    def keep(execute, sql, params, many, context):
        if "ledger_posting" in sql and "ORDER BY" in sql:
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        account_movements(account=account, since=since, until=until, after=after)
    sql, params = seen[0]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print("  -- EXPLAIN ANALYZE, deep page of the big account:")
    for line in plan:
        print(f"     {line}")


def _month_end_charts(account, today: dt.date) -> None:
    """The charts' figures of the big account as its page computes them on the last day
    of a month (last month's): the spending query then groups a whole month of debits,
    where the pages above see only this month's days so far (a handful early in a month)."""
    from enlinea.products.selectors.account_stats import monthly_balances, spending_by_concept

    last_day = today.replace(day=1) - dt.timedelta(days=1)
    debits = spending_by_concept(account=account, today=last_day).count

    def figures() -> None:  # what the movement pages compute for their two charts
        monthly_balances(account=account, today=last_day)
        spending_by_concept(account=account, today=last_day)

    times = _time(figures, warmup=3, samples=30)
    print(
        f"  charts' figures as of {last_day} (a full month, {debits:,} debits): p50"
        f" {percentile(times, 50) * 1000:.1f} ms, p95 {percentile(times, 95) * 1000:.1f} ms"
        f" ({_load()}); the pages above pay this share on a month's last day",
        flush=True,
    )


def _documents_url(name: str, number: str, query: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for kwargs in ({"args": [number]}, {"kwargs": {"number": number}}):
        try:
            return f"{reverse(name, **kwargs)}?{query}"
        except NoReverseMatch:
            continue
    return None


def _rows_check(kind: str, body: bytes) -> int:
    """Data rows in the downloaded file (pypdf / openpyxl), to show it is the 5,000."""
    if kind == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        return sheet.max_row or 0
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(body)).pages)


def _load() -> str:
    """The 1-minute load average after a measurement: above ~1 on these 2 cores, something
    else shared them and the figure is an upper bound."""
    return f"load {os.getloadavg()[0]:.2f}"


def _reportlab_accel() -> str:
    """Whether reportlab runs its C accelerators (the ``rl-accel`` package) or their pure
    Python fallbacks: the PDF export's time depends on it."""
    import reportlab
    from reportlab.lib import rl_accel

    c_funcs, py_funcs = sorted(rl_accel._c_funcs), sorted(rl_accel._py_funcs)
    if not py_funcs:
        return f"reportlab {reportlab.Version}: C accelerators for all {len(c_funcs)} functions"
    return (
        f"reportlab {reportlab.Version}: pure Python for {', '.join(py_funcs)}"
        " (is rl-accel installed?)"
    )


def _measure(url: str, plan: ReadPlan) -> dict[str, float]:
    _django(url)
    from django.urls import reverse
    from django.utils import timezone

    from enlinea.ledger.models import Posting
    from enlinea.position.views.accounts import _local_start, cursor_dumps
    from enlinea.products.selectors.accounts import Cursor

    today = timezone.localdate()
    year_start = today - dt.timedelta(days=YEAR_DAYS)
    big, small = _build(year_start)
    year = f"periodo=personalizado&desde={year_start}&hasta={today}&tipo=todos"

    deep = (
        Posting.objects.filter(
            account_id=big.ledger_account_id, created_at__gte=_local_start(year_start)
        )
        .order_by("-created_at", "-id")
        .values("id", "created_at")[DEEP_OFFSET]
    )
    after = Cursor(created_at=deep["created_at"], posting_id=deep["id"])
    movements = reverse("position:account_movements", args=[big.number])
    pages = {
        "position": reverse("web:home"),
        "movements": movements,
        "deep": f"{movements}?{year}&cursor={cursor_dumps(after, account=big)}",
    }
    member_client = _client(big.member.user)
    figures: dict[str, float] = {}
    for name, page in pages.items():
        body = _fetch(member_client, page)
        if name != "position" and b"Ver m" not in body:
            raise RuntimeError(f"{page}: no movements or no Ver más link")
        count, db_ms = _queries(member_client, page)
        times = _time(
            lambda page=page: _fetch(member_client, page),
            warmup=plan.warmup,
            samples=plan.samples,
        )
        figures[f"read_{name}_p50_ms"] = percentile(times, 50) * 1000
        figures[f"read_{name}_p95_ms"] = percentile(times, 95) * 1000
        print(
            f"  {name}: {page[:70]}{'…' if len(page) > 70 else ''}\n"
            f"    {len(times)} requests: p50 {figures[f'read_{name}_p50_ms']:.1f} ms,"
            f" p95 {figures[f'read_{name}_p95_ms']:.1f} ms, max {max(times) * 1000:.1f} ms;"
            f" {count} queries, {db_ms:.1f} ms of them in the database; {_load()}",
            flush=True,
        )
        if plan.profile:
            _profile(name, lambda page=page: _fetch(member_client, page), 50)
    _explain(big, after, _local_start(year_start), _local_start(today + dt.timedelta(days=1)))
    _month_end_charts(big, today)

    print(f"  {_reportlab_accel()}", flush=True)
    export_client = _client(small.member.user)
    for name, route, kind, magic in (
        ("excel", "documents:movements_xlsx", "xlsx", b"PK"),
        ("pdf", "documents:movements_pdf", "pdf", b"%PDF"),
    ):
        link = _documents_url(route, small.number, year)
        if link is None:
            print(f"  {name}: n/a ({route} does not resolve yet)", flush=True)
            continue
        body = _fetch(export_client, link, expect=magic)
        times = _time(
            lambda link=link, magic=magic: _fetch(export_client, link, expect=magic),
            warmup=0,
            samples=plan.export_samples,
        )
        figures[f"read_{name}_p50_s"] = percentile(times, 50)
        figures[f"read_{name}_p95_s"] = percentile(times, 95)
        unit = "rows in the sheet" if kind == "xlsx" else "pages"
        print(
            f"  {name}: {link}\n    {len(times)} downloads: p50"
            f" {figures[f'read_{name}_p50_s']:.2f} s, p95 {figures[f'read_{name}_p95_s']:.2f} s;"
            f" {len(body):,} bytes, {_rows_check(kind, body):,} {unit}; {_load()}",
            flush=True,
        )
        if plan.profile:
            _profile(name, lambda link=link: _fetch(export_client, link), 2)
    return figures


def measure_reads(url: str, plan: ReadPlan) -> dict[str, float]:
    """Build the two accounts in the (seeded) database at ``url`` and time the pages."""
    print("  reads: building the big and the export accounts", flush=True)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        figures = pool.apply(_measure, (url, plan))
    print(f"  {reads_line(figures)}")
    return figures
