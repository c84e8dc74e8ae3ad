from __future__ import annotations

import datetime
import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from enlinea.ledger.errors import InsufficientFunds
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import coop_account
from enlinea.ledger.verify import ledger_verify
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.money import format_cents
from enlinea.products.models import (
    AccountKind,
    AccountStatus,
    CardStatus,
    LoanStatus,
    SignatureCondition,
)
from enlinea.products.services import (
    ProductError,
    account_open,
    account_set_status,
    card_pin_set,
    card_purchase_record,
    cash_deposit,
    cash_withdrawal,
    credit_card_issue,
    credit_card_statement_cut,
    debit_card_issue,
    investment_open,
    investment_pay,
    loan_disburse,
    loan_repay,
)

pytestmark = pytest.mark.django_db


def test_account_numbers_and_ledger_accounts(socio) -> None:
    savings = account_open(member=socio, idempotency_key="a-savings")
    progresar = account_open(
        member=socio, kind=AccountKind.PROGRESAR, idempotency_key="a-progresar"
    )
    assert savings.number.startswith("41")
    assert progresar.number.startswith("42")
    assert len(savings.number) == 10
    assert savings.ledger_account.code == f"2101-{savings.number}"
    assert savings.ledger_account.allow_negative is False
    assert str(savings).startswith("CUENTA DE AHORROS ")


def test_cash_deposit_and_withdrawal_move_money_through_the_ledger(socio) -> None:
    account = account_open(member=socio, idempotency_key="a-cash")
    cash_deposit(account=account, amount=10_000, idempotency_key="d1")
    cash_deposit(account=account, amount=10_000, idempotency_key="d1")  # double submit
    cash_withdrawal(account=account, amount=2_500, idempotency_key="w1")
    account.ledger_account.refresh_from_db()
    assert account.ledger_balance == 7_500
    with pytest.raises(InsufficientFunds):
        cash_withdrawal(account=account, amount=7_501, idempotency_key="w2")
    assert ledger_verify().ok


def test_blocked_accounts_refuse_withdrawals_and_deposits(savings) -> None:
    account_set_status(account=savings, status=AccountStatus.BLOCKED)
    with pytest.raises(ProductError, match="bloqueada"):
        cash_deposit(account=savings, amount=100, idempotency_key="d-blocked")
    with pytest.raises(ProductError, match="BLOQUEADA"):
        cash_withdrawal(account=savings, amount=100, idempotency_key="w-blocked")
    account_set_status(account=savings, status=AccountStatus.ACTIVE)
    cash_withdrawal(account=savings, amount=100, idempotency_key="w-ok")


def test_joint_signature_accounts_cannot_transact_online(socio) -> None:
    assert account_open(member=socio, idempotency_key="a-single").can_transact_online
    joint = account_open(
        member=socio, signature=SignatureCondition.JOINT, idempotency_key="a-joint"
    )
    assert not joint.can_transact_online


def test_amounts_must_be_positive_integer_cents(savings) -> None:
    with pytest.raises(ProductError, match="mayor a cero"):
        cash_deposit(account=savings, amount=0, idempotency_key="z")
    with pytest.raises(TypeError):
        cash_deposit(account=savings, amount=10.5, idempotency_key="f")


