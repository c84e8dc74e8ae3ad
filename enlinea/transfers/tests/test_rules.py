"""The rules every transfer obeys in its service: the cupo of its scope (checked with the
debit, the amount without the commission, refusals naming what remains), none between
a member's own accounts, and accounts that may not move money."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enlinea.ledger.models import JournalEntry
from enlinea.limits.errors import LimitExceeded
from enlinea.limits.models import LimitUsage, Scope
from enlinea.limits.services import limits_set
from enlinea.products.models import AccountStatus
from enlinea.products.services import ProductError, account_set_status
from enlinea.receipts.models import Receipt
from enlinea.transfers.services import transfer_record
from enlinea.transfers.tests.conftest import OPENING, balance, fund, interbank

pytestmark = pytest.mark.django_db


def _internal(source, destination, amount: int, key: str, **extra):
    return transfer_record(
        source=source,
        kind="internal",
        destination=destination,
        amount=amount,
        idempotency_key=key,
        **extra,
    )


def _cupo(member, scope: str, daily: int, weekly: int, monthly: int) -> None:
    limits_set(member=member, scope=scope, daily=daily, weekly=weekly, monthly=monthly)


def _counts() -> tuple[int, int, int]:
    return JournalEntry.objects.count(), Receipt.objects.count(), LimitUsage.objects.count()


def test_an_internal_transfer_over_the_daily_cupo_is_refused_with_what_remains(
    savings, other_savings
) -> None:
    _cupo(savings.member, Scope.INTERNAL, daily=20_000, weekly=50_000, monthly=90_000)
    _internal(savings, other_savings, 15_000, "a")
    before = _counts()
    with pytest.raises(LimitExceeded) as refused:
        _internal(savings, other_savings, 5_001, "b")
    assert refused.value.messages == ["El monto supera tu cupo diario disponible de $ 50.00."]
    assert (refused.value.period, refused.value.remaining) == ("daily", 5_000)
    assert _counts() == before
    assert balance(savings) == OPENING - 15_000
    _internal(savings, other_savings, 5_000, "c")  # exactly what remains fits
    assert balance(other_savings) == OPENING + 20_000


def test_an_interbank_transfer_uses_the_external_cupo_without_its_commission(savings) -> None:
    _cupo(savings.member, Scope.EXTERNAL, daily=10_000, weekly=20_000, monthly=40_000)
    order = interbank(savings, 10_000, "2203344556", "ib")  # $ 100.00 + $ 0.41 of fees
    usage = LimitUsage.objects.get(reference="ib")
    assert usage.amount == 10_000
    assert usage.limit.scope == Scope.EXTERNAL
    assert usage.limit.member_id == savings.member_id
    assert order.commission + order.iva == 41
    before = _counts()
    with pytest.raises(LimitExceeded, match=r"cupo diario disponible de \$ 0\.00"):
        interbank(savings, 1, "2203344556", "ib2")
    assert _counts() == before


def test_scopes_are_separate(savings, other_savings) -> None:
    _cupo(savings.member, Scope.EXTERNAL, daily=1_000, weekly=2_000, monthly=4_000)
    _internal(savings, other_savings, 50_000, "internal")  # the internal cupo is the maximum
    assert LimitUsage.objects.get(reference="internal").limit.scope == Scope.INTERNAL
    interbank(savings, 1_000, "2203344556", "external")
    with pytest.raises(LimitExceeded):
        interbank(savings, 1, "2203344556", "external-2")


def test_transfers_between_own_accounts_use_no_cupo(savings, checking) -> None:
    _cupo(savings.member, Scope.INTERNAL, daily=100, weekly=100, monthly=100)
    transfer_record(
        source=savings, kind="own", destination=checking, amount=50_000, idempotency_key="own"
    )
    assert balance(checking) == 50_000
    assert not LimitUsage.objects.exists()


def test_a_transfer_refused_for_its_balance_leaves_its_cupo_unused(savings, other_savings) -> None:
    with pytest.raises(ProductError, match="insuficiente"):
        _internal(savings, other_savings, OPENING + 1, "big")
    assert not LimitUsage.objects.exists()
    with pytest.raises(ProductError, match="insuficiente"):
        interbank(savings, OPENING, "2203344556", "big-ib")  # the fees do not fit
    assert not LimitUsage.objects.exists()


def test_a_transfer_refused_for_a_blocked_destination_leaves_its_cupo_unused(
    savings, other_savings
) -> None:
    account_set_status(account=other_savings, status=AccountStatus.BLOCKED)
    with pytest.raises(ProductError, match="BLOQUEADA: no puede recibir"):
        _internal(savings, other_savings, 1_000, "x")
    assert not LimitUsage.objects.exists()


def test_a_replayed_transfer_counts_against_the_cupo_once(savings, other_savings) -> None:
    _cupo(savings.member, Scope.INTERNAL, daily=20_000, weekly=50_000, monthly=90_000)
    first = _internal(savings, other_savings, 15_000, "same")
    assert _internal(savings, other_savings, 15_000, "same").pk == first.pk
    assert LimitUsage.objects.filter(reference="same").count() == 1
    _internal(savings, other_savings, 5_000, "other")  # $ 50.00 still remained


def test_a_back_dated_transfer_counts_in_its_own_day(savings, other_savings) -> None:
    _cupo(savings.member, Scope.INTERNAL, daily=20_000, weekly=50_000, monthly=90_000)
    yesterday = timezone.now() - dt.timedelta(days=1)
    _internal(savings, other_savings, 20_000, "yesterday", occurred_at=yesterday)
    assert LimitUsage.objects.get(reference="yesterday").occurred_at == yesterday
    # Today has its own daily cupo (and the week and month have room for both).
    _internal(savings, other_savings, 20_000, "today")
    assert LimitUsage.objects.count() == 2
    with pytest.raises(LimitExceeded, match=r"diario disponible de \$ 0\.00"):
        _internal(savings, other_savings, 1, "today-2")


def test_a_long_idempotency_key_is_a_valid_cupo_reference(savings, other_savings) -> None:
    key = "confirmacion:" + "k" * 100
    _internal(savings, other_savings, 1_000, key)
    usage = LimitUsage.objects.get()
    assert usage.reference.startswith("sha256:")
    assert _internal(savings, other_savings, 1_000, key).idempotency_key == key
    assert LimitUsage.objects.count() == 1


@pytest.mark.parametrize("status", [AccountStatus.INACTIVE, AccountStatus.BLOCKED])
def test_an_inactive_or_blocked_account_sends_no_interbank_transfer(savings, status) -> None:
    account_set_status(account=savings, status=status)
    before = _counts()
    with pytest.raises(ProductError, match=f"está {status}: no admite"):
        interbank(savings, 1_000, "2203344556", "x")
    assert _counts() == before


def test_an_interbank_transfer_from_a_second_funded_account_uses_the_same_cupo(
    savings, checking
) -> None:
    fund(checking, 50_000, "fund-checking")
    _cupo(savings.member, Scope.EXTERNAL, daily=10_000, weekly=20_000, monthly=40_000)
    interbank(savings, 6_000, "2203344556", "one")
    with pytest.raises(LimitExceeded, match=r"\$ 40\.00"):
        interbank(checking, 6_000, "2203344556", "two")
