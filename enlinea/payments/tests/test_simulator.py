"""The biller network's simulator: each documented reference gives its outcome, bills
are issued over time, and a payment is answered once however often it is asked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enlinea.payments.models import SimulatorBill
from enlinea.payments.network import (
    BillerUnavailable,
    NoDebt,
    PaymentRefused,
    PaymentRequest,
    ReferenceNotFound,
    biller_network,
)
from enlinea.payments.services import bill_inquiry
from enlinea.payments.simulator import (
    BillerSimulator,
    bills_publish,
    period_of,
    simulator_bill_publish,
)
from enlinea.payments.tests.support import biller_make

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 1, 24, 17, 16, tzinfo=dt.UTC)


@pytest.fixture
def luz():
    return biller_make()


def test_the_simulator_is_the_default_network() -> None:
    assert isinstance(biller_network(), BillerSimulator)


def test_a_reference_gets_a_bill_with_amount_due_date_and_a_masked_holder(luz) -> None:
    bill = bill_inquiry(biller=luz, reference="1000 2345 67", now=NOW)
    assert bill.reference == "1000234567"
    assert 500 <= bill.amount <= 8_000
    assert bill.due_date == timezone.localdate(NOW) + dt.timedelta(days=15)
    assert bill.holder_name
    first, second = bill.holder_name.split()[:2]
    assert bill.holder_masked == f"{first[:2]}*** {second[:2]}***"
    assert bill_inquiry(biller=luz, reference="1000234567", now=NOW) == bill  # stable


@pytest.mark.parametrize(
    ("reference", "error", "message"),
    [
        ("1000000001", NoDebt, "no tiene valores pendientes"),
        ("1000000002", ReferenceNotFound, "no encuentra la referencia 1000000002"),
        ("1000000003", BillerUnavailable, "no responde"),
    ],
)
def test_the_documented_references_give_their_outcome_at_inquiry(
    luz, reference, error, message
) -> None:
    with pytest.raises(error) as caught:
        bill_inquiry(biller=luz, reference=reference, now=NOW)
    assert message in caught.value.message
    assert not SimulatorBill.objects.filter(reference=reference).exists()


def test_the_refused_after_debit_reference_shows_a_bill_authorizes_then_refuses(luz) -> None:
    network = BillerSimulator()
    bill = bill_inquiry(biller=luz, reference="1000000004", now=NOW)
    request = PaymentRequest(
        "EL-SP-0000000001", luz.code, bill.reference, bill.amount, bill.bill_id
    )
    assert network.authorize(request, now=NOW).authorization
    with pytest.raises(PaymentRefused) as caught:
        network.confirm(request.reference, now=NOW)
    assert caught.value.reason == "PAGO RECHAZADO POR LA EMPRESA"
    with pytest.raises(PaymentRefused):  # asked again: the same answer
        network.confirm(request.reference, now=NOW)
    # The refused bill is owed again.
    assert bill_inquiry(biller=luz, reference="1000000004", now=NOW).bill_id == bill.bill_id


def test_a_payment_is_authorized_and_confirmed_once_and_its_bill_is_not_offered_again(luz) -> None:
    network = BillerSimulator()
    bill = bill_inquiry(biller=luz, reference="1000234567", now=NOW)
    request = PaymentRequest(
        "EL-SP-0000000007", luz.code, bill.reference, bill.amount, bill.bill_id
    )
    first = network.authorize(request, now=NOW)
    assert network.authorize(request, now=NOW) == first
    confirmation = network.confirm(request.reference, now=NOW)
    assert network.confirm(request.reference, now=NOW) == confirmation
    with pytest.raises(NoDebt):
        bill_inquiry(biller=luz, reference="1000234567", now=NOW)
    # Another payment of the same bill is refused.
    again = PaymentRequest("EL-SP-0000000008", luz.code, bill.reference, bill.amount, bill.bill_id)
    with pytest.raises(PaymentRefused, match="FACTURA YA PAGADA"):
        network.authorize(again, now=NOW)


def test_a_payment_of_another_amount_or_of_an_unknown_bill_is_refused(luz) -> None:
    network = BillerSimulator()
    bill = bill_inquiry(biller=luz, reference="1000234567", now=NOW)
    wrong = PaymentRequest("EL-SP-1", luz.code, bill.reference, bill.amount + 1, bill.bill_id)
    with pytest.raises(PaymentRefused, match="VALOR NO COINCIDE"):
        network.authorize(wrong, now=NOW)
    unknown = PaymentRequest("EL-SP-2", luz.code, bill.reference, bill.amount, "F1-nope")
    with pytest.raises(PaymentRefused, match="FACTURA NO EXISTE"):
        network.authorize(unknown, now=NOW)
    down = PaymentRequest("EL-SP-3", luz.code, "1000000003", 500, "")
    with pytest.raises(BillerUnavailable):
        network.authorize(down, now=NOW)
    missing = PaymentRequest("EL-SP-4", luz.code, "1000000002", 500, "")
    with pytest.raises(PaymentRefused, match="REFERENCIA NO EXISTE"):
        network.authorize(missing, now=NOW)


def test_new_bills_are_published_each_period_for_the_references_it_knows(luz, settings) -> None:
    settings.BILLER_SIMULATOR_PERIOD_SECONDS = 3_600
    first = bill_inquiry(biller=luz, reference="1000234567", now=NOW)
    bill_inquiry(biller=luz, reference="1000234568", now=NOW)
    assert bills_publish(now=NOW) == 0  # this period's bills are out already
    later = NOW + dt.timedelta(hours=1)
    assert bills_publish(now=later) == 2
    assert bills_publish(now=later) == 0  # run twice: nothing twice
    assert period_of(later) == period_of(NOW) + 1
    assert SimulatorBill.objects.filter(reference="1000234567").count() == 2
    # The oldest unpaid bill is the one to pay first.
    assert bill_inquiry(biller=luz, reference="1000234567", now=later).bill_id == first.bill_id


def test_a_bill_of_a_chosen_amount_can_be_published(luz) -> None:
    bill = simulator_bill_publish(
        biller_code=luz.code, reference="1000555555", amount=12_345, now=NOW
    )
    assert bill_inquiry(biller=luz, reference="1000555555", now=NOW).amount == 12_345
    again = simulator_bill_publish(biller_code=luz.code, reference="1000555555", amount=1, now=NOW)
    assert again.pk == bill.pk
    assert again.amount == 12_345


def test_the_periodic_jobs_publish_bills_and_complete_pending_payments(luz, settings) -> None:
    from enlinea.payments.tasks import bill_payments_pending, biller_simulator_publish

    settings.BILLER_SIMULATOR_PERIOD_SECONDS = 60
    bill_inquiry(biller=luz, reference="1000234567", now=timezone.now() - dt.timedelta(hours=1))
    assert biller_simulator_publish.call_local() == 1  # this period's bill
    assert biller_simulator_publish.call_local() == 0
    assert bill_payments_pending.call_local() == {"confirmed": 0, "returned": 0, "pending": 0}
    settings.BILLER_NETWORK = "some.production.Adapter"
    assert biller_simulator_publish.call_local() == 0  # only the simulator publishes