def test_loan_disbursement_schedule_and_repayments(socio, savings) -> None:
    loan = loan_disburse(
        member=socio,
        account=savings,
        product_name="CRÉDITO DE CONSUMO",
        principal=1_000_000,
        annual_rate_bp=1_200,
        term_months=12,
        disbursed_on=datetime.date(2026, 1, 15),
        idempotency_key="loan-1",
    )
    again = loan_disburse(
        member=socio,
        account=savings,
        product_name="CRÉDITO DE CONSUMO",
        principal=1_000_000,
        annual_rate_bp=1_200,
        term_months=12,
        disbursed_on=datetime.date(2026, 1, 15),
        idempotency_key="loan-1",
    )
    assert again.pk == loan.pk
    assert loan.installments.count() == 12
    assert sum(loan.installments.values_list("principal", flat=True)) == 1_000_000
    first = loan.installments.get(number=1)
    assert first.payment == 88_849
    assert first.due_date == datetime.date(2026, 2, 15)
    loan.ledger_account.refresh_from_db()
    assert loan.balance == 1_000_000
    savings.ledger_account.refresh_from_db()
    assert savings.ledger_balance == 1_500_000

    paid = loan_repay(loan=loan, from_account=savings, idempotency_key="pay-1")
    assert loan_repay(loan=loan, from_account=savings, idempotency_key="pay-1").pk == paid.pk
    loan.refresh_from_db()
    loan.ledger_account.refresh_from_db()
    assert loan.installments_paid == 1
    assert loan.balance == 1_000_000 - first.principal
    interest = coop_account(LedgerKind.INTEREST_INCOME)
    interest.refresh_from_db()
    assert interest.balance == first.interest
    for n in range(2, 13):
        loan_repay(loan=loan, from_account=savings, idempotency_key=f"pay-{n}")
    loan.refresh_from_db()
    loan.ledger_account.refresh_from_db()
    assert loan.status == LoanStatus.PAID_OFF
    assert loan.balance == 0
    with pytest.raises(ProductError, match="cancelado"):
        loan_repay(loan=loan, from_account=savings, idempotency_key="pay-13")
    assert ledger_verify().ok


def test_loan_is_disbursed_only_into_the_members_own_account(socio, savings) -> None:
    other = member_create(**member_data(email="otro@example.com"))
    with pytest.raises(ProductError, match="mismo socio"):
        loan_disburse(
            member=other,
            account=savings,
            product_name="CRÉDITO",
            principal=100_000,
            annual_rate_bp=1_500,
            term_months=6,
            disbursed_on=datetime.date(2026, 1, 1),
            idempotency_key="loan-x",
        )


def test_investment_holds_capital_and_pays_interest_less_withholding(socio, savings) -> None:
    investment = investment_open(
        member=socio,
        source_account=savings,
        capital=400_000,
        annual_rate_bp=650,
        term_days=180,
        start_date=datetime.date(2026, 1, 5),
        idempotency_key="inv-1",
    )
    assert investment.interest == 13_000  # 4,000.00 x 6.5 % x 180/360
    assert investment.withholding == 260  # 2 % retención en la fuente
    assert investment.maturity_date == datetime.date(2026, 7, 4)
    savings.ledger_account.refresh_from_db()
    investment.ledger_account.refresh_from_db()
    assert savings.ledger_balance == 100_000
    assert investment.ledger_account.balance == 400_000
    investment_pay(investment=investment, idempotency_key="inv-pay-1")
    investment_pay(investment=investment, idempotency_key="inv-pay-1")
    savings.ledger_account.refresh_from_db()
    assert savings.ledger_balance == 500_000 + 13_000 - 260
    assert ledger_verify().ok


def test_the_member_hears_of_each_loan_and_investment_movement_once(socio, savings) -> None:
    from enlinea.notifications.models import Message

    loan_args = {
        "member": socio,
        "account": savings,
        "product_name": "CRÉDITO DE CONSUMO",
        "principal": 120_000,
        "annual_rate_bp": 1_200,
        "term_months": 12,
        "disbursed_on": datetime.date(2026, 1, 15),
        "idempotency_key": "loan-n",
    }
    loan = loan_disburse(**loan_args)
    loan_disburse(**loan_args)  # a replay tells nothing more
    installment = loan_repay(loan=loan, from_account=savings, idempotency_key="loan-n-1")
    loan_repay(loan=loan, from_account=savings, idempotency_key="loan-n-1")
    investment = investment_open(
        member=socio,
        source_account=savings,
        capital=50_000,
        annual_rate_bp=650,
        term_days=180,
        start_date=datetime.date(2026, 1, 5),
        idempotency_key="inv-n",
    )
    investment_pay(investment=investment, idempotency_key="inv-n-pay")
    investment_pay(investment=investment, idempotency_key="inv-n-pay")
    last = savings.number[-4:]
    emails = Message.objects.filter(kind="movimiento_cuenta", channel="email").order_by("id")
    net = format_cents(investment.capital + investment.interest - investment.withholding)
    assert [m.subject for m in emails] == [
        f"Desembolso de tu crédito: $ 1,200.00 acreditados en tu cuenta terminada en {last}",
        f"Pago de la cuota de tu crédito: {format_cents(installment.payment)} debitados de "
        f"tu cuenta terminada en {last}",
        f"Apertura de tu inversión: $ 500.00 debitados de tu cuenta terminada en {last}",
        f"Pago de tu inversión al vencimiento: {net} acreditados en tu cuenta terminada en {last}",
    ]
    assert all(m.recipient == socio.email for m in emails)
    assert f"crédito N.º {loan.number}" in emails[1].body
    assert f"Póliza N.º {investment.number}" in emails[2].body
    assert Message.objects.filter(kind="movimiento_cuenta", channel="sms").count() == 4


