from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enlinea.ledger.errors import (
    EntryAlreadyResolved,
    IdempotencyConflict,
    InsufficientFunds,
    UnbalancedEntry,
)
from enlinea.ledger.models import (
    AccountKind,
    EntryStatus,
    Hold,
    HoldStatus,
    JournalEntry,
    LedgerAccount,
    Posting,
)
from enlinea.ledger.services import (
    HOT_SHARDS,
    Line,
    coop_account,
    entry_post,
    entry_record,
    entry_reverse,
    entry_void,
    hold_place,
    hold_release,
)
from enlinea.ledger.tests.conftest import new_key
from enlinea.ledger.verify import ledger_verify

pytestmark = pytest.mark.django_db


def _transfer(src, dst, amount, key=None, **kwargs):
    return entry_record(
        idempotency_key=key or new_key("t"),
        kind="transfer",
        lines=[Line(src.pk, -amount), Line(dst.pk, amount)],
        **kwargs,
    )


def test_transfer_posts_both_legs_with_running_balances(open_account) -> None:
    a = open_account("A", 10_000)
    b = open_account("B")
    entry = _transfer(a, b, 2_550)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.balance, b.balance) == (7_450, 2_550)
    assert entry.status == EntryStatus.POSTED
    legs = {p.account_id: (p.amount, p.balance_after) for p in entry.postings.all()}
    assert legs == {a.pk: (-2_550, 7_450), b.pk: (2_550, 2_550)}
    assert ledger_verify().ok


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ((-100, 99), "El asiento no cuadra: la suma es -\\$ 0.01."),
        ((-100,), "al menos dos movimientos"),
        ((0, 0), "no puede ser de \\$ 0.00"),
    ],
)
def test_unbalanced_entries_are_refused_and_write_nothing(open_account, amounts, message) -> None:
    a = open_account("A", 1_000)
    b = open_account("B")
    accounts = [a, b]
    before = Posting.objects.count()
    with pytest.raises(UnbalancedEntry, match=message):
        entry_record(
            idempotency_key=new_key(),
            kind="transfer",
            lines=[Line(accounts[i].pk, amt) for i, amt in enumerate(amounts)],
        )
    assert Posting.objects.count() == before


def test_amounts_must_be_integer_cents(open_account) -> None:
    a = open_account("A", 1_000)
    b = open_account("B")
    with pytest.raises(TypeError):
        entry_record(idempotency_key=new_key(), kind="t", lines=[Line(a.pk, -1.5), Line(b.pk, 1.5)])


def test_overdraft_is_refused_with_a_clear_message_and_nothing_moves(open_account) -> None:
    a = open_account("A", 1_000)
    b = open_account("B")
    key = new_key()
    with pytest.raises(InsufficientFunds, match=r"disponibles y la operación requiere \$ 10\.01"):
        _transfer(a, b, 1_001, key=key)
    a.refresh_from_db()
    assert a.balance == 1_000
    assert not JournalEntry.objects.filter(idempotency_key=key).exists()
    # The key was not consumed: the member can retry once funded.
    assert ledger_verify().ok


def test_holds_lower_the_available_balance_only(open_account) -> None:
    a = open_account("A", 5_000)
    b = open_account("B")
    hold = hold_place(
        account_id=a.pk, amount=3_000, reason="Retención judicial", idempotency_key="h1"
    )
    a.refresh_from_db()
    assert (a.balance, a.held, a.available) == (5_000, 3_000, 2_000)
    with pytest.raises(InsufficientFunds):
        _transfer(a, b, 2_001)
    _transfer(a, b, 2_000)
    with pytest.raises(InsufficientFunds):
        hold_place(account_id=a.pk, amount=1, reason="otra", idempotency_key="h2")
    hold_release(hold_id=hold.pk)
    hold_release(hold_id=hold.pk)  # releasing twice is harmless
    a.refresh_from_db()
    assert (a.balance, a.held) == (3_000, 0)
    assert ledger_verify().ok


def test_pending_entry_holds_then_posts_once(open_account, chart) -> None:
    a = open_account("A", 10_000)
    clearing = coop_account(AccountKind.CLEARING)
    entry = entry_record(
        idempotency_key="spi-1",
        kind="interbank_out",
        lines=[Line(a.pk, -4_000), Line(clearing.pk, 4_000)],
        pending=True,
    )
    a.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    assert (a.balance, a.available) == (10_000, 6_000)
    assert not entry.postings.exists()
    assert ledger_verify().ok

    posted = entry_post(entry_id=entry.pk)
    again = entry_post(entry_id=entry.pk)
    a.refresh_from_db()
    assert posted.status == again.status == EntryStatus.POSTED
    assert (a.balance, a.held) == (6_000, 0)
    assert entry.postings.count() == 2
    assert Hold.objects.get(entry=entry).status == HoldStatus.CONSUMED
    with pytest.raises(EntryAlreadyResolved):
        entry_void(entry_id=entry.pk)
    assert ledger_verify().ok


