"""A payment to a catalogue biller: two-phase through the billers' settlement account,
the biller's own fee from the tariff, confirmed once, returned with its fee when the
biller refuses, pending while the biller is down, never paid twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.money import format_cents
from enlinea.notifications.models import Message
from enlinea.payments.models import BillPayment, BillPaymentStatus, SimulatorPayment
from enlinea.payments.services import (
    NOTICE_PAID,
    NOTICE_RETURNED,
    bill_inquiry,
    bill_payment_complete,
    bill_payment_confirm,
    bill_payment_return,
    bill_payment_start,
    bill_payments_resolve,
)
from enlinea.payments.tests.support import biller_make, topup_make
from enlinea.products.services import ProductError, account_open
from enlinea.receipts.models import Channel, Receipt
from enlinea.tariff.models import Fee
from enlinea.tariff.services import Fees, fee_for_biller, fees_for
from enlinea.transfers.tests.conftest import OPENING, balance, fund, kind_balance, postings
from tests.support.threads import at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def luz():
    return biller_make()


def _books() -> tuple[int, int]:
    return kind_balance(LedgerKind.BILLER_SETTLEMENT), kind_balance(LedgerKind.CENTRAL_BANK)


def _pay(source, biller, reference="1000234567", key="bp1", **changes) -> BillPayment:
    bill = bill_inquiry(biller=biller, reference=reference)
    params = {"amount": bill.amount, "bill_id": bill.bill_id, **changes}
    return bill_payment_start(
        source=source, biller=biller, reference=reference, idempotency_key=key, **params
    )


def _biller_fee(biller, commission: int, rate: int = 1500) -> None:
    Fee.objects.create(
        operation="bill_payment", biller=biller, commission=commission, iva_rate_bp=rate
    )


# ---------------------------------------------------------------- the tariff


def test_a_biller_pays_the_general_fee_until_it_has_its_own(luz) -> None:
    assert fee_for_biller(luz) == Fees(0, 0)  # the default: $ 0.00
    Fee.objects.filter(operation="bill_payment", biller__isnull=True).update(commission=20)
    assert fee_for_biller(luz) == Fees(20, 3)
    _biller_fee(luz, 50)
    assert fee_for_biller(luz) == Fees(50, 8)  # 7.5 -> 8
    assert fees_for("bill_payment") == Fees(20, 3)  # the general fee is untouched
    assert fee_for_biller(biller_make("otra")) == Fees(20, 3)


def test_a_biller_has_one_fee_and_only_for_bill_payments(luz) -> None:
    _biller_fee(luz, 50)
    with pytest.raises(IntegrityError), transaction.atomic():
        _biller_fee(luz, 60)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fee.objects.create(operation="transfer_own", biller=luz, commission=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fee.objects.create(operation="transfer_own", commission=1)  # a second general row
    with pytest.raises(ValueError, match="Unknown tariff operation"):
        fees_for("transfer_own@1")


# ---------------------------------------------------------------- phase one


def test_starting_a_payment_debits_amount_and_the_billers_fee_with_one_receipt(
    savings, luz
) -> None:
    _biller_fee(luz, 25)
    settlement, bce = _books()
    payment = _pay(savings, luz)
    assert payment.status == BillPaymentStatus.PENDING
    assert (payment.commission, payment.iva) == (25, 4)
    assert balance(savings) == OPENING - payment.amount - 29
    assert postings(savings)[-3:] == [
        (f"ND PAGO DE SERVICIOS {luz.name}", -payment.amount),
        (f"COMISIÓN PAGO DE SERVICIOS {luz.name}", -25),
        (f"IVA PAGO DE SERVICIOS {luz.name}", -4),
    ]
    assert _books() == (settlement + payment.amount, bce)  # waiting for the biller
    receipt = payment.receipt
    assert (receipt.amount, receipt.commission, receipt.iva) == (payment.amount, 25, 4)
    assert (receipt.counterpart_name, receipt.counterpart_identification) == (
        luz.name,
        "1000234567",
    )
    assert receipt.counterpart_institution == "Luz"
    assert payment.reference == "1000234567"
    assert not SimulatorPayment.objects.exists()  # no network call in phase one
    assert ledger_verify().ok


def test_a_replay_of_the_key_returns_the_first_payment_and_moves_nothing(savings, luz) -> None:
    first = _pay(savings, luz)
    entries, receipts = JournalEntry.objects.count(), Receipt.objects.count()
    again = _pay(savings, luz)
    assert again == first
    assert (JournalEntry.objects.count(), Receipt.objects.count()) == (entries, receipts)
    assert BillPayment.objects.count() == 1
    bill_payment_complete(payment=first)
    settlement, bce = _books()
    assert bill_payment_complete(payment=again).status == BillPaymentStatus.CONFIRMED
    assert _books() == (settlement, bce)
    assert balance(savings) == OPENING - first.amount


def test_the_member_is_told_of_the_debit_once_by_email_and_sms(savings, luz) -> None:
    _biller_fee(luz, 25)
    payment = _pay(savings, luz)
    _pay(savings, luz)  # a replay tells nothing more
    email = Message.objects.get(kind=NOTICE_PAID, channel="email")
    assert email.recipient == savings.member.email
    assert email.subject == f"Pagaste {luz.name} por {format_cents(payment.amount)}"
    assert f"Comprobante N.º {payment.receipt_id}" in email.body
    assert "Referencia: 1000234567" in email.body
    assert f"Total debitado: {format_cents(payment.amount + 29)}" in email.body
    assert f"terminada en {savings.number[-4:]}" in email.body
    assert "Realizaste un pago de servicios" in email.body
    sms = Message.objects.get(kind=NOTICE_PAID, channel="sms")
    assert sms.recipient == savings.member.mobile_phone
    assert format_cents(payment.amount) in sms.body


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"reference": "10002345"}, ValidationError, "10 dígitos"),
        ({"bill_id": ""}, ProductError, "Consulta la factura"),
        ({"amount": 0}, ProductError, "mayor a cero"),
        ({"amount": OPENING + 1}, ProductError, "insuficiente"),
    ],
)
def test_a_refused_start_leaves_nothing(savings, luz, changes, error, message) -> None:
    bill = bill_inquiry(biller=luz, reference="1000234567")
    params = {"reference": "1000234567", "amount": bill.amount, "bill_id": bill.bill_id, **changes}
    with pytest.raises(error, match=message):
        bill_payment_start(source=savings, biller=luz, idempotency_key="x", **params)
    assert not BillPayment.objects.exists()
    assert balance(savings) == OPENING


def test_an_inactive_biller_and_an_amount_over_its_maximum_are_refused(savings, luz) -> None:
    bill = bill_inquiry(biller=luz, reference="1000234567")
    luz.max_amount = bill.amount - 1
    luz.save()
    with pytest.raises(ProductError, match="monto máximo para pagar a"):
        _pay(savings, luz)
    luz.active = False
    luz.save()
    with pytest.raises(ProductError, match="no está disponible"):
        bill_inquiry(biller=luz, reference="1000234567")
    assert balance(savings) == OPENING


def test_a_recarga_takes_only_one_of_its_amounts_and_has_no_bill(savings) -> None:
    cnt = topup_make()
    with pytest.raises(
        ProductError, match=r"Elige uno de los montos de recarga .*\$ 1.00, \$ 5.00"
    ):
        bill_payment_start(
            source=savings, biller=cnt, reference="0991234567", amount=700, idempotency_key="r0"
        )
    with pytest.raises(ProductError, match="no tienen factura"):
        bill_inquiry(biller=cnt, reference="0991234567")
    payment = bill_payment_start(
        source=savings, biller=cnt, reference="+593 99 123 4567", amount=500, idempotency_key="r1"
    )
    assert (payment.reference, payment.bill_id, payment.amount) == ("0991234567", "", 500)
    assert bill_payment_complete(payment=payment).status == BillPaymentStatus.CONFIRMED
    assert balance(savings) == OPENING - 500


# ---------------------------------------------------------------- phase two


def test_a_confirmed_payment_moves_its_money_to_the_biller_once(savings, luz) -> None:
    payment = _pay(savings, luz)
    settlement, bce = _books()
    done = bill_payment_complete(payment=payment)
    assert done.status == BillPaymentStatus.CONFIRMED
    assert done.confirmed_at is not None
    assert done.authorization.startswith("A")
    assert done.confirmation.startswith("C")
    assert _books() == (settlement - payment.amount, bce + payment.amount)
    # Again, by the job or a second confirmation: nothing moves twice.
    assert bill_payment_complete(payment=payment).status == BillPaymentStatus.CONFIRMED
    assert bill_payment_confirm(payment=payment).status == BillPaymentStatus.CONFIRMED
    assert bill_payments_resolve() == {"confirmed": 0, "returned": 0, "pending": 0}
    assert _books() == (settlement - payment.amount, bce + payment.amount)
    assert JournalEntry.objects.filter(kind="bill_settlement").count() == 1
    assert balance(savings) == OPENING - payment.amount
    with pytest.raises(ProductError, match="ya fue confirmado"):
        bill_payment_return(payment=payment, reason="x")
    assert ledger_verify().ok


def test_a_payment_refused_after_the_debit_returns_amount_and_fee(savings, luz) -> None:
    _biller_fee(luz, 40)
    settlement, bce = _books()
    payment = _pay(savings, luz, reference="1000000004")
    assert balance(savings) == OPENING - payment.amount - 46
    done = bill_payment_complete(payment=payment)
    assert done.status == BillPaymentStatus.RETURNED
    assert done.return_reason == "PAGO RECHAZADO POR LA EMPRESA"
    assert balance(savings) == OPENING
    assert _books() == (settlement, bce)
    assert postings(savings)[-3:] == [
        (f"NC DEVOLUCIÓN PAGO DE SERVICIOS {luz.name}", payment.amount),
        (f"NC DEVOLUCIÓN COMISIÓN PAGO DE SERVICIOS {luz.name}", 40),
        (f"NC DEVOLUCIÓN IVA PAGO DE SERVICIOS {luz.name}", 6),
    ]
    back = done.return_receipt
    assert back.amount == payment.amount + 46
    assert back.channel == Channel.SYSTEM
    assert f"N.º {payment.receipt_id}" in back.motive
    # The member is told, by e-mail and SMS, with the reason and what came back.
    email = Message.objects.get(kind=NOTICE_RETURNED, channel="email")
    assert email.recipient == savings.member.email
    assert f"N.º {payment.receipt_id} a {luz.name} fue devuelto" in email.subject
    assert "Motivo: PAGO RECHAZADO POR LA EMPRESA" in email.body
    assert format_cents(payment.amount + 46) in email.body
    assert Message.objects.filter(kind=NOTICE_RETURNED, channel="sms").count() == 1
    # Returned once, whatever asks again.
    assert bill_payment_complete(payment=payment).status == BillPaymentStatus.RETURNED
    assert bill_payment_return(payment=payment, reason="otra").return_reason == done.return_reason
    assert bill_payment_confirm(payment=payment).status == BillPaymentStatus.RETURNED
    assert balance(savings) == OPENING
    assert Message.objects.filter(kind=NOTICE_RETURNED).count() == 2  # told once
    assert ledger_verify().ok


def test_a_payment_whose_biller_is_down_waits_and_is_asked_again(savings, luz, monkeypatch) -> None:
    from enlinea.payments import simulator

    bill = bill_inquiry(biller=luz, reference="1000234567")
    payment = bill_payment_start(
        source=savings,
        biller=luz,
        reference="1000234567",
        amount=bill.amount,
        bill_id=bill.bill_id,
        idempotency_key="down",
    )
    monkeypatch.setattr(simulator, "DOWN", "567")  # the biller goes down for this reference
    waiting = bill_payment_complete(payment=payment)
    assert waiting.status == BillPaymentStatus.PENDING
    assert (waiting.attempts, waiting.last_error) == (1, "La empresa no responde en este momento.")
    assert balance(savings) == OPENING - bill.amount  # still debited, still owed to the biller
    assert bill_payments_resolve() == {"confirmed": 0, "returned": 0, "pending": 1}
    monkeypatch.setattr(simulator, "DOWN", "003")  # back up
    assert bill_payments_resolve() == {"confirmed": 1, "returned": 0, "pending": 0}
    assert BillPayment.objects.get(pk=payment.pk).status == BillPaymentStatus.CONFIRMED
    assert ledger_verify().ok


def test_a_bill_is_paid_once_until_the_biller_refuses_it(savings, other_savings, luz) -> None:
    """A second payment of a bill already paid, or being paid, is refused before any
    debit (by hand, by a schedule, from another tab); a payment the biller refused
    frees the bill."""
    bill = bill_inquiry(biller=luz, reference="1000234567")

    def start(source, key):
        return bill_payment_start(
            source=source,
            biller=luz,
            reference="1000234567",
            amount=bill.amount,
            bill_id=bill.bill_id,
            idempotency_key=key,
        )

    first = start(savings, "a")
    with pytest.raises(ProductError, match="ya está pagada o su pago está en proceso"):
        start(other_savings, "b")
    assert balance(other_savings) == OPENING
    assert not Receipt.objects.filter(idempotency_key="b").exists()
    assert start(savings, "a").pk == first.pk  # the replay of the first is no second one
    assert bill_payment_return(payment=first, reason="PRUEBA").status == BillPaymentStatus.RETURNED
    again = start(other_savings, "c")  # refused by the biller: the bill may be paid again
    assert again.status == BillPaymentStatus.PENDING
    assert balance(other_savings) == OPENING - bill.amount
    assert ledger_verify().ok


def test_the_books_time_a_future_moment_as_now(savings, luz) -> None:
    payment = _pay(savings, luz)
    later = timezone.now() + dt.timedelta(days=2)
    bill_payment_complete(payment=payment, now=later)
    entry = JournalEntry.objects.get(kind="bill_settlement")
    assert entry.created_at <= timezone.now()


# ---------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_confirmations_of_one_payment_settle_once(socio) -> None:
    account = fund(account_open(member=socio, idempotency_key="race"), 50_000, "race-fund")
    luz = biller_make("race-luz")
    payment = _pay(account, luz, key="race-pay")
    settlement, bce = _books()
    results, errors = at_once([lambda: bill_payment_complete(payment=payment) for _ in range(2)])
    assert errors == []
    assert {r.status for r in results} == {BillPaymentStatus.CONFIRMED}
    assert _books() == (settlement - payment.amount, bce + payment.amount)
    assert JournalEntry.objects.filter(kind="bill_settlement").count() == 1
    assert SimulatorPayment.objects.count() == 1
    assert balance(account) == 50_000 - payment.amount
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_racing_a_return_applies_exactly_one(socio) -> None:
    account = fund(account_open(member=socio, idempotency_key="race2"), 50_000, "race2-fund")
    luz = biller_make("race2-luz")
    payment = _pay(account, luz, key="race2-pay")
    settlement, bce = _books()
    _results, errors = at_once(
        [
            lambda: bill_payment_confirm(payment=payment),
            lambda: bill_payment_return(payment=payment, reason="rechazado"),
        ]
    )
    final = BillPayment.objects.get(pk=payment.pk)
    if final.status == BillPaymentStatus.CONFIRMED:
        assert len(errors) == 1
        assert isinstance(errors[0], ProductError)
        assert _books() == (settlement - payment.amount, bce + payment.amount)
        assert balance(account) == 50_000 - payment.amount
    else:
        assert final.status == BillPaymentStatus.RETURNED
        assert errors == []
        assert _books() == (settlement - payment.amount, bce)
        assert balance(account) == 50_000
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_key_started_twice_at_once_debits_once(socio) -> None:
    account = fund(account_open(member=socio, idempotency_key="race3"), 50_000, "race3-fund")
    luz = biller_make("race3-luz")
    bill = bill_inquiry(biller=luz, reference="1000234567")

    def start() -> BillPayment:
        return bill_payment_start(
            source=account,
            biller=luz,
            reference="1000234567",
            amount=bill.amount,
            bill_id=bill.bill_id,
            idempotency_key="same",
        )

    results, errors = at_once([start, start, start])
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert balance(account) == 50_000 - bill.amount
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_bill_paid_twice_at_once_by_two_operations_debits_once(socio) -> None:
    """Two payments of the same bill under different keys (the member by hand and the
    schedule job, or two tabs) at the same moment: the database's payments_bill_paid_once
    lets one through, the other is refused with nothing moved."""
    one = fund(account_open(member=socio, idempotency_key="race4a"), 50_000, "race4a-fund")
    two = fund(account_open(member=socio, idempotency_key="race4b"), 50_000, "race4b-fund")
    luz = biller_make("race4-luz")
    bill = bill_inquiry(biller=luz, reference="1000234567")

    def start(account, key):
        return lambda: bill_payment_start(
            source=account,
            biller=luz,
            reference="1000234567",
            amount=bill.amount,
            bill_id=bill.bill_id,
            idempotency_key=key,
        )

    results, errors = at_once([start(one, "hand"), start(two, "schedule")])
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ProductError)
    assert balance(one) + balance(two) == 100_000 - bill.amount
    assert BillPayment.objects.count() == 1
    assert ledger_verify().ok


def test_the_back_office_sets_a_billers_own_fee_in_the_tarifario(admin_client, luz) -> None:
    from django.urls import reverse

    add = reverse("admin:tariff_fee_add")
    form = {"operation": "bill_payment", "biller": luz.pk, "commission": 35, "iva_rate_bp": 1500}
    assert admin_client.post(add, form).status_code == 302
    assert fee_for_biller(luz) == Fees(35, 5)
    again = admin_client.post(add, {**form, "commission": 10})
    assert "Esa empresa de servicios ya tiene su tarifa." in again.content.decode()
    wrong = admin_client.post(
        add, {**form, "operation": "transfer_own", "biller": biller_make("x").pk}
    )
    assert "Una tarifa por empresa de servicios es de la operación Pago de servicios." in (
        wrong.content.decode()
    )
    general = admin_client.post(add, {**form, "biller": ""})
    assert "Esa operación ya tiene su tarifa general." in general.content.decode()
    assert Fee.objects.filter(biller__isnull=False).count() == 1
    listing = admin_client.get(reverse("admin:tariff_fee_changelist"), {"q": "empresa test"})
    assert luz.name in listing.content.decode()


def test_phase_one_runs_inside_the_callers_transaction(savings, luz) -> None:
    """Services compose: the confirmation flow runs phase one in the transaction that
    spends the code; when that one fails, nothing of the payment is left."""
    entries = JournalEntry.objects.count()

    def pay_then_fail() -> None:
        with transaction.atomic():
            _pay(savings, luz, key="inside")
            raise RuntimeError("the code step failed after the payment")

    with pytest.raises(RuntimeError):
        pay_then_fail()
    assert not BillPayment.objects.exists()
    assert JournalEntry.objects.count() == entries
    assert balance(savings) == OPENING


def test_the_database_refuses_a_payment_resolved_without_its_time(savings, luz) -> None:
    payment = _pay(savings, luz)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillPayment.objects.filter(pk=payment.pk).update(status=BillPaymentStatus.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillPayment.objects.filter(pk=payment.pk).update(
            status=BillPaymentStatus.RETURNED, returned_at=timezone.now()
        )  # returned without the return's comprobante
    with pytest.raises(IntegrityError), transaction.atomic():
        BillPayment.objects.filter(pk=payment.pk).update(status="PAGADO")