def test_investment_is_not_paid_before_maturity(socio, savings) -> None:
    investment = investment_open(
        member=socio,
        source_account=savings,
        capital=100_000,
        annual_rate_bp=650,
        term_days=90,
        start_date=timezone.localdate(),
        idempotency_key="inv-early",
    )
    with pytest.raises(ProductError, match="aún no se puede pagar"):
        investment_pay(investment=investment, idempotency_key="inv-early-pay")
    investment.refresh_from_db()
    assert investment.status == "VIGENTE"


def test_investment_cannot_exceed_available_balance(socio, savings) -> None:
    with pytest.raises(InsufficientFunds):
        investment_open(
            member=socio,
            source_account=savings,
            capital=500_001,
            annual_rate_bp=650,
            term_days=90,
            start_date=datetime.date(2026, 1, 5),
            idempotency_key="inv-2",
        )


def test_cards_keep_only_masked_numbers_and_hashed_pins(socio, savings) -> None:
    debit = debit_card_issue(account=savings, idempotency_key="debit")
    assert len(debit.bin6) == 6
    assert len(debit.last4) == 4
    assert debit.masked_number == f"{debit.bin6[:4]} {debit.bin6[4:]}** **** {debit.last4}"
    card_pin_set(card=debit, pin="8361")
    debit.refresh_from_db()
    assert "8361" not in debit.pin_hash
    assert check_password("8361", debit.pin_hash)
    born = dt.date(1987, 3, 14)
    type(socio).objects.filter(pk=socio.pk).update(birth_date=born)
    debit.refresh_from_db()  # its holder now with that birth date
    for weak in ["1234", "2345", "0000", "1212", "12a4", "123", f"{born:%d%m}", f"{born:%Y}"]:
        with pytest.raises(ProductError):
            card_pin_set(card=debit, pin=weak)
    debit.refresh_from_db()
    assert check_password("8361", debit.pin_hash)  # a refused PIN changes nothing


def test_debit_card_purchase_debits_the_account(savings) -> None:
    card = debit_card_issue(account=savings, idempotency_key="debit")
    purchase = card_purchase_record(
        card=card, amount=4_599, merchant="SUPERMAXI", idempotency_key="p1"
    )
    assert purchase.authorization
    savings.ledger_account.refresh_from_db()
    assert savings.ledger_balance == 500_000 - 4_599
    assert ledger_verify().ok


