"""Transfers: what each one posts, its receipt, its fee from the tariff, replays and
refusals (nothing is left behind by a refused transfer)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enlinea.beneficiaries.destinations import mask_holder_name
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry, LedgerAccount, Posting
from enlinea.ledger.services import hold_place
from enlinea.ledger.verify import ledger_verify
from enlinea.products.models import AccountStatus, SignatureCondition
from enlinea.products.selectors.accounts import account_movements
from enlinea.products.services import ProductError, account_set_status
from enlinea.receipts.models import Channel, Receipt, ReceiptEntry, ReceiptKind
from enlinea.receipts.services import Counterpart
from enlinea.tariff.models import Fee
from enlinea.transfers import operations
from enlinea.transfers.services import (
    interbank_transfer_receive,
    interbank_transfer_record,
    transfer_record,
)
from enlinea.transfers.tests.conftest import OPENING, balance, postings

pytestmark = pytest.mark.django_db

PICHINCHA = "BANCO PICHINCHA C.A."
ROSA = Counterpart(
    name="ROSA QUISHPE",
    identification="1712345678",
    account_number="2203344556",
    account_type="AHORROS",
    institution=PICHINCHA,
)
EMPLOYER = Counterpart(
    name="EMPRESA ANDINA DE SOFTWARE S.A.",
    identification="1792345678001",
    account_number="2100123456",
    account_type="CORRIENTE",
    institution=PICHINCHA,
)


def _nothing_since(entries: int, receipts: int) -> None:
    assert JournalEntry.objects.count() == entries
    assert Receipt.objects.count() == receipts


def _counts() -> tuple[int, int]:
    return JournalEntry.objects.count(), Receipt.objects.count()


def _kind_balance(kind: str) -> int:
    return sum(
        LedgerAccount.objects.filter(kind=kind, is_group=False).values_list("balance", flat=True)
    )


def _clearing_balance() -> int:
    return _kind_balance(LedgerKind.CLEARING)


# ---------------------------------------------------------------- internal and own


def test_internal_transfer_moves_the_money_and_issues_the_senders_receipt(
    savings, other_savings
) -> None:
    receipt = transfer_record(
        source=savings,
        kind="internal",
        destination=other_savings,
        amount=8_000,
        motive="Aporte familiar",
        idempotency_key="t1",
    )
    assert postings(savings)[-1] == ("TRANSFERENCIA A CUENTA TERCEROS", -8_000)
    assert postings(other_savings)[-1] == ("TRANSFERENCIA A CUENTA TERCEROS", 8_000)
    assert balance(savings) == OPENING - 8_000
    assert balance(other_savings) == OPENING + 8_000
    assert receipt.kind == ReceiptKind.TRANSFER_INTERNAL
    assert receipt.channel == Channel.WEB
    assert receipt.member_id == savings.member_id
    assert receipt.account_id == savings.pk
    assert (receipt.amount, receipt.commission, receipt.iva) == (8_000, 0, 0)
    assert receipt.motive == "Aporte familiar"
    assert receipt.counterpart_account == other_savings.number
    # Another member's name only as "Validar" shows it, and no identification: the
    # sender may know no more than the account number.
    holder = other_savings.member
    assert receipt.counterpart_name == mask_holder_name(
        first_names=holder.first_names, last_names=holder.last_names
    )
    assert holder.last_names not in receipt.counterpart_name
    assert receipt.counterpart_identification == ""
    assert ReceiptEntry.objects.filter(receipt=receipt).count() == 1
    # The receiver sees the credit in their own movements.
    now = timezone.now()
    rows, _ = account_movements(
        account=other_savings, since=now - dt.timedelta(days=1), until=now + dt.timedelta(1)
    )
    assert rows[0].amount == 8_000
    assert rows[0].kind_label == "NOTA DE CREDITO"
    assert ledger_verify().ok


def test_transfer_between_own_accounts(savings, checking) -> None:
    receipt = transfer_record(
        source=savings, kind="own", destination=checking, amount=2_500, idempotency_key="own"
    )
    assert receipt.kind == ReceiptKind.TRANSFER_OWN
    assert balance(checking) == 2_500
    assert postings(checking) == [("TRANSFERENCIA ENTRE CUENTAS MISMO CLIENTE", 2_500)]


def test_replaying_a_transfer_returns_the_first_receipt_and_posts_nothing(
    savings, other_savings
) -> None:
    args = {
        "source": savings,
        "kind": "internal",
        "destination": other_savings,
        "amount": 1_000,
        "idempotency_key": "same",
    }
    first = transfer_record(**args)
    before = _counts()
    assert transfer_record(**args).pk == first.pk
    _nothing_since(*before)
    assert balance(savings) == OPENING - 1_000


def test_the_same_key_with_another_amount_is_refused(savings, other_savings) -> None:
    transfer_record(
        source=savings,
        kind="internal",
        destination=other_savings,
        amount=1_000,
        idempotency_key="k",
    )
    before = _counts()
    with pytest.raises(ProductError, match="ya se registró con otros datos"):
        transfer_record(
            source=savings,
            kind="internal",
            destination=other_savings,
            amount=2_000,
            idempotency_key="k",
        )
    _nothing_since(*before)


@pytest.mark.parametrize(
    ("kind", "message"),
    [("own", "entre cuentas tuyas"), ("internal", None), ("wire", "desconocido")],
)
def test_kind_must_match_the_accounts_owner(savings, other_savings, kind, message) -> None:
    before = _counts()
    if message is None:  # internal to another member is fine
        transfer_record(
            source=savings, kind=kind, destination=other_savings, amount=100, idempotency_key="x"
        )
        return
    with pytest.raises(ProductError, match=message):
        transfer_record(
            source=savings, kind=kind, destination=other_savings, amount=100, idempotency_key="x"
        )
    _nothing_since(*before)


def test_internal_to_an_own_account_is_refused(savings, checking) -> None:
    before = _counts()
    with pytest.raises(ProductError, match="cuentas propias"):
        transfer_record(
            source=savings, kind="internal", destination=checking, amount=100, idempotency_key="x"
        )
    _nothing_since(*before)


def test_the_same_account_on_both_sides_is_refused(savings) -> None:
    before = _counts()
    with pytest.raises(ProductError, match="son la misma"):
        transfer_record(
            source=savings, kind="own", destination=savings, amount=100, idempotency_key="x"
        )
    _nothing_since(*before)


@pytest.mark.parametrize("amount", [0, -500])
def test_amount_must_be_positive(savings, other_savings, amount) -> None:
    before = _counts()
    with pytest.raises(ProductError, match="mayor a cero"):
        transfer_record(
            source=savings,
            kind="internal",
            destination=other_savings,
            amount=amount,
            idempotency_key="x",
        )
    _nothing_since(*before)


@pytest.mark.parametrize("side", ["source", "destination"])
@pytest.mark.parametrize("status", [AccountStatus.INACTIVE, AccountStatus.BLOCKED])
def test_both_accounts_must_be_active(savings, other_savings, side, status) -> None:
    account_set_status(account=savings if side == "source" else other_savings, status=status)
    before = _counts()
    with pytest.raises(ProductError, match=f"está {status}"):
        transfer_record(
            source=savings,
            kind="internal",
            destination=other_savings,
            amount=100,
            idempotency_key="x",
        )
    _nothing_since(*before)


def test_status_is_read_under_the_lock_not_from_a_stale_object(savings, other_savings) -> None:
    stale = type(savings).objects.get(pk=savings.pk)
    account_set_status(account=savings, status=AccountStatus.BLOCKED)
    with pytest.raises(ProductError, match="BLOQUEADA"):
        transfer_record(
            source=stale, kind="internal", destination=other_savings, amount=1, idempotency_key="x"
        )


def test_more_than_the_available_balance_is_refused(savings, other_savings) -> None:
    hold_place(
        account_id=savings.ledger_account_id, amount=90_000, reason="Retención", idempotency_key="h"
    )
    before = _counts()
    with pytest.raises(ProductError, match=r"tiene \$ 100\.00 disponibles"):
        transfer_record(
            source=savings,
            kind="internal",
            destination=other_savings,
            amount=10_001,
            idempotency_key="x",
        )
    _nothing_since(*before)
    assert balance(savings) == OPENING


def test_a_joint_signature_account_cannot_transfer_online(savings, other_savings) -> None:
    type(savings).objects.filter(pk=savings.pk).update(signature=SignatureCondition.JOINT)
    savings.refresh_from_db()
    with pytest.raises(ProductError, match="firmas conjuntas"):
        transfer_record(
            source=savings,
            kind="internal",
            destination=other_savings,
            amount=1,
            idempotency_key="x",
        )
    receipt = transfer_record(
        source=savings,
        kind="internal",
        destination=other_savings,
        amount=1,
        idempotency_key="y",
        channel=Channel.BRANCH,
    )
    assert receipt.channel == Channel.BRANCH


def test_a_fee_set_in_the_tariff_is_charged_on_internal_transfers(savings, other_savings) -> None:
    Fee.objects.update_or_create(
        operation="transfer_internal", defaults={"commission": 10, "iva_rate_bp": 1500}
    )
    receipt = transfer_record(
        source=savings, kind="internal", destination=other_savings, amount=500, idempotency_key="f"
    )
    assert (receipt.commission, receipt.iva) == (10, 2)  # 1.5 ¢ rounds half up
    assert postings(savings)[-3:] == [
        ("TRANSFERENCIA A CUENTA TERCEROS", -500),
        ("COMISIÓN TRANSFERENCIA A CUENTA TERCEROS", -10),
        ("IVA TRANSFERENCIA A CUENTA TERCEROS", -2),
    ]
    assert balance(other_savings) == OPENING + 500


def test_a_failure_after_posting_leaves_nothing(savings, other_savings, monkeypatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("receipt store down")

    monkeypatch.setattr(operations, "receipt_issue", broken)
    before = _counts()
    with pytest.raises(RuntimeError):
        interbank_transfer_record(
            source=savings, amount=1_000, beneficiary=ROSA, motive="Arriendo", idempotency_key="b"
        )
    _nothing_since(*before)
    assert balance(savings) == OPENING


# ---------------------------------------------------------------- interbank


def test_interbank_transfer_posts_amount_commission_and_iva_as_three_movements(savings) -> None:
    clearing = _clearing_balance()
    receipt = interbank_transfer_record(
        source=savings,
        amount=15_000,
        beneficiary=ROSA,
        motive="Arriendo departamento",
        idempotency_key="ib",
    )
    assert postings(savings)[-3:] == [
        ("ND TRANSFERENCIA INTERBANCARIA BANCO PICHINCHA C.A.", -15_000),
        ("COMISIÓN TRANSFERENCIA INTERBANCARIA", -36),
        ("IVA TRANSFERENCIA INTERBANCARIA", -5),
    ]
    assert balance(savings) == OPENING - 15_041
    assert _clearing_balance() == clearing + 15_000
    assert receipt.kind == ReceiptKind.TRANSFER_INTERBANK
    assert (receipt.amount, receipt.commission, receipt.iva, receipt.total) == (
        15_000,
        36,
        5,
        15_041,
    )
    assert receipt.counterpart_name == "ROSA QUISHPE"
    assert receipt.counterpart_account == "2203344556"
    assert receipt.counterpart_institution == PICHINCHA
    assert receipt.entry_links.count() == 3
    assert ledger_verify().ok


def test_interbank_replay_charges_the_fee_once(savings) -> None:
    args = {
        "source": savings,
        "amount": 15_000,
        "beneficiary": ROSA,
        "motive": "Arriendo",
        "idempotency_key": "ib",
    }
    first = interbank_transfer_record(**args)
    postings_before = Posting.objects.count()
    assert interbank_transfer_record(**args).pk == first.pk
    assert Posting.objects.count() == postings_before
    assert balance(savings) == OPENING - 15_041


def test_the_fee_counts_against_the_available_balance(savings) -> None:
    before = _counts()
    # $ 1,000.00 covers the amount but not the amount plus $ 0.41.
    with pytest.raises(ProductError, match=r"requiere \$ 1,000\.41"):
        interbank_transfer_record(
            source=savings, amount=OPENING, beneficiary=ROSA, motive="", idempotency_key="x"
        )
    _nothing_since(*before)
    receipt = interbank_transfer_record(
        source=savings, amount=OPENING - 41, beneficiary=ROSA, motive="", idempotency_key="y"
    )
    assert receipt.total == OPENING
    assert balance(savings) == 0


def test_a_tariff_change_changes_the_interbank_fee(savings) -> None:
    Fee.objects.filter(operation="transfer_interbank").update(commission=50, iva_rate_bp=1200)
    receipt = interbank_transfer_record(
        source=savings, amount=1_000, beneficiary=ROSA, motive="", idempotency_key="x"
    )
    assert (receipt.commission, receipt.iva) == (50, 6)
    assert postings(savings)[-2:] == [
        ("COMISIÓN TRANSFERENCIA INTERBANCARIA", -50),
        ("IVA TRANSFERENCIA INTERBANCARIA", -6),
    ]


def test_a_free_interbank_transfer_has_no_fee_movements(savings) -> None:
    Fee.objects.filter(operation="transfer_interbank").update(commission=0)
    receipt = interbank_transfer_record(
        source=savings, amount=1_000, beneficiary=ROSA, motive="", idempotency_key="x"
    )
    assert (receipt.commission, receipt.iva) == (0, 0)
    assert receipt.entry_links.count() == 1


def test_interbank_needs_a_beneficiary(savings) -> None:
    before = _counts()
    with pytest.raises(ProductError, match="beneficiario"):
        interbank_transfer_record(
            source=savings,
            amount=1_000,
            beneficiary=Counterpart(name="ROSA QUISHPE"),
            motive="",
            idempotency_key="x",
        )
    _nothing_since(*before)


def test_interbank_from_an_inactive_account_is_refused(savings) -> None:
    account_set_status(account=savings, status=AccountStatus.INACTIVE)
    before = _counts()
    with pytest.raises(ProductError, match="INACTIVA"):
        interbank_transfer_record(
            source=savings, amount=1_000, beneficiary=ROSA, motive="", idempotency_key="x"
        )
    _nothing_since(*before)


# ---------------------------------------------------------------- received


def test_a_received_interbank_transfer_credits_for_free_with_the_receivers_receipt(
    savings,
) -> None:
    clearing = _clearing_balance()
    central_bank = _kind_balance(LedgerKind.CENTRAL_BANK)
    when = timezone.now() - dt.timedelta(days=3)
    receipt = interbank_transfer_receive(
        destination=savings,
        amount=185_000,
        originator=EMPLOYER,
        motive="Pago de nómina",
        idempotency_key="sal",
        occurred_at=when,
    )
    assert postings(savings)[-1] == (
        "NC TRANSFERENCIA INTERBANCARIA RECIBIDA EMPRESA ANDINA DE SOFTWARE S.A.",
        185_000,
    )
    assert balance(savings) == OPENING + 185_000
    # Arrived in the cooperative's account at the Banco Central (the SPI settled it):
    # the clearing account holds only outgoing transfers still travelling.
    assert _kind_balance(LedgerKind.CENTRAL_BANK) == central_bank - 185_000
    assert _clearing_balance() == clearing
    assert receipt.kind == ReceiptKind.TRANSFER_RECEIVED
    assert receipt.channel == Channel.INTERBANK
    assert receipt.member_id == savings.member_id
    assert receipt.account_id == savings.pk
    assert (receipt.commission, receipt.iva) == (0, 0)
    assert receipt.counterpart_institution == PICHINCHA
    assert receipt.created_at == when
    assert receipt.entries.get().created_at == when
    before = _counts()
    assert (
        interbank_transfer_receive(
            destination=savings,
            amount=185_000,
            originator=EMPLOYER,
            motive="Pago de nómina",
            idempotency_key="sal",
            occurred_at=when,
        ).pk
        == receipt.pk
    )
    _nothing_since(*before)


@pytest.mark.parametrize("status", [AccountStatus.INACTIVE, AccountStatus.BLOCKED])
def test_an_inactive_or_blocked_account_does_not_receive_an_interbank_credit(
    savings, status
) -> None:
    account_set_status(account=savings, status=status)
    before = _counts()
    with pytest.raises(ProductError, match=f"está {status}: no puede recibir"):
        interbank_transfer_receive(
            destination=savings, amount=100, originator=EMPLOYER, motive="", idempotency_key="b"
        )
    _nothing_since(*before)
    assert balance(savings) == OPENING
