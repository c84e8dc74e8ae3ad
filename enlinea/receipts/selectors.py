"""Owner-scoped reads of comprobantes, and what a comprobante page shows.

A receipt is visible to the member who made the operation (``receipt.member``) and to a
member one of whose deposit accounts the receipt's entries posted to (the receiver of a
transfer sees it too, as a NOTA DE CREDITO); anyone else gets 404, the same as for a
number that does not exist.

Every movement of a member's account opens a comprobante: one with a receipt shows it;
one without (bulk-imported history, interest) is built from the ledger entry alone.

``receipt_for_entry`` and ``receipt_for_cash_operation`` are for staff screens (the
Ventanilla): they are not scoped to a member, so member views never call them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from enlinea.ledger.models import JournalEntry, Posting
from enlinea.members.models import Member
from enlinea.products.models import DepositAccount
from enlinea.products.selectors.accounts import (
    CREDIT_NOTE,
    DEBIT_NOTE,
    DEPOSIT,
    WITHDRAWAL,
    account_for_member,
)

from .models import Channel, Receipt, ReceiptKind

MSG_RECEIPT_NOT_FOUND = "No encontramos ese comprobante entre tus movimientos."

# The operations whose receipt's account is the one credited: there the counterpart is
# where the money came from; in all the others it is where the money went.
CREDIT_KINDS = frozenset(
    {
        ReceiptKind.TRANSFER_RECEIVED,
        ReceiptKind.TRANSFER_RETURNED,
        ReceiptKind.BILL_PAYMENT_RETURNED,
        ReceiptKind.CASH_DEPOSIT,
        ReceiptKind.LOAN_DISBURSEMENT,
        ReceiptKind.INVESTMENT_PAYMENT,
    }
)
TRANSFER_KINDS = frozenset(
    {
        ReceiptKind.TRANSFER_OWN,
        ReceiptKind.TRANSFER_INTERNAL,
        ReceiptKind.TRANSFER_INTERBANK,
        ReceiptKind.TRANSFER_RECEIVED,
        ReceiptKind.TRANSFER_RETURNED,
    }
)

# "Estado" of an operation that goes on after its receipt (an interbank transfer is
# settled or returned later): the app that knows registers, per receipt kind, a
# function of the receipt's id giving (label, note) or None (transfers/apps.py).
StatusProvider = Callable[[int], "tuple[str, str] | None"]
STATUS_PROVIDERS: dict[str, StatusProvider] = {}


def receipt_status_register(kind: str, provider: StatusProvider) -> None:
    STATUS_PROVIDERS[kind] = provider


def _status(receipt: Receipt) -> tuple[str, str]:
    provider = STATUS_PROVIDERS.get(receipt.kind)
    found = provider(receipt.pk) if provider is not None else None
    return found or ("", "")


# The Tipo of a movement that has no receipt, by its ledger entry's kind.
ENTRY_KIND_LABELS = {
    "cash_deposit": ReceiptKind.CASH_DEPOSIT.label,
    "cash_withdrawal": ReceiptKind.CASH_WITHDRAWAL.label,
    "loan_disbursement": ReceiptKind.LOAN_DISBURSEMENT.label,
    "loan_repayment": ReceiptKind.LOAN_PAYMENT.label,
    "investment_open": ReceiptKind.INVESTMENT_OPEN.label,
    "investment_payment": ReceiptKind.INVESTMENT_PAYMENT.label,
    "card_purchase": ReceiptKind.CARD_PURCHASE.label,
    "fee_commission": "Comisión",
    "fee_iva": "IVA",
    "interest": "Intereses ganados",
    "reversal": "Reverso",
}


def mask_account(number: str) -> str:
    """``*****7813``: only the last four digits of an account number."""
    number = (number or "").strip()
    return f"*****{number[-4:]}" if number else ""


def mask_identification(identification: str) -> str:
    """``******5678``: a cédula or RUC with all but its last four characters hidden."""
    text = (identification or "").strip()
    if len(text) <= 4:
        return text
    return "*" * (len(text) - 4) + text[-4:]


def _institution() -> str:
    return settings.INSTITUTION["name"]


@dataclass(frozen=True)
class Party:
    """One side of an operation as the comprobante shows it (origen / beneficiario)."""

    name: str
    identification: str  # already masked
    account: str  # "CUENTA DE AHORROS *****7813", already masked
    institution: str


@dataclass(frozen=True)
class ReceiptView:
    """What a comprobante page and its PDF show, from the viewer's side."""

    number: int | None  # Comprobante N.º; None for a movement without a receipt
    reference: str  # the movement's Referencia (the receipt number, else the entry id)
    title: str  # NOTA DE DEBITO / NOTA DE CREDITO / DEPOSITO / RETIRO
    kind_label: str  # Tipo
    amount_label: str  # "Valor transferido" or "Valor"
    amount: int
    commission: int
    iva: int
    total: int
    total_label: str  # "Total debitado" / "Total acreditado"
    occurred_at: dt.datetime
    channel: str
    motive: str
    origin: Party | None
    beneficiary: Party | None
    account_number: str  # the viewer's account (for "Regresar" to its movements)
    status: str = ""  # Estado, for operations that go on after the receipt (interbank)
    status_note: str = ""

    @property
    def is_credit(self) -> bool:
        return self.title in (CREDIT_NOTE, DEPOSIT)

    @property
    def has_fee(self) -> bool:
        return bool(self.commission or self.iva)


