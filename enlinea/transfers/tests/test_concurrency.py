"""Parallel transfers on PostgreSQL, with real threads and connections: one account is
never spent twice, crossed transfers do not deadlock (also composed inside outer
transactions, with cash and card purchases on the same accounts), one key posts once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.utils import timezone

from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.products.services import (
    ProductError,
    account_open,
    card_purchase_record,
    cash_deposit,
    cash_withdrawal,
    debit_card_issue,
    loan_disburse,
)
from enlinea.receipts.models import Receipt
from enlinea.receipts.services import Counterpart
from enlinea.security.audit import audit_record
from enlinea.security.models import AuditEvent, SecurityEvent
from enlinea.tariff.models import Fee
from enlinea.transfers.services import interbank_transfer_record, transfer_record
from enlinea.transfers.tests.conftest import OPENING, balance, fund
from tests.support.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROSA = Counterpart(
    name="ROSA QUISHPE", account_number="2203344556", institution="BANCO PICHINCHA C.A."
)


def test_parallel_interbank_transfers_never_overdraw(socio) -> None:
    account = account_open(member=socio, idempotency_key="small")
    fund(account, 1_000, "small-fund")  # $ 10.00: two transfers of $ 3.00 + $ 0.41 fit

    def send(i: int):
        return lambda: interbank_transfer_record(
            source=account, amount=300, beneficiary=ROSA, motive="", idempotency_key=f"p{i}"
        )

    results, errors = at_once([send(i) for i in range(THREADS)])
    assert len(results) == 2
    assert len(errors) == THREADS - 2
    assert all(isinstance(e, ProductError) for e in errors), errors
    assert all("insuficiente" in e.messages[0] for e in errors)
    assert balance(account) == 1_000 - 2 * 341
    assert Receipt.objects.filter(account=account, kind="transfer_interbank").count() == 2
    assert ledger_verify().ok


def test_crossed_transfers_between_two_accounts_do_not_deadlock(savings, other_savings) -> None:
    calls = []
    for i in range(THREADS):
        source, destination = (savings, other_savings) if i % 2 else (other_savings, savings)
        calls.append(
            lambda s=source, d=destination, i=i: transfer_record(
                source=s, kind="internal", destination=d, amount=1_000, idempotency_key=f"x{i}"
            )
        )
    results, errors = at_once(calls)
    assert errors == []
    assert len(results) == THREADS
    assert balance(savings) == OPENING
    assert balance(other_savings) == OPENING
    assert ledger_verify().ok


def test_one_key_sent_in_parallel_posts_once(savings, other_savings) -> None:
    entries = JournalEntry.objects.count()
    results, errors = at_once(
        [
            lambda: transfer_record(
                source=savings,
                kind="internal",
                destination=other_savings,
                amount=5_000,
                idempotency_key="double",
            )
            for _ in range(THREADS)
        ]
    )
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert JournalEntry.objects.count() == entries + 1
    assert balance(savings) == OPENING - 5_000


# ---------------------------------------------------------------- composed in outer transactions

ROUNDS = 25
FEE, FEE_IVA = 25, 4  # transfer_internal in the tariff below: 25 ¢ and 15 % IVA (3.75 → 4)
INTERBANK_FEES = 36 + 5  # the tariff's default for transfer_interbank


def _confirmed(step: Callable[[int], object], who: str) -> Callable[[], int]:
    """ROUNDS operations, each in its own durable transaction after a first write, as
    the confirmation flow runs them (the code is spent, then the service executes)."""

    def run() -> int:
        for n in range(ROUNDS):
            with transaction.atomic(durable=True):
                audit_record(kind=SecurityEvent.CODE_VERIFIED, username=who, round=n)
                step(n)
        return ROUNDS

    return run


def test_opposite_transfers_and_cash_inside_outer_transactions_never_deadlock(
    savings, other_savings
) -> None:
    Fee.objects.update_or_create(
        operation="transfer_internal", defaults={"commission": FEE, "iva_rate_bp": 1500}
    )
    card = debit_card_issue(account=savings, idempotency_key="card")
    entries = JournalEntry.objects.count()

    def there(n: int) -> None:
        transfer_record(
            source=savings,
            kind="internal",
            destination=other_savings,
            amount=1_000,
            idempotency_key=f"there-{n}",
        )

    def back(n: int) -> None:
        transfer_record(
            source=other_savings,
            kind="internal",
            destination=savings,
            amount=1_000,
            idempotency_key=f"back-{n}",
        )

    def cash(n: int) -> None:
        cash_deposit(account=savings, amount=500, idempotency_key=f"cash-in-{n}")

    def withdrawal(n: int) -> None:
        cash_withdrawal(account=other_savings, amount=200, idempotency_key=f"cash-out-{n}")

    def interbank(n: int) -> None:
        interbank_transfer_record(
            source=other_savings,
            amount=300,
            beneficiary=ROSA,
            motive="",
            idempotency_key=f"spi-{n}",
        )

    def purchase(n: int) -> None:
        card_purchase_record(card=card, amount=150, merchant="SUPERMAXI", idempotency_key=f"c{n}")

    def loan(n: int) -> None:  # locks the member's row first (a product is opened)
        loan_disburse(
            member=savings.member,
            account=savings,
            product_name="CRÉDITO DE CONSUMO",
            principal=2_000,
            annual_rate_bp=1200,
            term_months=1,
            disbursed_on=timezone.localdate(),
            idempotency_key=f"loan-{n}",
        )

    steps = {
        "there": there,
        "back": back,
        "cash": cash,
        "withdrawal": withdrawal,
        "interbank": interbank,
        "purchase": purchase,
        "loan": loan,
    }
    results, errors = at_once([_confirmed(step, who) for who, step in steps.items()])

    assert errors == [], errors[:3]
    assert results == [ROUNDS] * len(steps)
    fee = FEE + FEE_IVA
    assert balance(savings) == OPENING + ROUNDS * (-1_000 - fee + 1_000 + 500 - 150 + 2_000)
    assert balance(other_savings) == OPENING + ROUNDS * (
        1_000 - 1_000 - fee - 200 - 300 - INTERBANK_FEES
    )
    # Transfers and the interbank one post three entries each (movement, COMISIÓN, IVA).
    assert JournalEntry.objects.count() == entries + ROUNDS * (3 + 3 + 1 + 1 + 3 + 1 + 1)
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_VERIFIED).count() == ROUNDS * len(
        steps
    )
    assert ledger_verify().ok


def test_a_transfer_whose_outer_transaction_fails_later_leaves_nothing(
    savings, other_savings
) -> None:
    entries, receipts = JournalEntry.objects.count(), Receipt.objects.count()

    def spend_then_fail() -> None:
        with transaction.atomic(durable=True):
            transfer_record(
                source=savings,
                kind="internal",
                destination=other_savings,
                amount=5_000,
                idempotency_key="lost",
            )
            raise LookupError("the security code was spent by another tab")

    results, errors = at_once([spend_then_fail] * THREADS)

    assert results == []
    assert len(errors) == THREADS
    assert all(isinstance(e, LookupError) for e in errors), errors[:3]
    assert JournalEntry.objects.count() == entries
    assert Receipt.objects.count() == receipts
    assert balance(savings) == OPENING
    assert balance(other_savings) == OPENING
    assert ledger_verify().ok


# ---------------------------------------------------------------- cupos and clearing


def test_parallel_transfers_of_one_member_never_pass_the_cupo_or_the_balance(
    savings, other_savings
) -> None:
    from enlinea.limits.errors import LimitExceeded
    from enlinea.limits.models import LimitUsage, Scope
    from enlinea.limits.services import limits_set

    # $ 30.00 a day to other members: three of the eight $ 10.00 transfers fit, all
    # eight would fit the balance. Interbank: $ 45.00 a day, and a second account with
    # $ 25.00 whose balance lets two $ 10.00 (+ $ 0.41) through.
    limits_set(
        member=savings.member, scope=Scope.INTERNAL, daily=3_000, weekly=9_000, monthly=9_000
    )
    limits_set(
        member=savings.member, scope=Scope.EXTERNAL, daily=4_500, weekly=9_000, monthly=9_000
    )
    small = account_open(member=savings.member, idempotency_key="small-2")
    fund(small, 2_500, "small-2-fund")

    def internal(i: int):
        return lambda: transfer_record(
            source=savings,
            kind="internal",
            destination=other_savings,
            amount=1_000,
            idempotency_key=f"cupo-{i}",
        )

    def external(i: int):
        return lambda: interbank_transfer_record(
            source=small, amount=1_000, beneficiary=ROSA, motive="", idempotency_key=f"ext-{i}"
        )

    results, errors = at_once([internal(i) for i in range(THREADS)])
    assert len(results) == 3
    assert all(isinstance(e, LimitExceeded) for e in errors), errors
    assert {e.messages[0] for e in errors} == {
        "El monto supera tu cupo diario disponible de $ 0.00."
    }
    assert balance(savings) == OPENING - 3_000
    assert balance(other_savings) == OPENING + 3_000

    results, errors = at_once([external(i) for i in range(THREADS)])
    assert len(results) == 2
    assert all("insuficiente" in e.messages[0] for e in errors), errors
    assert balance(small) == 2_500 - 2 * 1_041
    used = LimitUsage.objects.filter(limit__scope=Scope.EXTERNAL, released_at__isnull=True)
    assert sum(used.values_list("amount", flat=True)) == 2_000
    assert LimitUsage.objects.filter(limit__scope=Scope.INTERNAL).count() == 3
    assert ledger_verify().ok


def _stuck_order(account, number: str, key: str):
    import datetime as dt

    from enlinea.transfers.clearing import clearing_cycle
    from enlinea.transfers.models import InterbankTransfer

    receipt = interbank_transfer_record(
        source=account,
        amount=1_000,
        beneficiary=Counterpart(
            name="ROSA QUISHPE", account_number=number, institution="BANCO PICHINCHA C.A."
        ),
        motive="",
        idempotency_key=key,
    )
    now = timezone.now()
    clearing_cycle(now=now)
    long_ago = now - dt.timedelta(minutes=40)
    InterbankTransfer.objects.filter(receipt=receipt).update(sent_at=long_ago, created_at=long_ago)
    return InterbankTransfer.objects.get(receipt=receipt)


def _staff() -> object:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="operaciones.hilos", is_staff=True)


def test_devolver_in_parallel_with_the_jobs_network_return_returns_once(savings) -> None:
    import datetime as dt

    from enlinea.transfers import clearing
    from enlinea.transfers.clearing import clearing_cycle, interbank_transfer_return
    from enlinea.transfers.models import InterbankTransfer, TransferStatus
    from enlinea.transfers.simulator import cycle_seconds

    staff = _staff()
    order = _stuck_order(savings, "2203340000", "ret")  # the network returns it at its cycle
    now = timezone.now() + dt.timedelta(seconds=cycle_seconds())

    def giveback():
        with transaction.atomic(durable=True):
            return interbank_transfer_return(
                transfer=order, reason="Confirmado con el BCE", by=staff, now=now
            )

    def cycle():
        return clearing_cycle(now=now)

    _results, errors = at_once([giveback, cycle] * (THREADS // 2))
    assert errors == [], errors[:3]
    order = InterbankTransfer.objects.get(pk=order.pk)
    assert order.status == TransferStatus.RETURNED
    assert balance(savings) == OPENING
    assert Receipt.objects.filter(kind=clearing.RETURN_RECEIPT_KIND).count() == 1
    assert JournalEntry.objects.filter(kind="interbank_return").count() == 1
    by_staff = order.returned_by_id == staff.pk
    assert order.return_reason == ("CONFIRMADO CON EL BCE" if by_staff else "CUENTA INEXISTENTE")
    assert AuditEvent.objects.filter(kind=clearing.AUDIT_RETURNED).count() == int(by_staff)
    assert ledger_verify().ok


def test_reintentar_in_parallel_with_the_job_sends_once_and_settles_once(savings) -> None:
    import datetime as dt

    from enlinea.transfers import clearing
    from enlinea.transfers.clearing import clearing_cycle, interbank_transfer_retry
    from enlinea.transfers.models import InterbankTransfer, TransferStatus
    from enlinea.transfers.simulator import cycle_seconds

    staff = _staff()
    order = _stuck_order(savings, "2203347777", "lost")  # the first send was lost
    now = timezone.now()

    def retry():
        return interbank_transfer_retry(transfer=order, by=staff, now=now)

    def cycle():
        return clearing_cycle(now=now)

    results, errors = at_once([retry, cycle] * (THREADS // 2))
    retried = [r for r in results if isinstance(r, InterbankTransfer)]
    assert len(retried) == 1
    assert len(errors) == THREADS // 2 - 1
    assert all("no está atascada" in e.messages[0] for e in errors), errors
    assert AuditEvent.objects.filter(kind=clearing.AUDIT_RETRIED).count() == 1
    later = now + dt.timedelta(seconds=cycle_seconds())
    results, errors = at_once([lambda: clearing_cycle(now=later)] * THREADS)
    assert errors == []
    assert InterbankTransfer.objects.get(pk=order.pk).status == TransferStatus.SETTLED
    assert JournalEntry.objects.filter(kind="interbank_settlement").count() == 1
    assert ledger_verify().ok


def test_parallel_cycles_batch_send_and_settle_each_order_once(savings, other_savings) -> None:
    import datetime as dt

    from enlinea.ledger.models import AccountKind as LedgerKind
    from enlinea.ledger.models import LedgerAccount
    from enlinea.transfers.clearing import clearing_cycle
    from enlinea.transfers.models import IncomingTransfer, InterbankTransfer, TransferStatus
    from enlinea.transfers.simulator import cycle_seconds, simulator_credit_schedule

    numbers = ["2203344556", "2203340000", "2203341234", "2203349999"] * 3
    for i, number in enumerate(numbers):
        interbank_transfer_record(
            source=savings if i % 2 else other_savings,
            amount=500 + i,
            beneficiary=Counterpart(
                name="ROSA QUISHPE", account_number=number, institution="BANCO PICHINCHA C.A."
            ),
            motive="",
            idempotency_key=f"par-{i}",
        )
    for i in range(4):
        simulator_credit_schedule(
            account_number=savings.number, amount=1_000, originator=ROSA, reference=f"in-{i}"
        )
    now = timezone.now()
    results, errors = at_once([lambda: clearing_cycle(now=now)] * THREADS)
    assert errors == [], errors[:3]
    assert sum(r.batched for r in results) == len(numbers)  # each order in one batch
    assert sum(r.credited for r in results) == 4  # each credit credited once
    assert all(r.errors == [] for r in results), [r.errors for r in results]
    later = now + dt.timedelta(seconds=cycle_seconds())
    results, errors = at_once([lambda: clearing_cycle(now=later)] * THREADS)
    assert errors == [], errors[:3]
    assert sum(r.settled for r in results) == 6
    assert sum(r.returned for r in results) == 6

    orders = InterbankTransfer.objects.all()
    assert orders.filter(batch__isnull=True).count() == 0
    assert orders.filter(status=TransferStatus.SETTLED).count() == 6
    assert orders.filter(status=TransferStatus.RETURNED).count() == 6
    assert JournalEntry.objects.filter(kind="interbank_settlement").count() == 6
    assert JournalEntry.objects.filter(kind="interbank_return").count() == 6
    assert orders.filter(return_receipt__isnull=False).count() == 6
    assert IncomingTransfer.objects.filter(status="ACREDITADA").count() == 4
    assert (
        balance(savings)
        == OPENING
        - sum(500 + i + 41 for i in range(1, 12, 2))
        + sum(500 + i + 41 for i, n in enumerate(numbers) if i % 2 and n[-4:] in ("0000", "9999"))
        + 4 * 1_000
    )
    clearing_left = sum(
        LedgerAccount.objects.filter(kind=LedgerKind.CLEARING, is_group=False).values_list(
            "balance", flat=True
        )
    )
    assert clearing_left == 0
    assert ledger_verify().ok
