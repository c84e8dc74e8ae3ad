"""Cash at the window: a second staff member approves large operations, and each
teller has a daily cash limit (deposits and withdrawals together).

A teller used to deposit $ 1,000,000,000,000.00 with nobody else looking.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from enlinea.access.models import AuditKind
from enlinea.ledger.errors import LedgerError
from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.notifications.models import Channel, Message
from enlinea.products.models import AccountStatus, CashKind, CashOperation, CashStatus
from enlinea.products.roles import OPERATIONS, TELLER, roles_ensure
from enlinea.products.services import (
    ProductError,
    account_set_status,
    cash_deposit,
    cash_handled_today,
    cash_operation_approve,
    cash_operation_reject,
    cash_operation_request,
    cash_withdrawal,
    loan_disburse,
)
from enlinea.products.tests.support import STAFF_PASSWORD, balance
from enlinea.security.models import AuditEvent

pytestmark = pytest.mark.django_db

THRESHOLD = 10_000_00  # the default CASH_APPROVAL_THRESHOLD, $ 10,000.00
LIMIT = 50_000_00  # the default CASH_TELLER_DAILY_LIMIT, $ 50,000.00


@pytest.fixture
def make_staff(django_user_model):
    roles_ensure()

    def _make(username: str, *roles: str):
        user = django_user_model.objects.create_user(
            username=username, password=STAFF_PASSWORD, is_staff=True
        )
        user.groups.add(*Group.objects.filter(name__in=roles))
        return django_user_model.objects.get(pk=user.pk)  # fresh permission cache

    return _make


@pytest.fixture
def teller(make_staff):
    return make_staff("cajera", TELLER)


@pytest.fixture
def supervisor(make_staff):
    return make_staff("supervisora", OPERATIONS)


@pytest.fixture
def rich(savings):
    """The member's savings with $ 40,000.00 (the seed's $ 5,000.00 and a big deposit)."""
    cash_deposit(account=savings, amount=35_000_00, idempotency_key="rich")
    return savings


def request_cash(account, teller, amount: int, key: str, kind: str = CashKind.DEPOSIT):
    return cash_operation_request(
        account=account, kind=kind, amount=amount, teller=teller, idempotency_key=key
    )


def audits(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


# ---------------------------------------------------------------- the threshold


@pytest.mark.parametrize("amount", [1, 300_00, THRESHOLD])
def test_cash_at_or_below_the_threshold_posts_at_once(savings, teller, amount) -> None:
    before = balance(savings)

    operation = request_cash(savings, teller, amount, "small")

    assert operation.status == CashStatus.POSTED
    assert operation.entry is not None
    assert operation.entry.kind == "cash_deposit"
    assert operation.approver is None
    assert balance(savings) == before + amount
    assert audits(AuditKind.CASH_PENDING) == []


def test_cash_above_the_threshold_waits_and_posts_nothing(savings, teller) -> None:
    before, entries = balance(savings), JournalEntry.objects.count()

    operation = request_cash(savings, teller, THRESHOLD + 1, "big")

    assert operation.status == CashStatus.PENDING
    assert operation.entry is None
    assert balance(savings) == before
    assert JournalEntry.objects.count() == entries
    [audit] = audits(AuditKind.CASH_PENDING)
    assert audit.user == teller
    assert audit.member == savings.member
    assert audit.detail["amount"] == THRESHOLD + 1
    assert audit.detail["account"] == savings.number
    assert audit.detail["operation"] == operation.pk


@override_settings(CASH_APPROVAL_THRESHOLD=100_00)
def test_the_threshold_is_a_setting(savings, teller) -> None:
    assert request_cash(savings, teller, 100_00, "at").status == CashStatus.POSTED
    assert request_cash(savings, teller, 100_01, "above").status == CashStatus.PENDING


def test_the_teller_who_asked_cannot_approve_even_with_the_permission(savings, make_staff) -> None:
    both = make_staff("cajera-y-supervisora", TELLER, OPERATIONS)
    assert both.has_perm("products.approve_cash")
    operation = request_cash(savings, both, 20_000_00, "own")
    before = balance(savings)

    with pytest.raises(ProductError) as refused:
        cash_operation_approve(operation=operation, approver=both)
    with pytest.raises(ProductError):
        cash_operation_reject(operation=operation, approver=both)

    assert "no puedes decidir sobre una operación que registraste tú" in refused.value.messages[0]
    operation.refresh_from_db()
    assert operation.status == CashStatus.PENDING
    assert balance(savings) == before
    assert audits(AuditKind.CASH_APPROVED) == []


def test_the_database_refuses_a_decision_by_the_teller_who_asked(savings, teller) -> None:
    operation = request_cash(savings, teller, 20_000_00, "own")

    with pytest.raises(IntegrityError), transaction.atomic():
        CashOperation.objects.filter(pk=operation.pk).update(
            status=CashStatus.REJECTED, approver=teller
        )


def test_a_staff_member_without_the_permission_cannot_approve(savings, teller, make_staff) -> None:
    colleague = make_staff("otro-cajero", TELLER)
    operation = request_cash(savings, teller, 20_000_00, "big")

    with pytest.raises(ProductError, match="No tienes permiso"):
        cash_operation_approve(operation=operation, approver=colleague)

    operation.refresh_from_db()
    assert operation.status == CashStatus.PENDING


def test_another_staff_member_approves_and_it_posts_once(savings, teller, supervisor) -> None:
    before, entries = balance(savings), JournalEntry.objects.count()
    operation = request_cash(savings, teller, 20_000_00, "big")

    approved = cash_operation_approve(operation=operation, approver=supervisor)
    again = cash_operation_approve(operation=operation, approver=supervisor)

    assert approved.status == CashStatus.APPROVED
    assert approved.approver == supervisor
    assert approved.decided_at is not None
    assert again.entry_id == approved.entry_id
    assert approved.entry.idempotency_key == operation.idempotency_key
    assert balance(savings) == before + 20_000_00
    assert JournalEntry.objects.count() == entries + 1
    [audit] = audits(AuditKind.CASH_APPROVED)
    assert audit.user == supervisor
    assert audit.detail["teller"] == "cajera"
    assert audit.detail["entry"] == approved.entry_id
    assert ledger_verify().ok


def test_a_rejection_posts_nothing_and_cannot_be_approved_later(
    savings, teller, supervisor
) -> None:
    before, entries = balance(savings), JournalEntry.objects.count()
    operation = request_cash(savings, teller, 20_000_00, "big")

    rejected = cash_operation_reject(
        operation=operation, approver=supervisor, reason="El socio no presentó el origen."
    )

    assert rejected.status == CashStatus.REJECTED
    assert rejected.entry is None
    assert balance(savings) == before
    assert JournalEntry.objects.count() == entries
    [audit] = audits(AuditKind.CASH_REJECTED)
    assert audit.user == supervisor
    assert audit.detail["reason"] == "El socio no presentó el origen."
    with pytest.raises(ProductError, match="ya fue rechazada"):
        cash_operation_approve(operation=operation, approver=supervisor)
    assert balance(savings) == before


def test_an_approved_operation_cannot_be_rejected(savings, teller, supervisor) -> None:
    operation = request_cash(savings, teller, 20_000_00, "big")
    cash_operation_approve(operation=operation, approver=supervisor)

    with pytest.raises(ProductError, match="no se puede rechazar"):
        cash_operation_reject(operation=operation, approver=supervisor)


def test_an_operation_that_posted_at_once_needs_no_approval(savings, teller, supervisor) -> None:
    operation = request_cash(savings, teller, 100_00, "small")

    with pytest.raises(ProductError, match="no necesitaba aprobación"):
        cash_operation_approve(operation=operation, approver=supervisor)


# ---------------------------------------------------------------- withdrawals


def test_a_large_withdrawal_waits_without_holding_and_posts_on_approval(
    rich, teller, supervisor
) -> None:
    operation = request_cash(rich, teller, 15_000_00, "out", CashKind.WITHDRAWAL)
    assert operation.status == CashStatus.PENDING
    assert balance(rich) == 40_000_00

    cash_operation_approve(operation=operation, approver=supervisor)

    assert balance(rich) == 25_000_00


def test_a_large_withdrawal_beyond_the_balance_is_refused_at_once(savings, teller) -> None:
    with pytest.raises(ProductError, match="Saldo disponible insuficiente"):
        request_cash(savings, teller, 15_000_00, "out", CashKind.WITHDRAWAL)

    assert not CashOperation.objects.exists()


def test_approval_rechecks_the_balance_and_leaves_it_pending_when_short(
    rich, teller, supervisor
) -> None:
    operation = request_cash(rich, teller, 30_000_00, "out", CashKind.WITHDRAWAL)
    # Meanwhile the member's money goes elsewhere (the pending withdrawal holds nothing).
    cash_withdrawal(account=rich, amount=20_000_00, idempotency_key="meanwhile")

    with pytest.raises(LedgerError, match="Saldo disponible insuficiente"):
        cash_operation_approve(operation=operation, approver=supervisor)

    operation.refresh_from_db()
    assert operation.status == CashStatus.PENDING
    assert balance(rich) == 20_000_00
    assert audits(AuditKind.CASH_APPROVED) == []


def test_approval_rechecks_the_account_status(savings, teller, supervisor) -> None:
    operation = request_cash(savings, teller, 20_000_00, "big")
    account_set_status(account=savings, status=AccountStatus.BLOCKED)

    with pytest.raises(ProductError, match="bloqueada"):
        cash_operation_approve(operation=operation, approver=supervisor)

    operation.refresh_from_db()
    assert operation.status == CashStatus.PENDING


# ---------------------------------------------------------------- replays


def test_a_replayed_request_returns_the_first_operation(savings, teller) -> None:
    first = request_cash(savings, teller, 300_00, "k")
    before = balance(savings)

    assert request_cash(savings, teller, 300_00, "k").pk == first.pk
    with pytest.raises(ProductError, match="ya se registró con otros datos"):
        request_cash(savings, teller, 400_00, "k")

    assert balance(savings) == before
    assert CashOperation.objects.count() == 1


# ---------------------------------------------------------------- the daily limit


def test_the_daily_limit_counts_deposits_and_withdrawals_together(rich, teller) -> None:
    request_cash(rich, teller, 10_000_00, "d1")
    request_cash(rich, teller, 10_000_00, "w1", CashKind.WITHDRAWAL)
    request_cash(rich, teller, 25_000_00, "d2")  # pending: it counts too
    assert cash_handled_today(teller=teller) == 45_000_00
    before = balance(rich)

    with pytest.raises(ProductError) as refused:
        request_cash(rich, teller, 5_000_01, "w2", CashKind.WITHDRAWAL)

    assert refused.value.messages == [
        "El monto supera tu límite diario de efectivo de $ 50,000.00: hoy ya registraste "
        "$ 45,000.00 entre depósitos y retiros y te quedan $ 5,000.00."
    ]
    assert balance(rich) == before
    assert CashOperation.objects.count() == 3
    [audit] = audits(AuditKind.CASH_LIMIT_REFUSED)
    assert audit.user == teller
    assert audit.detail == {
        "account": rich.number,
        "cash_kind": "withdrawal",
        "amount": 5_000_01,
        "handled_today": 45_000_00,
        "limit": LIMIT,
    }
    # Exactly up to the limit is allowed.
    assert request_cash(rich, teller, 5_000_00, "w3", CashKind.WITHDRAWAL).pk


def test_a_single_operation_above_the_daily_limit_is_refused(savings, teller) -> None:
    with pytest.raises(ProductError, match="límite diario de efectivo"):
        request_cash(savings, teller, LIMIT + 1, "huge")

    assert not CashOperation.objects.exists()


def test_a_rejected_operation_no_longer_counts(savings, teller, supervisor) -> None:
    big = request_cash(savings, teller, 45_000_00, "big")
    with pytest.raises(ProductError):
        request_cash(savings, teller, 10_000_00, "more")

    cash_operation_reject(operation=big, approver=supervisor)

    assert request_cash(savings, teller, 10_000_00, "more").status == CashStatus.POSTED


def test_the_limit_is_per_teller_and_per_day(savings, teller, make_staff) -> None:
    request_cash(savings, teller, 45_000_00, "big")
    other = make_staff("otra-cajera", TELLER)

    assert request_cash(savings, other, 10_000_00, "other").status == CashStatus.POSTED
    CashOperation.objects.filter(teller=teller).update(
        business_day=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert request_cash(savings, teller, 10_000_00, "tomorrow").status == CashStatus.POSTED


@override_settings(CASH_TELLER_DAILY_LIMIT=1_000_00)
def test_the_daily_limit_is_a_setting(savings, teller) -> None:
    request_cash(savings, teller, 1_000_00, "all")

    with pytest.raises(ProductError, match=r"\$ 1,000.00"):
        request_cash(savings, teller, 1, "one-more")


# ---------------------------------------------------------------- the maximum


def test_the_services_refuse_amounts_above_the_maximum_in_spanish(savings, socio, teller) -> None:
    huge = 99_999_999_999_999_999_99
    for call in (
        lambda: cash_deposit(account=savings, amount=huge, idempotency_key="huge"),
        lambda: request_cash(savings, teller, huge, "huge-window"),
        lambda: loan_disburse(
            member=socio,
            account=savings,
            product_name="Consumo",
            principal=huge,
            annual_rate_bp=1500,
            term_months=12,
            disbursed_on=timezone.localdate(),
            idempotency_key="huge-loan",
        ),
    ):
        with pytest.raises(ProductError) as refused:
            call()
        assert refused.value.messages == ["El monto no puede superar $ 999,999,999.99."]
    assert balance(savings) == 500_000


# ---------------------------------------------------------------- the member hears of it


def notices(member, kind: str) -> list[Message]:
    return list(
        Message.objects.filter(kind=kind, recipient__in=[member.email, member.mobile_phone])
    )


def test_small_cash_tells_the_member_by_email_and_sms(rich, teller) -> None:
    member = rich.member
    deposit = request_cash(rich, teller, 300_00, "in")
    request_cash(rich, teller, 1_255_02, "out", CashKind.WITHDRAWAL)

    [email, sms] = sorted(notices(member, "deposito_efectivo"), key=lambda m: m.channel)
    assert (email.channel, email.recipient) == (Channel.EMAIL, member.email)
    assert (sms.channel, sms.recipient) == (Channel.SMS, member.mobile_phone)
    last4 = rich.number[-4:]
    assert email.subject == f"Depósito en efectivo de $ 300.00 en tu cuenta terminada en {last4}"
    assert "Se registró un depósito en efectivo en ventanilla en tu cuenta de ahorros" in email.body
    assert f"Operación: #{deposit.pk}" in email.body
    assert rich.number not in email.body + sms.body  # only the last digits
    assert "$ 300.00" in sms.body
    [withdrawal_email] = [
        m for m in notices(member, "retiro_efectivo") if m.channel == Channel.EMAIL
    ]
    assert withdrawal_email.subject == (
        f"Retiro en efectivo de $ 1,255.02 de tu cuenta terminada en {last4}"
    )


def test_large_cash_tells_the_member_once_when_approved_and_never_when_rejected(
    rich, teller, supervisor
) -> None:
    member = rich.member
    big = request_cash(rich, teller, 15_000_00, "big-out", CashKind.WITHDRAWAL)
    other = request_cash(rich, teller, 20_000_00, "big-in")
    assert notices(member, "retiro_efectivo") == []  # pending: no money moved yet

    cash_operation_approve(operation=big, approver=supervisor)
    cash_operation_approve(operation=big, approver=supervisor)  # a replay sends nothing
    cash_operation_reject(operation=other, approver=supervisor)

    sent = notices(member, "retiro_efectivo")
    assert sorted(m.channel for m in sent) == [Channel.EMAIL, Channel.SMS]
    assert all("$ 15,000.00" in m.body for m in sent)
    assert notices(member, "deposito_efectivo") == []


def test_an_approval_refused_by_the_ledger_sends_nothing(rich, teller, supervisor) -> None:
    operation = request_cash(rich, teller, 30_000_00, "out", CashKind.WITHDRAWAL)
    cash_withdrawal(account=rich, amount=20_000_00, idempotency_key="meanwhile")

    with pytest.raises(LedgerError):
        cash_operation_approve(operation=operation, approver=supervisor)

    assert notices(rich.member, "retiro_efectivo") == []