def _title(*, credit: bool, kind: str) -> str:
    if credit:
        return DEPOSIT if kind in (ReceiptKind.CASH_DEPOSIT, "cash_deposit") else CREDIT_NOTE
    return WITHDRAWAL if kind in (ReceiptKind.CASH_WITHDRAWAL, "cash_withdrawal") else DEBIT_NOTE


def _holder(account: DepositAccount | None) -> Party | None:
    if account is None:
        return None
    member = account.member
    return Party(
        name=member.full_name,
        identification=mask_identification(member.identification),
        account=f"{account.get_kind_display()} {mask_account(account.number)}",
        institution=_institution(),
    )


def _counterpart(receipt: Receipt) -> Party | None:
    if not (receipt.counterpart_name or receipt.counterpart_account):
        return None
    account = " ".join(
        part
        for part in (receipt.counterpart_account_type, mask_account(receipt.counterpart_account))
        if part
    )
    institution = receipt.counterpart_institution
    if not institution and receipt.counterpart_account:
        institution = _institution()  # an account here, in this cooperative
    return Party(
        name=receipt.counterpart_name,
        identification=mask_identification(receipt.counterpart_identification),
        account=account,
        institution=institution,
    )


def receipt_view(
    receipt: Receipt, *, credit: bool | None = None, account_number: str | None = None
) -> ReceiptView:
    """The comprobante of ``receipt``. ``credit`` is the viewer's side (by default the
    side of whoever made the operation); ``account_number`` the viewer's account."""
    if credit is None:
        credit = receipt.kind in CREDIT_KINDS
    own = _holder(receipt.account)
    other = _counterpart(receipt)
    origin, beneficiary = (other, own) if receipt.kind in CREDIT_KINDS else (own, other)
    status, status_note = _status(receipt)
    return ReceiptView(
        number=receipt.number,
        reference=str(receipt.number),
        title=_title(credit=credit, kind=receipt.kind),
        kind_label=receipt.get_kind_display(),
        amount_label="Valor transferido" if receipt.kind in TRANSFER_KINDS else "Valor",
        amount=receipt.amount,
        commission=receipt.commission,
        iva=receipt.iva,
        total=receipt.amount if credit else receipt.total,
        total_label="Total acreditado" if credit else "Total debitado",
        occurred_at=receipt.created_at,
        channel=receipt.get_channel_display(),
        motive=receipt.motive,
        origin=origin,
        beneficiary=beneficiary,
        account_number=account_number or (receipt.account.number if receipt.account else ""),
        status=status,
        status_note=status_note,
    )