def test_pending_entry_voided_releases_the_hold(open_account, chart) -> None:
    a = open_account("A", 10_000)
    clearing = coop_account(AccountKind.CLEARING)
    entry = entry_record(
        idempotency_key="spi-2",
        kind="interbank_out",
        lines=[Line(a.pk, -4_000), Line(clearing.pk, 4_000)],
        pending=True,
    )
    entry_void(entry_id=entry.pk)
    a.refresh_from_db()
    assert (a.balance, a.held) == (10_000, 0)
    with pytest.raises(EntryAlreadyResolved):
        entry_post(entry_id=entry.pk)
    assert not Posting.objects.filter(entry=entry).exists()
    assert ledger_verify().ok


def test_pending_entry_cannot_hold_more_than_available(open_account, chart) -> None:
    a = open_account("A", 1_000)
    clearing = coop_account(AccountKind.CLEARING)
    with pytest.raises(InsufficientFunds):
        entry_record(
            idempotency_key="spi-3",
            kind="interbank_out",
            lines=[Line(a.pk, -1_001), Line(clearing.pk, 1_001)],
            pending=True,
        )
    assert not JournalEntry.objects.filter(idempotency_key="spi-3").exists()


def test_reversal_is_a_new_entry_and_only_once(open_account) -> None:
    a = open_account("A", 10_000)
    b = open_account("B")
    original = _transfer(a, b, 1_234)
    reversal = entry_reverse(entry_id=original.pk, idempotency_key="rev-1")
    assert reversal.pk != original.pk
    assert reversal.reverses_id == original.pk
    assert entry_reverse(entry_id=original.pk, idempotency_key="rev-1").pk == reversal.pk
    with pytest.raises(EntryAlreadyResolved, match="ya fue reversado"):
        entry_reverse(entry_id=original.pk, idempotency_key="rev-2")
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.balance, b.balance) == (10_000, 0)
    assert Posting.objects.filter(entry=original).count() == 2  # untouched
    assert ledger_verify().ok


def test_replayed_key_returns_the_first_result(open_account) -> None:
    a = open_account("A", 10_000)
    b = open_account("B")
    first = _transfer(a, b, 500, key="same")
    second = _transfer(a, b, 500, key="same")
    assert first.pk == second.pk
    a.refresh_from_db()
    assert a.balance == 9_500


def test_same_key_with_other_content_is_refused(open_account) -> None:
    a = open_account("A", 10_000)
    b = open_account("B")
    _transfer(a, b, 500, key="same")
    with pytest.raises(IdempotencyConflict, match="ya fue registrada con otros datos"):
        _transfer(a, b, 501, key="same")
    a.refresh_from_db()
    assert a.balance == 9_500


def test_hot_accounts_spread_over_shards_and_add_up(open_account, chart) -> None:
    a = open_account("A", 100_000)
    commission = coop_account(AccountKind.COMMISSION_INCOME)
    iva = coop_account(AccountKind.IVA_PAYABLE)
    assert commission.is_group
    assert commission.shards.count() == HOT_SHARDS
    for i in range(40):
        entry_record(
            idempotency_key=f"fee-{i}",
            kind="commission",
            lines=[Line(a.pk, -36), Line(commission.pk, 31), Line(iva.pk, 5)],
        )
    used = set(
        Posting.objects.filter(account__group=commission).values_list("account_id", flat=True)
    )
    assert len(used) > 4  # spread, not one hot row
    commission.refresh_from_db()
    assert commission.balance == 0  # the group itself never posts
    total = sum(LedgerAccount.objects.filter(group=commission).values_list("balance", flat=True))
    assert total == 40 * 31
    assert ledger_verify().ok


def test_verify_ledger_command_passes_and_catches_a_tampered_balance(open_account, capsys) -> None:
    a = open_account("A", 10_000)
    b = open_account("B")
    _transfer(a, b, 100)
    call_command("verify_ledger")
    assert "Libro contable correcto." in capsys.readouterr().out
    # Tamper behind the service's back: verification must notice.
    LedgerAccount.objects.filter(pk=b.pk).update(balance=999)
    with pytest.raises(CommandError, match="invariantes rotos"):
        call_command("verify_ledger")
    out = capsys.readouterr()
    assert "[FALLA] account balances equal the sum of their postings" in out.out
