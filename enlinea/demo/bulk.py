"""Bulk demo data for benchmarks: many members, each with a savings account, and a year
of movements among them, written through the ledger's batch loader (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone

from enlinea.demo.identity import cedula
from enlinea.ledger.bulk import BulkEntry, accounts_bulk_open, entries_bulk_load
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure, coop_account
from enlinea.members.models import Member
from enlinea.products.models import AccountKind, DepositAccount

PROVINCE = "09"  # bulk members are numbered apart from the realistic ones (province 17)
FIRST = ("JUAN", "MARIA", "CARLOS", "ANA", "LUIS", "ROSA", "PEDRO", "LUCIA", "JORGE", "DIANA")
LAST = ("PEREZ", "GARCIA", "TORRES", "VERA", "MORA", "CEDEÑO", "ZAMBRANO", "SUAREZ", "LEON", "RIOS")
BATCH = 100_000  # entries per transaction


def bulk_seed(*, members: int, movements: int, seed: int = 2026, log=print) -> dict[str, float]:
    """Create ``members`` members and ``movements`` postings; returns timings in seconds."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    chart_ensure()
    if Member.objects.filter(identification=cedula(PROVINCE, 1)).exists():
        log("Los socios de carga masiva ya existen; no se crea nada.")
        return timings
    now = timezone.now()
    with transaction.atomic():
        people = [
            Member(
                identification_type="CEDULA",
                identification=cedula(PROVINCE, i),
                first_names=f"{FIRST[i % 10]} {FIRST[(i // 10) % 10]}",
                last_names=f"{LAST[(i // 100) % 10]} {LAST[(i // 7) % 10]}",
                email=f"socio{i}@demo.enlinea.ec",
                mobile_phone=f"09{i:08d}"[:10],
                created_at=now,
            )
            for i in range(1, members + 1)
        ]
        Member.objects.bulk_create(people, batch_size=5_000)
        ids = accounts_bulk_open(
            [(f"tmp-bulk-{i}", "Cuenta de ahorros") for i in range(1, members + 1)]
        )
        numbers = [f"41{pk:08d}" for pk in ids]
        ledger_rows = [
            LedgerAccount(pk=pk, code=f"2101-{number}")
            for pk, number in zip(ids, numbers, strict=True)
        ]
        LedgerAccount.objects.bulk_update(ledger_rows, ["code"], batch_size=1_000)
        DepositAccount.objects.bulk_create(
            [
                DepositAccount(
                    member=person,
                    ledger_account_id=pk,
                    number=number,
                    kind=AccountKind.SAVINGS,
                    opened_at=now,
                    idempotency_key=f"bulk:account:{person.identification}",
                )
                for person, pk, number in zip(people, ids, numbers, strict=True)
            ],
            batch_size=5_000,
        )
    timings["members"] = time.perf_counter() - started
    log(f"{members:,} socios y cuentas en {timings['members']:.1f} s")

    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    cash = coop_account(LedgerKind.CASH).pk
    balances = [0] * members
    start = now - datetime.timedelta(days=365)
    transfers = max(0, (movements - 2 * members) // 2)
    total_entries = members + transfers
    step = datetime.timedelta(days=365) / max(total_entries, 1)
    written = 0
    batch: list[BulkEntry] = []
    loaded = time.perf_counter()

    def flush() -> None:
        nonlocal written
        written += entries_bulk_load(batch)
        batch.clear()

    for i in range(total_entries):
        when = start + step * i
        if i < members:
            amount = rng.randint(10_000, 500_000)
            balances[i] += amount
            batch.append(
                BulkEntry(
                    f"bulk:deposit:{i}",
                    "cash_deposit",
                    "Depósito en efectivo",
                    when,
                    ((cash, -amount), (ids[i], amount)),
                )
            )
        else:
            src = rng.randrange(members)
            dst = rng.randrange(members - 1)
            dst += dst >= src
            if balances[src] < 100:
                src, dst = dst, src
            amount = rng.randint(1, max(1, min(balances[src], 50_000)))
            if balances[src] < amount:
                amount = balances[src]
            if amount == 0:  # both empty: top up from cash instead
                amount = 10_000
                balances[src] += amount
                batch.append(
                    BulkEntry(
                        f"bulk:entry:{i}",
                        "cash_deposit",
                        "Depósito en efectivo",
                        when,
                        ((cash, -amount), (ids[src], amount)),
                    )
                )
            else:
                balances[src] -= amount
                balances[dst] += amount
                batch.append(
                    BulkEntry(
                        f"bulk:entry:{i}",
                        "transfer_internal",
                        "Transferencia entre socios",
                        when,
                        ((ids[src], -amount), (ids[dst], amount)),
                    )
                )
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    timings["movements"] = time.perf_counter() - loaded
    timings["total"] = time.perf_counter() - started
    log(f"{written:,} movimientos en {timings['movements']:.1f} s (total {timings['total']:.1f} s)")
    return timings
