"""Money services compose: each runs inside a caller's transaction (the one that spends
a security code) instead of insisting on its own. When a later step of that transaction
fails, nothing of the service remains — no entry, posting, receipt, product, notice or
audit row — and its idempotency key is still free: the retry posts, once.

Real transactions (``transaction=True``), on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from enlinea.ledger.models import Hold, JournalEntry, LedgerAccount, Posting
from enlinea.ledger.verify import ledger_verify
from enlinea.members.models import Member
from enlinea.members.services import member_create, member_onboard
from enlinea.members.tests.support import make_cedula, member_data
from enlinea.notifications.models import Message
from enlinea.payments.services import bill_payment_record
from enlinea.products.models import (
    CardPurchase,
    CashKind,
    CashOperation,
    CreditCard,
    DebitCard,
    DepositAccount,
    Investment,
    Loan,
    LoanInstallment,
)
from enlinea.products.roles import OPERATIONS, TELLER, roles_ensure
from enlinea.products.services import (
    account_open,
    card_purchase_record,
    cash_deposit,
    cash_operation_approve,
    cash_operation_request,
    cash_withdrawal,
    credit_card_issue,
    debit_card_issue,
    investment_open,
    investment_pay,
    loan_disburse,
    loan_repay,
)
from enlinea.products.tests.support import STAFF_PASSWORD
from enlinea.receipts.models import Receipt
from enlinea.receipts.services import Counterpart
from enlinea.security.audit import audit_record
from enlinea.security.models import AuditEvent, SecurityEvent
from enlinea.tariff.models import Fee
from enlinea.transfers.services import (
    interbank_transfer_receive,
    interbank_transfer_record,
    transfer_record,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROSA = Counterpart(
    name="ROSA QUISHPE", account_number="2203344556", institution="BANCO PICHINCHA C.A."
)
WRITTEN = (
    Member,
    DepositAccount,
    LedgerAccount,
    JournalEntry,
    Posting,
    Hold,
    Receipt,
    CashOperation,
    Loan,
    LoanInstallment,
    Investment,
    DebitCard,
    CreditCard,
    CardPurchase,
    Message,
    AuditEvent,
)


class SpentCodeLost(Exception):
    """The step after the service fails (say, the code turns out to be spent already)."""


@dataclass
class Cast:
    socio: Member
    savings: DepositAccount
    other: DepositAccount
    teller: Any
    supervisor: Any


@pytest.fixture
def cast(socio, savings, django_user_model) -> Cast:
    roles_ensure()
    otro = member_create(**member_data(first_names="Luis", last_names="Tene"))
    other = account_open(member=otro, idempotency_key="other-savings")

    def staff(username: str, role: str) -> Any:
        user = django_user_model.objects.create_user(
            username=username, password=STAFF_PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return django_user_model.objects.get(pk=user.pk)

    # Transfers charge a fee, so an operation records its COMISIÓN and IVA entries too.
    Fee.objects.update_or_create(
        operation="transfer_internal", defaults={"commission": 25, "iva_rate_bp": 1500}
    )
    return Cast(socio, savings, other, staff("cajera", TELLER), staff("supervisora", OPERATIONS))


def _pending(c: Cast) -> CashOperation:
    return cash_operation_request(
        account=c.savings,
        kind=CashKind.DEPOSIT,
        amount=20_000_00,  # above the approval threshold
        teller=c.teller,
        idempotency_key="pending",
    )


def _loan(c: Cast) -> Loan:
    return loan_disburse(
        member=c.socio,
        account=c.savings,
        product_name="CRÉDITO DE CONSUMO",
        principal=120_000,
        annual_rate_bp=1500,
        term_months=12,
        disbursed_on=timezone.localdate(),
        idempotency_key="loan",
    )


def _matured(c: Cast) -> Investment:
    return investment_open(
        member=c.socio,
        source_account=c.savings,
        capital=100_000,
        annual_rate_bp=650,
        term_days=90,
        start_date=timezone.localdate() - datetime.timedelta(days=120),
        idempotency_key="matured",
    )


# Each case: what to prepare first (committed), then the service call under test.
Prepare = Callable[[Cast], Any]
Call = Callable[[Cast, Any], Any]
CASES: dict[str, tuple[Prepare, Call]] = {
    "account_open": (
        lambda c: None,
        lambda c, _: account_open(member=c.socio, idempotency_key="k"),
    ),
    "cash_deposit": (
        lambda c: None,
        lambda c, _: cash_deposit(account=c.savings, amount=12_345, idempotency_key="k"),
    ),
    "cash_withdrawal": (
        lambda c: None,
        lambda c, _: cash_withdrawal(account=c.savings, amount=12_345, idempotency_key="k"),
    ),
    "cash_operation_request": (
        lambda c: None,
        lambda c, _: cash_operation_request(
            account=c.savings,
            kind=CashKind.WITHDRAWAL,
            amount=12_345,
            teller=c.teller,
            idempotency_key="k",
        ),
    ),
    "cash_operation_approve": (
        _pending,
        lambda c, operation: cash_operation_approve(operation=operation, approver=c.supervisor),
    ),
    "loan_disburse": (
        lambda c: None,
        lambda c, _: loan_disburse(
            member=c.socio,
            account=c.savings,
            product_name="CRÉDITO DE CONSUMO",
            principal=120_000,
            annual_rate_bp=1500,
            term_months=12,
            disbursed_on=timezone.localdate(),
            idempotency_key="k",
        ),
    ),
    "loan_repay": (
        _loan,
        lambda c, loan: loan_repay(loan=loan, from_account=c.savings, idempotency_key="k"),
    ),
    "investment_open": (
        lambda c: None,
        lambda c, _: investment_open(
            member=c.socio,
            source_account=c.savings,
            capital=100_000,
            annual_rate_bp=650,
            term_days=90,
            start_date=timezone.localdate(),
            idempotency_key="k",
        ),
    ),
    "investment_pay": (
        _matured,
        lambda c, investment: investment_pay(investment=investment, idempotency_key="k"),
    ),
    "debit_card_purchase": (
        lambda c: debit_card_issue(account=c.savings, idempotency_key="debit"),
        lambda c, card: card_purchase_record(
            card=card, amount=4_599, merchant="SUPERMAXI", idempotency_key="k"
        ),
    ),
    "credit_card_purchase": (
        lambda c: credit_card_issue(member=c.socio, credit_limit=150_000, idempotency_key="cc"),
        lambda c, card: card_purchase_record(
            card=card, amount=30_000, merchant="KYWI", installments=3, idempotency_key="k"
        ),
    ),
    "transfer_record": (
        lambda c: None,
        lambda c, _: transfer_record(
            source=c.savings,
            kind="internal",
            destination=c.other,
            amount=5_000,
            idempotency_key="k",
        ),
    ),
    "interbank_transfer_record": (
        lambda c: None,
        lambda c, _: interbank_transfer_record(
            source=c.savings, amount=15_000, beneficiary=ROSA, motive="", idempotency_key="k"
        ),
    ),
    "interbank_transfer_receive": (
        lambda c: None,
        lambda c, _: interbank_transfer_receive(
            destination=c.savings, amount=185_000, originator=ROSA, motive="", idempotency_key="k"
        ),
    ),
    "bill_payment_record": (
        lambda c: None,
        lambda c, _: bill_payment_record(
            source=c.savings,
            biller="CNEL EP",
            label="Pago de luz",
            amount=2_345,
            idempotency_key="k",
        ),
    ),
    "member_onboard": (
        lambda c: make_cedula(),
        lambda c, cedula: member_onboard(
            identification=cedula,
            first_names="Rosa Elena",
            last_names="Quishpe Tene",
            email="rosa@example.com",
            mobile_phone="0991112233",
            deposit=25_000,
            teller=c.teller,
            idempotency_key="k",
        ),
    ),
}


def _pk(result: Any) -> int:
    """The id of what a service made (``member_onboard``: the account it opened)."""
    return result.pk if hasattr(result, "pk") else result.account.pk


def _state() -> dict[str, Any]:
    """Every row a money service can write, and every ledger balance."""
    state: dict[str, Any] = {model.__name__: model.objects.count() for model in WRITTEN}
    state["balances"] = dict(LedgerAccount.objects.values_list("pk", "balance"))
    state["held"] = dict(LedgerAccount.objects.values_list("pk", "held"))
    return state


def _then_fail(cast: Cast, call: Call, prepared: Any) -> None:
    """The confirmation flow's transaction: a first step, the service, then a failure."""
    with transaction.atomic(durable=True):
        audit_record(kind=SecurityEvent.CODE_VERIFIED, user=cast.teller, step="before the service")
        result = call(cast, prepared)
        raise SpentCodeLost(result, _state())


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_service_inside_an_outer_transaction_that_fails_later_leaves_nothing(cast, name) -> None:
    prepare, call = CASES[name]
    prepared = prepare(cast)
    before = _state()

    with pytest.raises(SpentCodeLost) as failed:
        _then_fail(cast, call, prepared)

    result, inside = failed.value.args
    assert result is not None
    # The service wrote (more than the first step's audit row) in the caller's transaction.
    assert {**inside, "AuditEvent": 0} != {**before, "AuditEvent": 0}
    assert _state() == before
    assert ledger_verify().ok

    # The key was not used up: the same call, on its own, makes its result once.
    first = call(cast, prepared)
    again = call(cast, prepared)
    assert _pk(first) == _pk(again)
    assert _state() != before
    assert ledger_verify().ok


def test_a_service_commits_with_the_callers_earlier_step(cast) -> None:
    before = JournalEntry.objects.count()

    with transaction.atomic(durable=True):
        audit_record(kind=SecurityEvent.CODE_VERIFIED, user=cast.teller, step="spend the code")
        receipt = transfer_record(
            source=cast.savings,
            kind="internal",
            destination=cast.other,
            amount=5_000,
            idempotency_key="together",
        )

    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_VERIFIED).count() == 1
    assert Receipt.objects.get(idempotency_key="together") == receipt
    assert JournalEntry.objects.count() == before + 3  # transfer, COMISIÓN, IVA
    assert ledger_verify().ok
