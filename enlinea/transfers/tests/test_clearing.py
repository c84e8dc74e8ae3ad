"""Interbank clearing with the SPI simulator, cycle by cycle at explicit times: orders
are batched once, settled or returned once (with the fees and the cupo given back and
the member told), a replayed batch pays once, stuck orders are retried or returned once,
and incoming credits are credited once or returned to the network."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.limits.models import LimitUsage, Scope
from enlinea.limits.selectors import used_of
from enlinea.limits.services import limits_set
from enlinea.notifications.models import Message
from enlinea.products.models import AccountStatus
from enlinea.products.selectors.accounts import account_movements
from enlinea.products.services import ProductError, account_set_status
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.receipts.services import Counterpart
from enlinea.security.models import AuditEvent
from enlinea.transfers import clearing
from enlinea.transfers.clearing import (
    batch_collect,
    clearing_cycle,
    interbank_transfer_retry,
    interbank_transfer_return,
    interbank_transfer_settle,
    stuck_q,
)
from enlinea.transfers.models import (
    BatchStatus,
    IncomingStatus,
    IncomingTransfer,
    InterbankBatch,
    InterbankTransfer,
    SimulatorCredit,
    SimulatorOrder,
    TransferStatus,
)
from enlinea.transfers.network import Batch, NetworkError
from enlinea.transfers.selectors import interbank_state_for_receipt
from enlinea.transfers.simulator import SpiSimulator, simulator_credit_schedule
from enlinea.transfers.tests.conftest import OPENING, balance, interbank, kind_balance, postings

pytestmark = pytest.mark.django_db

CYCLE = dt.timedelta(seconds=120)
FEES = 36 + 5  # the tariff's default COMISIÓN and IVA of an interbank transfer
EMPLOYER = Counterpart(
    name="EMPRESA ANDINA DE SOFTWARE S.A.",
    identification="1792345678001",
    account_number="2100123456",
    account_type="CORRIENTE",
    institution="BANCO PICHINCHA C.A.",
)


@pytest.fixture(autouse=True)
def _cycle(settings) -> None:
    settings.SPI_SIMULATOR_CYCLE_SECONDS = int(CYCLE.total_seconds())
    settings.INTERBANK_STUCK_MINUTES = 30
    settings.INTERBANK_NETWORK = "enlinea.transfers.simulator.SpiSimulator"


def _later(**delta: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(**delta)


def _fresh(transfer: InterbankTransfer) -> InterbankTransfer:
    return InterbankTransfer.objects.get(pk=transfer.pk)


def _in_transit() -> int:
    """What the open orders hold: the clearing account must hold exactly that."""
    return sum(
        InterbankTransfer.objects.filter(
            status__in=[TransferStatus.PENDING, TransferStatus.SENT]
        ).values_list("amount", flat=True)
    )


def _books_hold() -> None:
    assert kind_balance(LedgerKind.CLEARING) == _in_transit()
    report = ledger_verify()
    assert report.ok, report.problems


# ---------------------------------------------------------------- phase one


def test_an_interbank_transfer_is_debited_at_once_and_waits_pending_in_clearing(savings) -> None:
    order = interbank(savings, 15_000, "2203344556", "ib")
    assert order.status == TransferStatus.PENDING
    assert order.batch is None
    assert (order.amount, order.commission, order.iva) == (15_000, 36, 5)
    assert order.source_id == savings.pk
    assert order.member_id == savings.member_id
    assert order.beneficiary_account == "2203344556"
    assert order.institution == "BANCO PICHINCHA C.A."
    assert balance(savings) == OPENING - 15_000 - FEES
    assert kind_balance(LedgerKind.CLEARING) == 15_000
    state = interbank_state_for_receipt(order.receipt_id)
    assert state.status == "PENDIENTE"
    assert "próximo ciclo" in state.note
    _books_hold()


def test_a_replayed_interbank_transfer_makes_one_order(savings) -> None:
    first = interbank(savings, 1_000, "2203344556", "same")
    again = interbank(savings, 1_000, "2203344556", "same")
    assert first.pk == again.pk
    assert InterbankTransfer.objects.count() == 1
    assert LimitUsage.objects.filter(reference="same").count() == 1


# ---------------------------------------------------------------- settlement


def test_a_transfer_settles_at_the_end_of_its_cycle(savings) -> None:
    order = interbank(savings, 15_000, "2203344556", "ib")
    central_bank = kind_balance(LedgerKind.CENTRAL_BANK)
    t0 = _later(seconds=1)

    first = clearing_cycle(now=t0)
    order = _fresh(order)
    assert (first.batched, first.sent, first.settled) == (1, 1, 0)
    assert order.status == TransferStatus.SENT
    assert order.batch.status == BatchStatus.SENT
    assert order.sent_at == t0
    assert order.attempts == 1
    assert SimulatorOrder.objects.get(reference=order.reference).batch_reference == (
        order.batch.reference
    )

    assert clearing_cycle(now=t0 + CYCLE / 2).settled == 0  # the cycle is still running
    assert _fresh(order).status == TransferStatus.SENT

    done = clearing_cycle(now=t0 + CYCLE)
    order = _fresh(order)
    assert done.settled == 1
    assert order.status == TransferStatus.SETTLED
    assert order.settled_at == t0 + CYCLE
    # The money left the clearing account for the Banco Central account; the member's
    # account shows the three debits of the day it was sent and nothing else.
    assert [amount for _, amount in postings(savings)] == [OPENING, -15_000, -36, -5]
    assert kind_balance(LedgerKind.CLEARING) == 0
    assert kind_balance(LedgerKind.CENTRAL_BANK) == central_bank + 15_000
    assert balance(savings) == OPENING - 15_000 - FEES
    assert JournalEntry.objects.filter(kind="interbank_settlement").count() == 1
    assert interbank_state_for_receipt(order.receipt_id).status == "LIQUIDADA"
    # Later cycles leave a settled order alone.
    assert clearing_cycle(now=t0 + 3 * CYCLE).settled == 0
    assert JournalEntry.objects.filter(kind="interbank_settlement").count() == 1
    _books_hold()


def test_each_order_goes_in_one_batch_once(savings, other_savings) -> None:
    a = interbank(savings, 1_000, "2203344556", "a")
    b = interbank(other_savings, 2_000, "2203340001", "b")
    t0 = _later(seconds=1)
    batch = batch_collect(now=t0)
    assert set(batch.transfers.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert batch_collect(now=t0) is None  # nothing left without a batch
    c = interbank(savings, 3_000, "2203344556", "c")
    second = batch_collect(now=_later(seconds=2))
    assert list(second.transfers.values_list("pk", flat=True)) == [c.pk]
    assert InterbankBatch.objects.count() == 2


def test_a_batch_sent_twice_settles_each_transfer_once(savings, other_savings) -> None:
    orders = [
        interbank(savings, 1_000, "2203344556", "a"),
        interbank(other_savings, 2_000, "2203340001", "b"),
    ]
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    batch = _fresh(orders[0]).batch
    # The worker crashed after the network took the batch and before it noted so: the
    # batch is still ARMADO and the next cycle sends it again, the same references.
    InterbankBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.READY)
    InterbankTransfer.objects.filter(batch=batch).update(status=TransferStatus.PENDING)
    replay = [
        clearing_cycle(now=t0 + CYCLE),
        clearing_cycle(now=t0 + CYCLE + dt.timedelta(seconds=1)),
    ]
    network = SpiSimulator()
    wire = Batch(batch.reference, [clearing._order(_fresh(o)) for o in orders])
    results = network.send(wire, now=t0 + 2 * CYCLE)  # and once more by hand
    clearing._results_apply(
        results,
        {o.reference: _fresh(o) for o in orders},
        now=t0 + 2 * CYCLE,
        report=clearing.CycleReport(),
    )

    assert sum(r.settled for r in replay) == 2
    assert SimulatorOrder.objects.count() == 2
    assert {_fresh(o).status for o in orders} == {TransferStatus.SETTLED}
    assert JournalEntry.objects.filter(kind="interbank_settlement").count() == 2
    assert kind_balance(LedgerKind.CLEARING) == 0
    _books_hold()


def test_settling_again_posts_nothing(savings) -> None:
    order = interbank(savings, 1_000, "2203344556", "a")
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    clearing_cycle(now=t0 + CYCLE)
    entries = JournalEntry.objects.count()
    assert interbank_transfer_settle(transfer=order).status == TransferStatus.SETTLED
    assert JournalEntry.objects.count() == entries


def test_a_network_that_cannot_be_reached_leaves_the_batch_to_the_next_cycle(
    savings, monkeypatch
) -> None:
    order = interbank(savings, 1_000, "2203344556", "a")

    def down(self, batch, *, now):
        raise NetworkError("SPI no disponible")

    monkeypatch.setattr(SpiSimulator, "send", down)
    t0 = _later(seconds=1)
    report = clearing_cycle(now=t0)
    batch = InterbankBatch.objects.get()
    assert report.sent == 0
    assert "SPI no disponible" in report.errors[0]
    assert batch.status == BatchStatus.READY
    assert batch.attempts == 1
    assert batch.last_error == "SPI no disponible"
    assert _fresh(order).status == TransferStatus.PENDING
    monkeypatch.undo()
    assert clearing_cycle(now=t0 + CYCLE).sent == 1
    clearing_cycle(now=t0 + 2 * CYCLE)
    assert _fresh(order).status == TransferStatus.SETTLED
    assert InterbankBatch.objects.count() == 1  # the same batch, sent when it could be
    _books_hold()


# ---------------------------------------------------------------- returns


@pytest.mark.parametrize(
    ("account_number", "reason"),
    [
        ("2203340000", "CUENTA INEXISTENTE"),
        ("2203349999", "CUENTA CERRADA"),
        ("2203348888", "CUENTA BLOQUEADA"),
    ],
)
def test_a_returned_transfer_credits_the_amount_and_the_fees_back(
    savings, account_number, reason, smtp_server, django_capture_on_commit_callbacks
) -> None:
    limits_set(
        member=savings.member, scope=Scope.EXTERNAL, daily=50_000, weekly=100_000, monthly=200_000
    )
    order = interbank(savings, 20_000, account_number, "ib")
    assert used_of(LimitUsage.objects.get(reference="ib").limit_id, timezone.now()).daily == 20_000
    t0 = _later(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        clearing_cycle(now=t0)
        report = clearing_cycle(now=t0 + CYCLE)

    order = _fresh(order)
    assert report.returned == 1
    assert order.status == TransferStatus.RETURNED
    assert order.return_reason == reason
    assert order.returned_by is None
    assert balance(savings) == OPENING
    # Three credits of their own, with the reason, after the three debits.
    assert postings(savings)[-6:] == [
        ("ND TRANSFERENCIA INTERBANCARIA BANCO PICHINCHA C.A.", -20_000),
        ("COMISIÓN TRANSFERENCIA INTERBANCARIA", -36),
        ("IVA TRANSFERENCIA INTERBANCARIA", -5),
        (f"NC DEVOLUCIÓN TRANSFERENCIA INTERBANCARIA {reason}", 20_000),
        ("NC DEVOLUCIÓN COMISIÓN TRANSFERENCIA INTERBANCARIA", 36),
        ("NC DEVOLUCIÓN IVA TRANSFERENCIA INTERBANCARIA", 5),
    ]
    rows, _ = account_movements(
        account=savings, since=t0 - dt.timedelta(days=1), until=_later(days=1)
    )
    assert [r.amount for r in rows[:3]] == [5, 36, 20_000]
    assert all(r.kind_label == "NOTA DE CREDITO" for r in rows[:3])
    # The return's comprobante, the member's, with every credit; the original says so.
    back = order.return_receipt
    assert back.member_id == savings.member_id
    assert back.account_id == savings.pk
    assert back.channel == Channel.INTERBANK
    assert back.kind == clearing.RETURN_RECEIPT_KIND
    assert back.amount == 20_000 + FEES
    assert back.entry_links.count() == 3
    assert f"N.º {order.receipt_id}" in back.motive
    assert reason in back.motive
    state = interbank_state_for_receipt(order.receipt_id)
    assert state.returned
    assert state.label == f"Devuelta: {reason}"
    assert state.return_receipt == back.pk
    # The cupo it used counts no more; the member got an e-mail (and an SMS).
    assert LimitUsage.objects.get(reference="ib").released_at is not None
    assert used_of(LimitUsage.objects.get(reference="ib").limit_id, timezone.now()).daily == 0
    email = smtp_server.wait_for(to=savings.member.email)
    assert f"N.º {order.receipt_id} fue devuelta" in email["Subject"]
    body = smtp_server.body(email)
    assert f"Motivo: {reason}" in body
    assert "$ 200.41" in body
    assert Message.objects.filter(kind=clearing.NOTICE_RETURNED, channel="sms").count() == 1
    _books_hold()


def test_a_returned_transfer_frees_its_cupo_for_another(savings) -> None:
    limits_set(
        member=savings.member, scope=Scope.EXTERNAL, daily=10_000, weekly=20_000, monthly=40_000
    )
    interbank(savings, 10_000, "2203340000", "first")
    with pytest.raises(ProductError, match=r"cupo diario disponible de \$ 0\.00"):
        interbank(savings, 100, "2203344556", "second")
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    clearing_cycle(now=t0 + CYCLE)
    assert interbank(savings, 10_000, "2203344556", "third").status == TransferStatus.PENDING


def test_a_return_is_applied_once(savings) -> None:
    order = interbank(savings, 1_000, "2203340000", "ib")
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    clearing_cycle(now=t0 + CYCLE)
    entries, receipts = JournalEntry.objects.count(), Receipt.objects.count()
    clearing_cycle(now=t0 + 2 * CYCLE)  # the network reports it again
    again = interbank_transfer_return(transfer=order, reason="OTRA VEZ")
    assert again.return_reason == "CUENTA INEXISTENTE"
    assert (JournalEntry.objects.count(), Receipt.objects.count()) == (entries, receipts)
    assert Message.objects.filter(kind=clearing.NOTICE_RETURNED, channel="email").count() == 1
    assert balance(savings) == OPENING


def test_a_settled_transfer_cannot_be_returned(savings) -> None:
    order = interbank(savings, 1_000, "2203344556", "ib")
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    clearing_cycle(now=t0 + CYCLE)
    with pytest.raises(ProductError, match="ya fue liquidada"):
        interbank_transfer_return(transfer=order, reason="ERROR")
    assert balance(savings) == OPENING - 1_000 - FEES


def test_money_comes_back_even_to_an_account_blocked_meanwhile(savings) -> None:
    order = interbank(savings, 1_000, "2203340000", "ib")
    account_set_status(account=savings, status=AccountStatus.BLOCKED)
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    clearing_cycle(now=t0 + CYCLE)
    assert _fresh(order).status == TransferStatus.RETURNED
    assert balance(savings) == OPENING


def test_a_network_settlement_after_a_return_is_refused_and_audited(savings) -> None:
    order = interbank(savings, 1_000, "2203344556", "ib")
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    interbank_transfer_return(transfer=order, reason="DEVUELTA A MANO", now=t0)
    interbank_transfer_settle(transfer=order, now=t0 + CYCLE)
    assert _fresh(order).status == TransferStatus.RETURNED
    assert JournalEntry.objects.filter(kind="interbank_settlement").count() == 0
    assert AuditEvent.objects.filter(kind=clearing.AUDIT_CONFLICT).count() == 1
    _books_hold()


# ---------------------------------------------------------------- stuck orders


def test_a_lost_order_is_stuck_and_reintentar_sends_it_once(savings, staff_user) -> None:
    order = interbank(savings, 1_000, "2203347777", "ib")  # the first send is lost
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    clearing_cycle(now=t0 + CYCLE)
    assert _fresh(order).status == TransferStatus.SENT
    assert not InterbankTransfer.objects.filter(stuck_q(t0 + CYCLE)).exists()
    late = t0 + dt.timedelta(minutes=31)
    assert list(InterbankTransfer.objects.filter(stuck_q(late))) == [order]

    done = interbank_transfer_retry(transfer=order, by=staff_user, now=late)
    assert done.status == TransferStatus.SENT
    assert done.attempts == 2
    assert done.sent_at == late
    with pytest.raises(ProductError, match="no está atascada"):
        interbank_transfer_retry(transfer=order, by=staff_user, now=late)
    assert AuditEvent.objects.filter(kind=clearing.AUDIT_RETRIED, user=staff_user).count() == 1
    assert not InterbankTransfer.objects.filter(stuck_q(late)).exists()

    clearing_cycle(now=late + CYCLE)
    assert _fresh(order).status == TransferStatus.SETTLED
    with pytest.raises(ProductError, match="ya está LIQUIDADA"):
        interbank_transfer_retry(
            transfer=order, by=staff_user, now=late + 2 * CYCLE + dt.timedelta(hours=1)
        )
    assert JournalEntry.objects.filter(kind="interbank_settlement").count() == 1
    _books_hold()


def test_reintentar_when_the_network_is_down_changes_nothing(
    savings, staff_user, monkeypatch
) -> None:
    order = interbank(savings, 1_000, "2203347777", "ib")
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    before = _fresh(order)

    def down(self, batch, *, now):
        raise NetworkError("SPI no disponible")

    monkeypatch.setattr(SpiSimulator, "send", down)
    late = t0 + dt.timedelta(minutes=31)
    with pytest.raises(ProductError, match="Sigue atascada"):
        interbank_transfer_retry(transfer=order, by=staff_user, now=late)
    after = _fresh(order)
    assert (after.sent_at, after.attempts, after.status) == (before.sent_at, 1, TransferStatus.SENT)
    assert InterbankTransfer.objects.filter(stuck_q(late)).exists()


def test_an_order_never_answered_is_returned_by_staff_once(savings, staff_user) -> None:
    order = interbank(savings, 1_000, "2203346666", "ib")  # accepted, never answered
    t0 = _later(seconds=1)
    clearing_cycle(now=t0)
    clearing_cycle(now=t0 + 10 * CYCLE)
    assert _fresh(order).status == TransferStatus.SENT
    with pytest.raises(ProductError, match="no está atascada"):
        interbank_transfer_return(transfer=order, reason="x", by=staff_user, now=t0 + CYCLE)
    with pytest.raises(ProductError, match="Indica el motivo"):
        interbank_transfer_return(transfer=order, reason="  ", by=staff_user)

    late = t0 + dt.timedelta(minutes=45)
    done = interbank_transfer_return(
        transfer=order, reason="Confirmado con el BCE: no procesada", by=staff_user, now=late
    )
    assert done.status == TransferStatus.RETURNED
    assert done.returned_by == staff_user
    assert done.return_reason == "CONFIRMADO CON EL BCE: NO PROCESADA"
    again = interbank_transfer_return(transfer=order, reason="otra", by=staff_user, now=late)
    assert again.returned_at == late
    assert balance(savings) == OPENING
    assert (
        Receipt.objects.filter(kind=clearing.RETURN_RECEIPT_KIND, member=savings.member).count()
        == 1
    )
    event = AuditEvent.objects.get(kind=clearing.AUDIT_RETURNED)
    assert event.user == staff_user
    assert event.member == savings.member
    assert event.detail["reason"] == "CONFIRMADO CON EL BCE: NO PROCESADA"
    assert not InterbankTransfer.objects.filter(stuck_q(late)).exists()
    _books_hold()


def test_an_order_the_job_never_batched_is_stuck_and_can_be_retried(savings, staff_user) -> None:
    order = interbank(savings, 1_000, "2203344556", "ib")
    late = _later(minutes=31)
    assert list(InterbankTransfer.objects.filter(stuck_q(late))) == [order]
    done = interbank_transfer_retry(transfer=order, by=staff_user, now=late)
    assert done.status == TransferStatus.SENT
    assert done.batch is not None
    clearing_cycle(now=late + CYCLE)
    assert _fresh(order).status == TransferStatus.SETTLED


# ---------------------------------------------------------------- incoming credits


def test_incoming_credits_are_credited_once_for_free(
    savings, smtp_server, django_capture_on_commit_callbacks
) -> None:
    credit = simulator_credit_schedule(
        account_number=savings.number, amount=185_000, originator=EMPLOYER, motive="Pago de nómina"
    )
    central_bank = kind_balance(LedgerKind.CENTRAL_BANK)
    t0 = _later(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        report = clearing_cycle(now=t0)
    assert report.credited == 1
    row = IncomingTransfer.objects.get()
    assert row.status == IncomingStatus.CREDITED
    assert row.destination_id == savings.pk
    assert row.network_reference == credit.reference
    assert row.receipt.kind == ReceiptKind.TRANSFER_RECEIVED
    assert (row.receipt.commission, row.receipt.iva) == (0, 0)
    assert balance(savings) == OPENING + 185_000
    assert kind_balance(LedgerKind.CENTRAL_BANK) == central_bank - 185_000
    credit.refresh_from_db()
    assert credit.credited is True
    assert credit.acknowledged_at == t0
    email = smtp_server.wait_for(to=savings.member.email)
    assert "Recibiste una transferencia de $ 1,850.00" in email["Subject"]
    # Delivered again (the acknowledgement was lost): recorded and credited once.
    SimulatorCredit.objects.filter(pk=credit.pk).update(acknowledged_at=None)
    assert clearing_cycle(now=t0 + CYCLE).credited == 0
    credit.refresh_from_db()
    assert (credit.credited, credit.acknowledged_at) == (True, t0 + CYCLE)  # acknowledged again
    assert IncomingTransfer.objects.count() == 1
    assert balance(savings) == OPENING + 185_000
    assert Receipt.objects.filter(kind=ReceiptKind.TRANSFER_RECEIVED).count() == 1
    _books_hold()


@pytest.mark.parametrize(
    ("status", "reason"),
    [(AccountStatus.INACTIVE, "CUENTA INACTIVA"), (AccountStatus.BLOCKED, "CUENTA BLOQUEADA")],
)
def test_an_incoming_credit_to_an_inactive_or_blocked_account_is_returned(
    savings, status, reason
) -> None:
    account_set_status(account=savings, status=status)
    credit = simulator_credit_schedule(
        account_number=savings.number, amount=5_000, originator=EMPLOYER, motive="Pago"
    )
    report = clearing_cycle(now=_later(seconds=1))
    assert (report.credited, report.returned_incoming) == (0, 1)
    row = IncomingTransfer.objects.get()
    assert (row.status, row.return_reason, row.receipt) == (IncomingStatus.RETURNED, reason, None)
    credit.refresh_from_db()
    assert (credit.credited, credit.return_reason) == (False, reason)
    assert balance(savings) == OPENING
    assert not Receipt.objects.filter(kind=ReceiptKind.TRANSFER_RECEIVED).exists()
    _books_hold()


def test_an_incoming_credit_to_an_unknown_account_is_returned(db) -> None:
    simulator_credit_schedule(account_number="4199999999", amount=5_000, originator=EMPLOYER)
    report = clearing_cycle(now=_later(seconds=1))
    assert report.returned_incoming == 1
    assert IncomingTransfer.objects.get().return_reason == "CUENTA INEXISTENTE"
    assert SimulatorCredit.objects.get().credited is False


def test_an_incoming_credit_is_delivered_from_its_time(savings) -> None:
    simulator_credit_schedule(
        account_number=savings.number,
        amount=5_000,
        originator=EMPLOYER,
        deliver_at=_later(minutes=10),
    )
    assert clearing_cycle(now=_later(seconds=1)).credited == 0
    assert clearing_cycle(now=_later(minutes=11)).credited == 1


def test_the_simulator_schedules_a_credit_once_by_reference(savings) -> None:
    first = simulator_credit_schedule(
        account_number=savings.number, amount=100, originator=EMPLOYER, reference="X-1"
    )
    second = simulator_credit_schedule(
        account_number=savings.number, amount=100, originator=EMPLOYER, reference="X-1"
    )
    assert first.pk == second.pk
    with pytest.raises(ValueError, match="positive"):
        simulator_credit_schedule(account_number=savings.number, amount=0, originator=EMPLOYER)


def test_the_periodic_job_runs_one_cycle(savings) -> None:
    from enlinea.transfers.tasks import interbank_clearing

    order = interbank(savings, 1_000, "2203344556", "ib")
    result = interbank_clearing.call_local()
    assert result["sent"] == 1
    assert _fresh(order).status == TransferStatus.SENT


def test_the_spi_credito_command_schedules_a_credit_the_next_cycle_delivers(savings) -> None:
    from django.core.management import CommandError, call_command

    call_command("spi_credito", cuenta=savings.number, monto="25.50", referencia="CMD-1")
    call_command("spi_credito", cuenta=savings.number, monto="25.50", referencia="CMD-1")
    assert SimulatorCredit.objects.get().amount == 2_550
    assert clearing_cycle(now=_later(seconds=1)).credited == 1
    assert balance(savings) == OPENING + 2_550
    with pytest.raises(CommandError, match="Ingresa un monto mayor a cero"):
        call_command("spi_credito", cuenta=savings.number, monto="0")
    with pytest.raises(CommandError):
        call_command("spi_credito", cuenta=savings.number, monto="abc")
