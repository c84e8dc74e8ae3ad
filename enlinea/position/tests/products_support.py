"""Building a member's loans, pólizas and cards through the real services (tests only)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member
from enlinea.products.models import CreditCard, DebitCard, DepositAccount, Investment, Loan
from enlinea.products.services import (
    account_open,
    card_purchase_record,
    cash_deposit,
    credit_card_issue,
    debit_card_issue,
    investment_open,
    loan_disburse,
)


def funded_account(socio: Member, amount: int = 5_000_000) -> DepositAccount:
    chart_ensure()
    account = account_open(member=socio, idempotency_key=f"pos-savings-{socio.pk}")
    cash_deposit(account=account, amount=amount, idempotency_key=f"pos-seed-{socio.pk}")
    return account


def give_loan(socio: Member, account: DepositAccount, n: int = 0, **overrides: object) -> Loan:
    params: dict = {
        "product_name": "CONSUMO AGIL",
        "principal": 100_000,
        "annual_rate_bp": 1560,
        "term_months": 24,
        "disbursed_on": timezone.localdate() - datetime.timedelta(days=5),
    }
    params.update(overrides)
    return loan_disburse(
        member=socio, account=account, idempotency_key=f"pos-loan-{socio.pk}-{n}", **params
    )


def give_investment(socio: Member, account: DepositAccount, n: int = 0) -> Investment:
    return investment_open(
        member=socio,
        source_account=account,
        capital=250_000,
        annual_rate_bp=650,
        term_days=180,
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        idempotency_key=f"pos-inv-{socio.pk}-{n}",
    )


def give_debit_card(account: DepositAccount, n: int = 0) -> DebitCard:
    return debit_card_issue(account=account, idempotency_key=f"pos-debit-{account.pk}-{n}")


def give_credit_card(socio: Member, n: int = 0, purchases: int = 2) -> CreditCard:
    card = credit_card_issue(
        member=socio, credit_limit=300_000, idempotency_key=f"pos-credit-{socio.pk}-{n}"
    )
    for i in range(purchases):
        card_purchase_record(
            card=card,
            amount=12_345 + i,
            merchant=f"SUPERMAXI {i}",
            installments=3 if i == 0 else 1,
            idempotency_key=f"pos-buy-{card.pk}-{i}",
            occurred_at=timezone.now() - datetime.timedelta(days=i),
        )
    return card


def page_queries(captured: object) -> list[str]:
    """The queries a page made, less the session's: the idle-timeout middleware saves the
    session when the second changes, which has nothing to do with the page's rows."""
    return [
        q["sql"]
        for q in captured.captured_queries  # type: ignore[attr-defined]
        if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
