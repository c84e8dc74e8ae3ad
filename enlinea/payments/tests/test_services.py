"""Pago de servicios: the debit to the billers' settlement account, the tariff's fee,
the receipt, replays and refusals."""

from __future__ import annotations

import pytest

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry, LedgerAccount
from enlinea.ledger.verify import ledger_verify
from enlinea.payments.services import bill_payment_record
from enlinea.products.models import AccountStatus
from enlinea.products.services import ProductError, account_open, account_set_status
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.tariff.models import Fee
from enlinea.transfers.tests.conftest import OPENING, balance, fund, postings
from tests.support.threads import at_once

pytestmark = pytest.mark.django_db

CNEL = {"biller": "CNEL EP", "label": "Pago de luz CNEL EP", "reference": "1000234567"}


def _settlement() -> int:
    return sum(
        LedgerAccount.objects.filter(kind=LedgerKind.BILLER_SETTLEMENT, is_group=False).values_list(
            "balance", flat=True
        )
    )


def _counts() -> tuple[int, int]:
    return JournalEntry.objects.count(), Receipt.objects.count()


def test_a_bill_payment_goes_to_the_billers_settlement_with_its_receipt(savings) -> None:
    settlement = _settlement()
    receipt = bill_payment_record(source=savings, amount=2_345, idempotency_key="b1", **CNEL)
    assert postings(savings)[-1] == ("PAGO DE LUZ CNEL EP", -2_345)
    assert balance(savings) == OPENING - 2_345
    assert _settlement() == settlement + 2_345
    assert receipt.kind == ReceiptKind.BILL_PAYMENT
    assert receipt.channel == Channel.WEB
    assert receipt.member_id == savings.member_id
    assert (receipt.amount, receipt.commission, receipt.iva) == (2_345, 0, 0)
    assert receipt.counterpart_name == "CNEL EP"
    assert receipt.counterpart_institution == "CNEL EP"
    assert receipt.counterpart_identification == "1000234567"
    assert receipt.motive == "Pago de luz CNEL EP"
    assert ledger_verify().ok


def test_the_tariffs_bill_payment_fee_is_charged_as_two_movements(savings) -> None:
    Fee.objects.update_or_create(
        operation="bill_payment", defaults={"commission": 25, "iva_rate_bp": 1500}
    )
    receipt = bill_payment_record(source=savings, amount=1_000, idempotency_key="b1", **CNEL)
    assert (receipt.commission, receipt.iva) == (25, 4)
    assert postings(savings)[-3:] == [
        ("PAGO DE LUZ CNEL EP", -1_000),
        ("COMISIÓN PAGO DE SERVICIOS CNEL EP", -25),
        ("IVA PAGO DE SERVICIOS CNEL EP", -4),
    ]
    assert receipt.entry_links.count() == 3


def test_replaying_a_payment_returns_the_first_receipt(savings) -> None:
    first = bill_payment_record(source=savings, amount=1_000, idempotency_key="b1", **CNEL)
    before = _counts()
    assert bill_payment_record(source=savings, amount=1_000, idempotency_key="b1", **CNEL) == first
    assert _counts() == before
    assert balance(savings) == OPENING - 1_000


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": 0}, "mayor a cero"),
        ({"amount": OPENING + 1}, "insuficiente"),
        ({"biller": " "}, "empresa de servicios"),
        ({"label": ""}, "empresa de servicios"),
    ],
)
def test_refused_payments_leave_nothing(savings, changes, message) -> None:
    params = {**CNEL, "amount": 1_000, **changes}
    before = _counts()
    with pytest.raises(ProductError, match=message):
        bill_payment_record(source=savings, idempotency_key="x", **params)
    assert _counts() == before
    assert balance(savings) == OPENING


def test_a_blocked_account_cannot_pay(savings) -> None:
    account_set_status(account=savings, status=AccountStatus.BLOCKED)
    with pytest.raises(ProductError, match="BLOQUEADA"):
        bill_payment_record(source=savings, amount=1_000, idempotency_key="x", **CNEL)
    assert not Receipt.objects.filter(kind=ReceiptKind.BILL_PAYMENT).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_payments_never_overdraw(socio) -> None:
    account = account_open(member=socio, idempotency_key="small")
    fund(account, 2_500, "small-fund")
    calls = [
        lambda i=i: bill_payment_record(
            source=account, amount=1_000, idempotency_key=f"p{i}", **CNEL
        )
        for i in range(6)
    ]
    results, errors = at_once(calls)
    assert len(results) == 2
    assert len(errors) == 4
    assert all(isinstance(e, ProductError) for e in errors), errors
    assert balance(account) == 500
    assert ledger_verify().ok
