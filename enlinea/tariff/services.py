"""The fee of an operation, and posting it as COMISIÓN and IVA movements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.products.finance import div_half_up

from .models import Fee

# What the tariff charges when the institution has not set a fee for an operation: the
# reference cooperative's (manual 2, "Descargar movimientos": COMISIÓN $ 0.36, IVA $ 0.05).
DEFAULTS: dict[str, int] = {
    "transfer_own": 0,
    "transfer_internal": 0,
    "transfer_interbank": 36,
    "bill_payment": 0,
    "card_payment": 0,
}
DEFAULT_IVA_RATE_BP = 1500


@dataclass(frozen=True)
class Fees:
    commission: int
    iva: int

    @property
    def total(self) -> int:
        return self.commission + self.iva


# A tariff key names an operation, or one biller's Pago de servicios: "bill_payment@42"
# (what a money service passes as its ``tariff_operation``, see ``biller_fee_key``).
_BILLER_SEPARATOR = "@"


def _fees(fee: Fee | None, default: int) -> Fees:
    commission = fee.commission if fee else default
    rate = fee.iva_rate_bp if fee else DEFAULT_IVA_RATE_BP
    return Fees(commission=commission, iva=div_half_up(commission * rate, 10_000))


def fees_for(operation: str) -> Fees:
    """The commission and IVA (cents) the tariff charges for one ``operation``, or for
    a tariff key made by :func:`biller_fee_key` (one biller's fee)."""
    base, separator, biller_id = operation.partition(_BILLER_SEPARATOR)
    if base not in DEFAULTS or (separator and (base != "bill_payment" or not biller_id.isdigit())):
        raise ValueError(f"Unknown tariff operation {operation!r}")
    if separator:
        return fee_for_biller(int(biller_id))
    fee = (
        Fee.objects.filter(operation=base, biller__isnull=True)
        .only("commission", "iva_rate_bp")
        .first()
    )
    return _fees(fee, DEFAULTS[base])


def fee_for_biller(biller: Any) -> Fees:
    """What Pago de servicios to ``biller`` (a ``payments.Biller`` or its id) is charged:
    the biller's own row of the tariff when it has one, else the general
    ``bill_payment`` fee ($ 0.00 unless the institution set one)."""
    biller_id = biller if isinstance(biller, int) else biller.pk
    fee = (
        Fee.objects.filter(operation="bill_payment", biller_id=biller_id)
        .only("commission", "iva_rate_bp")
        .first()
    )
    if fee is None:
        return fees_for("bill_payment")
    return _fees(fee, DEFAULTS["bill_payment"])


def biller_fee_key(biller: Any) -> str:
    """The tariff key of Pago de servicios to ``biller``, for ``Operation.tariff_operation``
    (``enlinea.transfers.operations`` reads the fee with :func:`fees_for`)."""
    biller_id = biller if isinstance(biller, int) else biller.pk
    return f"bill_payment{_BILLER_SEPARATOR}{biller_id}"


def fees_post(
    *,
    fees: Fees,
    account: Any,
    idempotency_key: str,
    concept: str,
    occurred_at: dt.datetime | None = None,
) -> list[JournalEntry]:
    """Post ``fees`` from the member's deposit ``account`` as two movements of their own,
    "COMISIÓN <concept>" and "IVA <concept>"; nothing when the fee is zero. Runs inside
    the caller's transaction, after the operation's main entry."""
    entries: list[JournalEntry] = []
    member_account = account.ledger_account_id
    for suffix, amount, kind, target, label in (
        ("comision", fees.commission, "fee_commission", LedgerKind.COMMISSION_INCOME, "COMISIÓN"),
        ("iva", fees.iva, "fee_iva", LedgerKind.IVA_PAYABLE, "IVA"),
    ):
        if amount <= 0:
            continue
        entries.append(
            entry_record(
                idempotency_key=f"{idempotency_key}:{suffix}",
                kind=kind,
                lines=[Line(member_account, -amount), Line(coop_account(target).pk, amount)],
                description=f"{label} {concept}"[:200],
                occurred_at=occurred_at,
            )
        )
    return entries