def _entry_view(posting: Posting, account: DepositAccount) -> ReceiptView:
    """The comprobante of a movement without a receipt, from its ledger entry alone."""
    entry = posting.entry
    credit = posting.amount > 0
    description = (entry.description or "").strip()
    kind_label = ENTRY_KIND_LABELS.get(entry.kind) or (
        description.capitalize() if description else entry.kind.replace("_", " ").capitalize()
    )
    holder = _holder(account)
    return ReceiptView(
        number=None,
        reference=str(entry.pk),
        title=_title(credit=credit, kind=entry.kind),
        kind_label=kind_label,
        amount_label="Valor",
        amount=abs(posting.amount),
        commission=0,
        iva=0,
        total=abs(posting.amount),
        total_label="Total acreditado" if credit else "Total debitado",
        occurred_at=posting.created_at,
        channel=Channel.SYSTEM.label,
        motive=description.upper(),
        origin=None if credit else holder,
        beneficiary=holder if credit else None,
        account_number=account.number,
    )


def _receipts() -> object:
    return Receipt.objects.select_related("account__member", "member")


def receipt_for_member(*, member: Member, number: int) -> Receipt:
    """The receipt ``number`` if ``member`` made the operation or received its money;
    404 for anyone else's or an unknown number."""
    receipt = _receipts().filter(pk=number).first()
    if receipt is None:
        raise Http404(MSG_RECEIPT_NOT_FOUND)
    if receipt.member_id == member.pk or _posted_to_member(receipt, member):
        return receipt
    raise Http404(MSG_RECEIPT_NOT_FOUND)


def _posted_to_member(receipt: Receipt, member: Member) -> bool:
    return _member_postings(receipt, member).exists()


def _member_postings(receipt: Receipt, member: Member):
    return Posting.objects.filter(
        entry__receipt_link__receipt=receipt, account__deposit_account__member=member
    )


def receipt_view_for_member(*, member: Member, number: int) -> ReceiptView:
    """The comprobante page of receipt ``number`` as ``member`` sees it: the maker sees
    the operation's side, a receiver (who did not make it) a NOTA DE CREDITO."""
    receipt = receipt_for_member(member=member, number=number)
    if receipt.member_id == member.pk:
        return receipt_view(receipt)
    posting = (
        _member_postings(receipt, member)
        .select_related("account__deposit_account")
        .order_by("-amount", "id")  # the credit to the receiver first
        .first()
    )
    if posting is None:  # pragma: no cover - receipt_for_member already checked it
        raise Http404(MSG_RECEIPT_NOT_FOUND)
    return receipt_view(
        receipt,
        credit=posting.amount > 0,
        account_number=posting.account.deposit_account.number,
    )


def receipt_for_posting(*, member: Member, account_number: str, posting_id: int) -> ReceiptView:
    """The comprobante of one movement of the member's account: its receipt's, or one
    built from the ledger entry when it has none. 404 for another member's account or a
    posting that is not on this account."""
    account = account_for_member(member=member, number=account_number)
    posting = (
        Posting.objects.filter(pk=posting_id, account_id=account.ledger_account_id)
        .select_related("entry")
        .first()
    )
    if posting is None:
        raise Http404(MSG_RECEIPT_NOT_FOUND)
    receipt = receipt_for_entry(posting.entry)
    if receipt is None:
        return _entry_view(posting, account)
    return receipt_view(receipt, credit=posting.amount > 0, account_number=account.number)


# ---------------------------------------------------------------- staff (Ventanilla)


def receipt_for_entry(entry: JournalEntry | int | None) -> Receipt | None:
    """The receipt a journal entry belongs to (its operation's), or None. Staff only."""
    if entry is None:
        return None
    entry_id = entry if isinstance(entry, int) else entry.pk
    return _receipts().filter(entry_links__entry_id=entry_id).first()


def receipt_for_cash_operation(operation: object) -> Receipt | None:
    """The Comprobante of a cash operation at the window (None while it is pending or
    after it was rejected: nothing was posted). Staff only."""
    entry_id = getattr(operation, "entry_id", None)
    return receipt_for_entry(entry_id) if entry_id else None


def receipt_number_for_entry(entry: JournalEntry) -> int | None:
    """The receipt number of an entry loaded with ``select_related("receipt_link")``,
    without a query."""
    try:
        return entry.receipt_link.receipt_id
    except ObjectDoesNotExist:
        return None
