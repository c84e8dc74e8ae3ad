"""Transferencias: between a member's own accounts, to another member here, and with other
institutions through the interbank network.

Kept small on purpose. Each service records one operation in one transaction
(see ``enlinea.transfers.operations``): the movement, its tariff fee as COMISIÓN and IVA
movements, and one Comprobante. Issue [6] adds what a member-facing transfer still
needs: registered beneficiaries, the confirmation step with a security code, daily
limits, and a two-phase interbank clearing (today the interbank debit to the clearing
account is posted at once).
"""

from __future__ import annotations

import datetime as dt

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import coop_account
from enlinea.products.models import AccountStatus, DepositAccount
from enlinea.products.services import ProductError
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.receipts.services import Counterpart
from enlinea.tariff.models import Operation as TariffOperation

from .operations import Operation, online_check, operation_record

OWN = "own"
INTERNAL = "internal"

_KINDS = {
    OWN: (
        ReceiptKind.TRANSFER_OWN,
        TariffOperation.TRANSFER_OWN,
        "TRANSFERENCIA ENTRE CUENTAS MISMO CLIENTE",
    ),
    INTERNAL: (
        ReceiptKind.TRANSFER_INTERNAL,
        TariffOperation.TRANSFER_INTERNAL,
        "TRANSFERENCIA A CUENTA TERCEROS",
    ),
}
INTERBANK_DESCRIPTION = "ND TRANSFERENCIA INTERBANCARIA"
INTERBANK_FEE_CONCEPT = "TRANSFERENCIA INTERBANCARIA"
INTERBANK_RECEIVED_DESCRIPTION = "NC TRANSFERENCIA INTERBANCARIA RECIBIDA"


def _holder(account: DepositAccount) -> Counterpart:
    member = account.member
    return Counterpart(
        name=member.full_name,
        identification=member.identification,
        account_number=account.number,
        account_type=account.get_kind_display(),
        institution="",
    )


def transfer_record(
    *,
    source: DepositAccount,
    kind: str,
    destination: DepositAccount,
    amount: int,
    motive: str = "",
    idempotency_key: str,
    channel: str = Channel.WEB,
    occurred_at: dt.datetime | None = None,
) -> Receipt:
    """Move ``amount`` cents from ``source`` to ``destination`` in this cooperative.

    ``kind`` is ``"own"`` (both accounts of the same member) or ``"internal"`` (another
    member's account). Both accounts must be ACTIVA; the fee is the tariff's
    ``transfer_own`` / ``transfer_internal``; the available balance must cover the
    amount plus the fee. The receiver sees the credit in their movements; the receipt is
    the sender's. A replay of ``idempotency_key`` returns the first receipt.
    """
    if kind not in _KINDS:
        raise ProductError("Tipo de transferencia desconocido.")
    if source.pk == destination.pk:
        raise ProductError("La cuenta de origen y la de destino son la misma: elige otra cuenta.")
    same_member = source.member_id == destination.member_id
    if kind == OWN and not same_member:
        raise ProductError("Una transferencia entre cuentas propias es entre cuentas tuyas.")
    if kind == INTERNAL and same_member:
        raise ProductError("La cuenta de destino es tuya: usa Transferencia entre cuentas propias.")
    online_check(source, channel, "transferir")
    receipt_kind, tariff_operation, description = _KINDS[kind]
    return operation_record(
        Operation(
            receipt_kind=receipt_kind,
            entry_kind=f"transfer_{kind}",
            description=description,
            channel=channel,
            amount=amount,
            idempotency_key=idempotency_key,
            receipt_account=source,
            debit=source,
            credit=destination,
            tariff_operation=tariff_operation,
            fee_concept=description,
            motive=motive,
            counterpart=_holder(destination),
            metadata={"from": source.number, "to": destination.number},
            occurred_at=occurred_at,
        )
    )


def interbank_transfer_record(
    *,
    source: DepositAccount,
    amount: int,
    beneficiary: Counterpart,
    motive: str,
    idempotency_key: str,
    channel: str = Channel.WEB,
    occurred_at: dt.datetime | None = None,
) -> Receipt:
    """Send ``amount`` cents from ``source`` to an account at another institution.

    Debits the member's account to the interbank clearing account (posted at once for
    now; [6] makes it two-phase: held until the network confirms) and charges the
    tariff's ``transfer_interbank`` fee as COMISIÓN and IVA movements. The receipt shows
    the beneficiary (name, identification, account, institution).
    """
    if not (beneficiary.name and beneficiary.account_number and beneficiary.institution):
        raise ProductError(
            "Indica el nombre, la cuenta y la institución financiera del beneficiario."
        )
    online_check(source, channel, "transferir")
    return operation_record(
        Operation(
            receipt_kind=ReceiptKind.TRANSFER_INTERBANK,
            entry_kind="transfer_interbank",
            description=f"{INTERBANK_DESCRIPTION} {beneficiary.institution}",
            channel=channel,
            amount=amount,
            idempotency_key=idempotency_key,
            receipt_account=source,
            debit=source,
            coop_account_id=coop_account(LedgerKind.CLEARING).pk,
            tariff_operation=TariffOperation.TRANSFER_INTERBANK,
            fee_concept=INTERBANK_FEE_CONCEPT,
            motive=motive,
            counterpart=beneficiary,
            metadata={"from": source.number, "institution": beneficiary.institution},
            occurred_at=occurred_at,
        )
    )


def interbank_transfer_receive(
    *,
    destination: DepositAccount,
    amount: int,
    originator: Counterpart,
    motive: str,
    idempotency_key: str,
    occurred_at: dt.datetime | None = None,
) -> Receipt:
    """Credit a transfer that arrived from another institution (a salary, a payment).

    Free; from the clearing account to ``destination``; refused only when the account
    is BLOQUEADA (an INACTIVA account still receives money, as with cash deposits). The
    receipt (kind TRANSFER_RECEIVED, channel INTERBANK) is the destination's holder's,
    with the originator as counterpart.
    """
    return operation_record(
        Operation(
            receipt_kind=ReceiptKind.TRANSFER_RECEIVED,
            entry_kind="interbank_in",
            description=f"{INTERBANK_RECEIVED_DESCRIPTION} {originator.name}".strip(),
            channel=Channel.INTERBANK,
            amount=amount,
            idempotency_key=idempotency_key,
            receipt_account=destination,
            credit=destination,
            coop_account_id=coop_account(LedgerKind.CLEARING).pk,
            motive=motive,
            counterpart=originator,
            metadata={"to": destination.number, "institution": originator.institution},
            occurred_at=occurred_at,
            credit_refused_when=(AccountStatus.BLOCKED,),
        )
    )