def test_the_member_hears_of_every_card_purchase_once(savings, socio) -> None:
    from enlinea.notifications.models import Message

    debit = debit_card_issue(account=savings, idempotency_key="debit-n")
    card_purchase_record(card=debit, amount=4_599, merchant="SUPERMAXI", idempotency_key="n1")
    card_purchase_record(card=debit, amount=4_599, merchant="SUPERMAXI", idempotency_key="n1")
    credit = credit_card_issue(member=socio, credit_limit=10_000, idempotency_key="credit-n")
    card_purchase_record(
        card=credit, amount=6_000, merchant="KYWI", idempotency_key="n2", installments=3
    )
    with pytest.raises(ProductError):  # refused: over the cupo, nothing said
        card_purchase_record(card=credit, amount=9_000, merchant="X", idempotency_key="n3")
    emails = Message.objects.filter(kind="consumo_tarjeta", channel="email").order_by("id")
    assert [m.subject for m in emails] == [
        f"Consumo de $ 45.99 con tu tarjeta terminada en {debit.last4}",
        f"Consumo de $ 60.00 con tu tarjeta terminada en {credit.last4}",
    ]
    assert all(m.recipient == socio.email for m in emails)
    assert "Comercio: SUPERMAXI" in emails[0].body
    assert "Diferido a 3 cuotas" in emails[1].body
    assert "Bloquear tarjeta" in emails[1].body
    assert Message.objects.filter(kind="consumo_tarjeta", channel="sms").count() == 2


def test_credit_card_limit_debt_deferrals_and_statement(socio) -> None:
    card = credit_card_issue(member=socio, credit_limit=150_000, idempotency_key="credit")
    card_purchase_record(card=card, amount=30_000, merchant="KYWI", idempotency_key="c1")
    card_purchase_record(
        card=card, amount=60_000, merchant="ALMACENES JAPON", idempotency_key="c2", installments=3
    )
    card.refresh_from_db()
    card.ledger_account.refresh_from_db()
    assert card.total_debt == 90_000
    assert card.deferred_balance == 60_000
    assert card.current_balance == 30_000
    assert card.available_credit == 60_000
    with pytest.raises(ProductError, match="Cupo insuficiente"):
        card_purchase_record(card=card, amount=60_001, merchant="X", idempotency_key="c3")
    cut = credit_card_statement_cut(
        card=card, cut_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert cut.deferred_balance == 40_000
    assert cut.statement_balance == 50_000
    assert cut.minimum_payment == 2_500
    assert cut.payment_due_date == cut.last_statement_date + datetime.timedelta(days=20)
    settlement = coop_account(LedgerKind.CARD_SETTLEMENT)
    settlement.refresh_from_db()
    assert settlement.balance == 90_000
    assert ledger_verify().ok


def test_blocked_card_cannot_buy(socio) -> None:
    from enlinea.products.services import card_set_status

    card = credit_card_issue(member=socio, credit_limit=50_000, idempotency_key="credit")
    card_set_status(card=card, status=CardStatus.BLOCKED)
    with pytest.raises(ProductError, match="BLOQUEADA"):
        card_purchase_record(card=card, amount=100, merchant="X", idempotency_key="b1")


def test_card_network_declines_leave_nothing_posted(socio) -> None:
    from enlinea.ledger.models import JournalEntry

    card = credit_card_issue(member=socio, credit_limit=5_000_000, idempotency_key="credit")
    with pytest.raises(ProductError, match="rechazado por la red"):
        card_purchase_record(
            card=card, amount=1_000_001, merchant="CONCESIONARIO", idempotency_key="big"
        )
    assert not JournalEntry.objects.filter(idempotency_key="big").exists()
    assert not card.purchases.exists()


def test_loans_past_due_become_overdue_and_current_again_when_paid(socio, savings) -> None:
    from enlinea.products.models import Loan
    from enlinea.products.tasks import loans_mark_overdue

    loan = loan_disburse(
        member=socio,
        account=savings,
        product_name="CRÉDITO",
        principal=120_000,
        annual_rate_bp=1_500,
        term_months=12,
        disbursed_on=timezone.localdate() - datetime.timedelta(days=70),
        idempotency_key="loan-late",
    )
    loans_mark_overdue.call_local()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE
    loan_repay(loan=loan, from_account=savings, idempotency_key="late-1")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE  # the second installment is late too
    loan_repay(loan=loan, from_account=savings, idempotency_key="late-2")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CURRENT
    assert Loan.objects.filter(status=LoanStatus.OVERDUE).count() == 0
