"""Each member-facing money service of enlinea.products issues exactly one receipt, in
its transaction, with the entries it posted and the amounts the ledger moved."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from enlinea.ledger.models import Posting
from enlinea.position.tests.products_support import (
    give_credit_card,
    give_debit_card,
    give_investment,
    give_loan,
)
from enlinea.products.models import CashKind
from enlinea.products.services import (
    card_purchase_record,
    cash_operation_request,
    cash_withdrawal,
    investment_pay,
    loan_repay,
)
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.receipts.selectors import receipt_for_cash_operation, receipt_for_entry

from .support import savings

pytestmark = pytest.mark.django_db


def _only(key: str) -> Receipt:
    receipts = list(Receipt.objects.filter(idempotency_key=key))
    assert len(receipts) == 1
    return receipts[0]


def _posted(receipt: Receipt, account) -> int:
    """What the receipt's entries moved on the member's account."""
    return sum(
        Posting.objects.filter(
            entry__receipt_link__receipt=receipt, account_id=account.ledger_account_id
        ).values_list("amount", flat=True)
    )


def test_cash_deposit_and_withdrawal(member) -> None:
    socio = member.member
    account = savings(socio, amount=80_000)
    deposit = _only(f"rc-seed-{socio.pk}-0")
    assert (deposit.kind, deposit.channel, deposit.amount) == (
        ReceiptKind.CASH_DEPOSIT,
        Channel.BRANCH,
        80_000,
    )
    assert deposit.member_id == socio.pk
    assert deposit.account_id == account.pk
    assert _posted(deposit, account) == 80_000

    entry = cash_withdrawal(account=account, amount=1_500, idempotency_key="ret-1")
    cash_withdrawal(account=account, amount=1_500, idempotency_key="ret-1")  # replay
    withdrawal = _only("ret-1")
    assert withdrawal.kind == ReceiptKind.CASH_WITHDRAWAL
    assert _posted(withdrawal, account) == -1_500
    assert receipt_for_entry(entry).pk == withdrawal.pk
    assert Receipt.objects.filter(member=socio).count() == 2


def test_a_cash_operation_at_the_window_has_its_receipt(member) -> None:
    account = savings(member.member, amount=0)
    teller = get_user_model().objects.create_user("cajero1", password="x")
    operation = cash_operation_request(
        account=account, kind=CashKind.DEPOSIT, amount=25_000, teller=teller, idempotency_key="v1"
    )
    receipt = receipt_for_cash_operation(operation)
    assert receipt is not None
    assert receipt.number == _only("v1").number
    assert (receipt.amount, receipt.channel) == (25_000, Channel.BRANCH)


def test_a_pending_cash_operation_has_no_receipt_yet(member, settings) -> None:
    account = savings(member.member, amount=0)
    teller = get_user_model().objects.create_user("cajero2", password="x")
    operation = cash_operation_request(
        account=account,
        kind=CashKind.DEPOSIT,
        amount=settings.CASH_APPROVAL_THRESHOLD + 1,
        teller=teller,
        idempotency_key="v2",
    )
    assert receipt_for_cash_operation(operation) is None
    assert not Receipt.objects.filter(idempotency_key="v2").exists()


def test_loan_disbursement_and_installment_payment(member) -> None:
    socio = member.member
    account = savings(socio)
    loan = give_loan(socio, account)
    disbursement = _only(f"pos-loan-{socio.pk}-0")
    assert disbursement.kind == ReceiptKind.LOAN_DISBURSEMENT
    assert disbursement.amount == loan.principal == _posted(disbursement, account)
    assert disbursement.counterpart_account == loan.number

    installment = loan_repay(loan=loan, from_account=account, idempotency_key="cuota-1")
    loan_repay(loan=loan, from_account=account, idempotency_key="cuota-1")  # replay
    payment = _only("cuota-1")
    assert payment.kind == ReceiptKind.LOAN_PAYMENT
    assert payment.amount == installment.payment == -_posted(payment, account)
    assert payment.motive == f"Cuota 1 de {loan.term_months}"


def test_investment_open_and_payment_at_maturity(member) -> None:
    socio = member.member
    account = savings(socio)
    investment = give_investment(socio, account)
    opening = _only(f"pos-inv-{socio.pk}-0")
    assert opening.kind == ReceiptKind.INVESTMENT_OPEN
    assert opening.amount == investment.capital == -_posted(opening, account)

    type(investment).objects.filter(pk=investment.pk).update(
        maturity_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    investment.refresh_from_db()
    investment_pay(investment=investment, idempotency_key="pago-poliza")
    investment_pay(investment=investment, idempotency_key="pago-poliza")  # already paid
    paid = _only("pago-poliza")
    net = investment.capital + investment.interest - investment.withholding
    assert paid.kind == ReceiptKind.INVESTMENT_PAYMENT
    assert paid.amount == net == _posted(paid, account)


def test_a_debit_card_purchase_has_a_receipt_a_credit_card_one_not(member) -> None:
    socio = member.member
    account = savings(socio)
    card = give_debit_card(account)
    card_purchase_record(card=card, amount=4_599, merchant="SUPERMAXI", idempotency_key="tdd-1")
    card_purchase_record(card=card, amount=4_599, merchant="SUPERMAXI", idempotency_key="tdd-1")
    purchase = _only("tdd-1")
    assert (purchase.kind, purchase.channel) == (ReceiptKind.CARD_PURCHASE, Channel.CARD)
    assert purchase.counterpart_name == "SUPERMAXI"
    assert purchase.amount == 4_599 == -_posted(purchase, account)

    before = Receipt.objects.count()
    give_credit_card(socio, purchases=1)
    assert Receipt.objects.count() == before  # a credit card's debt is not the account's
