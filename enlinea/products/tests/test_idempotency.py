"""Services that create products take an idempotency key: a replay returns the first
result, the same key with other data is refused, and the database keeps one row a key."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from enlinea.ledger.models import LedgerAccount
from enlinea.products.card_processor import SimulatedCardProcessor
from enlinea.products.models import AccountKind, CreditCard, DebitCard, DepositAccount
from enlinea.products.services import (
    ProductError,
    account_open,
    card_purchase_record,
    cash_deposit,
    credit_card_issue,
    credit_card_statement_cut,
    debit_card_issue,
    investment_open,
    loan_disburse,
)

pytestmark = pytest.mark.django_db

CONFLICT = "Esta solicitud ya se registró con otros datos"


class CountingProcessor(SimulatedCardProcessor):
    """The simulator, counting the card numbers it is asked for."""

    def __init__(self) -> None:
        self.issued = 0

    def issue_number(self, *, bin6: str) -> str:
        self.issued += 1
        return super().issue_number(bin6=bin6)


def test_opening_an_account_twice_with_one_key_returns_the_first_account(socio) -> None:
    ledger_accounts = LedgerAccount.objects.count()

    first = account_open(member=socio, kind=AccountKind.CHECKING, idempotency_key="open-1")
    again = account_open(member=socio, kind=AccountKind.CHECKING, idempotency_key="open-1")

    assert again.pk == first.pk
    assert again.number == first.number
    assert DepositAccount.objects.filter(member=socio).count() == 1
    assert LedgerAccount.objects.count() == ledger_accounts + 1
    assert first.idempotency_key == "open-1"


def test_issuing_a_debit_card_twice_with_one_key_returns_the_first_card(savings) -> None:
    processor = CountingProcessor()

    first = debit_card_issue(account=savings, idempotency_key="debit-1", processor=processor)
    again = debit_card_issue(account=savings, idempotency_key="debit-1", processor=processor)

    assert again.pk == first.pk
    assert DebitCard.objects.count() == 1
    assert processor.issued == 1  # a replay asks the network for no second number


def test_issuing_a_credit_card_twice_with_one_key_returns_the_first_card(socio) -> None:
    processor = CountingProcessor()
    ledger_accounts = LedgerAccount.objects.count()

    first = credit_card_issue(
        member=socio, credit_limit=150_000, idempotency_key="credit-1", processor=processor
    )
    again = credit_card_issue(
        member=socio, credit_limit=150_000, idempotency_key="credit-1", processor=processor
    )

    assert again.pk == first.pk
    assert CreditCard.objects.count() == 1
    assert LedgerAccount.objects.count() == ledger_accounts + 1
    assert processor.issued == 1


def test_one_key_with_other_data_is_refused_and_creates_nothing(socio, savings) -> None:
    account = account_open(member=socio, idempotency_key="k-account")
    debit = debit_card_issue(account=savings, idempotency_key="k-debit")
    credit = credit_card_issue(member=socio, credit_limit=100_000, idempotency_key="k-credit")
    counts = (DepositAccount.objects.count(), DebitCard.objects.count(), CreditCard.objects.count())

    with pytest.raises(ProductError, match=f"{CONFLICT} \\({account}\\)"):
        account_open(member=socio, kind=AccountKind.CHECKING, idempotency_key="k-account")
    with pytest.raises(ProductError, match=CONFLICT):
        debit_card_issue(account=account, idempotency_key="k-debit")
    with pytest.raises(ProductError, match=CONFLICT):
        debit_card_issue(account=savings, card_type="Visa Débito", idempotency_key="k-debit")
    with pytest.raises(ProductError, match=CONFLICT):
        credit_card_issue(member=socio, credit_limit=100_001, idempotency_key="k-credit")
    with pytest.raises(ProductError, match=CONFLICT):
        credit_card_issue(
            member=socio, credit_limit=100_000, statement_day=5, idempotency_key="k-credit"
        )

    assert counts == (
        DepositAccount.objects.count(),
        DebitCard.objects.count(),
        CreditCard.objects.count(),
    )
    assert debit.card_type == "MC Débito"
    assert credit.credit_limit == 100_000


def test_the_refusal_is_spanish_and_says_how_to_go_on(socio) -> None:
    account = account_open(member=socio, idempotency_key="k")

    with pytest.raises(ProductError) as refused:
        account_open(member=socio, kind=AccountKind.PROGRESAR, idempotency_key="k")

    assert refused.value.messages == [
        f"Esta solicitud ya se registró con otros datos ({account}); no se aplicó de nuevo. "
        "Para una operación nueva, vuelve a abrir el formulario."
    ]


def test_an_empty_key_is_refused(socio, savings) -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        account_open(member=socio, idempotency_key="")
    with pytest.raises(ValueError, match="idempotency key"):
        debit_card_issue(account=savings, idempotency_key="")
    with pytest.raises(ValueError, match="idempotency key"):
        credit_card_issue(member=socio, credit_limit=1_000, idempotency_key="")
    assert DepositAccount.objects.count() == 1  # only the savings fixture


def test_the_database_refuses_a_second_row_with_one_key(socio) -> None:
    first = account_open(member=socio, idempotency_key="k-1")
    second = account_open(member=socio, idempotency_key="k-2")

    with pytest.raises(IntegrityError), transaction.atomic():
        DepositAccount.objects.filter(pk=second.pk).update(idempotency_key=first.idempotency_key)


def test_money_replays_with_other_data_are_refused(socio, savings) -> None:
    today = timezone.localdate()
    loan = {
        "member": socio,
        "account": savings,
        "product_name": "CRÉDITO DE CONSUMO",
        "principal": 100_000,
        "annual_rate_bp": 1_500,
        "term_months": 6,
        "disbursed_on": today,
        "idempotency_key": "loan-k",
    }
    investment = {
        "member": socio,
        "source_account": savings,
        "capital": 50_000,
        "annual_rate_bp": 650,
        "term_days": 90,
        "start_date": today,
        "idempotency_key": "inv-k",
    }
    card = credit_card_issue(member=socio, credit_limit=100_000, idempotency_key="card")
    purchase = {"card": card, "amount": 1_000, "merchant": "KFC", "idempotency_key": "buy-k"}
    assert loan_disburse(**loan).pk == loan_disburse(**loan).pk
    assert investment_open(**investment).pk == investment_open(**investment).pk
    assert card_purchase_record(**purchase).pk == card_purchase_record(**purchase).pk

    with pytest.raises(ProductError, match=CONFLICT):
        loan_disburse(**{**loan, "principal": 100_001})
    with pytest.raises(ProductError, match=CONFLICT):
        investment_open(**{**investment, "term_days": 91})
    with pytest.raises(ProductError, match=CONFLICT):
        card_purchase_record(**{**purchase, "amount": 1_001})
    savings.ledger_account.refresh_from_db()
    assert savings.ledger_balance == 500_000 + 100_000 - 50_000


def test_a_key_used_by_another_kind_of_operation_is_refused(socio, savings) -> None:
    cash_deposit(account=savings, amount=1_000, idempotency_key="shared")

    with pytest.raises(ProductError, match=CONFLICT):
        loan_disburse(
            member=socio,
            account=savings,
            product_name="CRÉDITO",
            principal=100_000,
            annual_rate_bp=1_500,
            term_months=6,
            disbursed_on=timezone.localdate(),
            idempotency_key="shared",
        )


def test_a_second_statement_cut_on_the_same_date_bills_nothing_twice(socio) -> None:
    card = credit_card_issue(member=socio, credit_limit=150_000, idempotency_key="card")
    card_purchase_record(
        card=card, amount=60_000, merchant="ALMACENES JAPON", idempotency_key="p", installments=3
    )
    cut_date = timezone.localdate() + datetime.timedelta(days=1)

    first = credit_card_statement_cut(card=card, cut_date=cut_date)
    again = credit_card_statement_cut(card=card, cut_date=cut_date)

    purchase = card.purchases.get()
    assert purchase.installments_billed == 1
    assert again.deferred_balance == first.deferred_balance == 40_000
    assert again.statement_balance == first.statement_balance == 20_000
    assert again.minimum_payment == first.minimum_payment


def test_a_statement_cut_before_the_last_one_is_refused(socio) -> None:
    card = credit_card_issue(member=socio, credit_limit=150_000, idempotency_key="card")
    today = timezone.localdate()
    credit_card_statement_cut(card=card, cut_date=today)

    with pytest.raises(ProductError, match="no se puede cortar a una fecha anterior"):
        credit_card_statement_cut(card=card, cut_date=today - datetime.timedelta(days=1))

    card.refresh_from_db()
    assert card.last_statement_date == today
