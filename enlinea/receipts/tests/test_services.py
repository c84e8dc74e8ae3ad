"""receipt_issue: one numbered receipt per operation, replays and concurrent first requests."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.receipts.selectors import mask_account, mask_identification, receipt_for_entry
from enlinea.receipts.services import Counterpart, receipt_issue

from .support import savings

pytestmark = pytest.mark.django_db


def _entry(account, key: str, amount: int = 1_000):
    return entry_record(
        idempotency_key=key,
        kind="transfer_internal",
        lines=[
            Line(account.ledger_account_id, -amount),
            Line(coop_account(LedgerKind.CLEARING).pk, amount),
        ],
        description="PRUEBA",
    )


def _issue(account, entry, key: str, **extra):
    return receipt_issue(
        member=account.member,
        kind=ReceiptKind.TRANSFER_INTERNAL,
        channel=Channel.WEB,
        amount=1_000,
        entries=[entry],
        idempotency_key=key,
        account=account,
        **extra,
    )


def test_a_replayed_key_returns_the_first_receipt(member) -> None:
    account = savings(member.member)
    entry = _entry(account, "op-1")
    first = _issue(account, entry, "op-1", motive="Cena", counterpart=Counterpart(name="ROSA"))
    again = _issue(account, entry, "op-1", motive="otra cosa")
    assert again.pk == first.pk
    assert Receipt.objects.filter(idempotency_key="op-1").count() == 1
    assert again.motive == "Cena"
    assert receipt_for_entry(entry).pk == first.pk


def test_numbers_are_unique_and_increasing(member) -> None:
    account = savings(member.member)
    numbers = [_issue(account, _entry(account, f"n-{i}"), f"n-{i}").number for i in range(5)]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 5


@pytest.mark.parametrize(
    "bad", [{"amount": 0}, {"amount": -5}, {"commission": -1}, {"idempotency_key": ""}]
)
def test_refuses_what_is_not_a_receipt(member, bad) -> None:
    account = savings(member.member)
    params = {
        "member": account.member,
        "kind": ReceiptKind.TRANSFER_INTERNAL,
        "channel": Channel.WEB,
        "amount": 1_000,
        "entries": [_entry(account, "bad")],
        "idempotency_key": "bad",
        "account": account,
    }
    params.update(bad)
    with pytest.raises(ValueError, match=r"(?i)receipt"):
        receipt_issue(**params)
    with pytest.raises(ValueError, match="at least one journal entry"):
        receipt_issue(
            **{**params, "amount": 1_000, "commission": 0, "idempotency_key": "bad", "entries": []}
        )


def test_masks_show_only_the_last_four() -> None:
    assert mask_account("4100007813") == "*****7813"
    assert mask_account("") == ""
    assert mask_identification("1712345678") == "******5678"
    assert mask_identification("123") == "123"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_first_requests_make_one_receipt(member) -> None:
    account = savings(member.member)
    entry = _entry(account, "race")
    barrier = threading.Barrier(8)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            numbers.append(_issue(account, entry, "race").number)
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(numbers) == 8
    assert len(set(numbers)) == 1
    assert Receipt.objects.filter(idempotency_key="race").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_cash_deposits_with_one_key_post_once_with_one_receipt(member) -> None:
    from enlinea.products.services import cash_deposit

    account = savings(member.member, amount=0)
    barrier = threading.Barrier(8)
    entries: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            entries.append(
                cash_deposit(account=account, amount=2_500, idempotency_key="double-submit").pk
            )
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(set(entries)) == 1
    receipt = Receipt.objects.get(idempotency_key="double-submit")
    assert receipt.amount == 2_500
    assert list(receipt.entries.values_list("pk", flat=True)) == entries[:1]
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == 2_500
