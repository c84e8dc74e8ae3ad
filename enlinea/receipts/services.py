"""Issuing comprobantes. Called by the service that moves the money, inside its
transaction, with the entries it posted: the receipt and the money commit together or not
at all, and a replayed operation (same idempotency key) finds its first receipt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from enlinea.ledger.models import JournalEntry
from enlinea.members.models import Member

from .models import Receipt, ReceiptEntry


@dataclass(frozen=True)
class Counterpart:
    """The other side of an operation as the receipt shows it (Beneficiario / Origen)."""

    name: str = ""
    identification: str = ""
    account_number: str = ""  # stored whole; pages show it masked
    account_type: str = ""  # AHORROS / CORRIENTE
    institution: str = ""


def receipt_issue(
    *,
    member: Member,
    kind: str,
    channel: str,
    amount: int,
    entries: Sequence[JournalEntry],
    idempotency_key: str,
    account: Any = None,
    commission: int = 0,
    iva: int = 0,
    motive: str = "",
    counterpart: Counterpart | None = None,
    occurred_at: dt.datetime | None = None,
) -> Receipt:
    """The one receipt of an operation; replaying ``idempotency_key`` returns the first."""
    if not idempotency_key:
        raise ValueError("A receipt needs the operation's idempotency key")
    if amount <= 0 or commission < 0 or iva < 0:
        raise ValueError("Receipt amounts are positive cents")
    if not entries:
        raise ValueError("A receipt stands for at least one journal entry")
    # A replay is answered by the unique key (the savepoint below), not by a read
    # before every first insert: the money services check replays under their locks.
    other = counterpart or Counterpart()
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(
                member=member,
                kind=kind,
                channel=channel,
                account=account,
                amount=amount,
                commission=commission,
                iva=iva,
                motive=motive[:120],
                counterpart_name=other.name[:160],
                counterpart_identification=other.identification[:20],
                counterpart_account=other.account_number[:34],
                counterpart_account_type=other.account_type[:20],
                counterpart_institution=other.institution[:160],
                idempotency_key=idempotency_key,
                created_at=occurred_at or timezone.now(),
            )
            ReceiptEntry.objects.bulk_create(
                ReceiptEntry(receipt=receipt, entry=entry) for entry in entries
            )
    except IntegrityError:
        # A replay, or a concurrent first request that committed first: the first receipt.
        return Receipt.objects.get(idempotency_key=idempotency_key)
    return receipt
