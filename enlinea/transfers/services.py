"""Transferencias: between a member's own accounts, to another member here, and with other
institutions through the interbank network.

Each service records one operation through ``enlinea.transfers.operations`` (the one
mechanism for a money operation with a receipt): the cupo it uses, the movement, its
tariff fee as COMISIÓN and IVA movements, and one Comprobante. The rules every transfer
obeys live here and there, never in a form:

* only accounts with firma única or indistinta move money online (``online_check``);
* an INACTIVA or BLOQUEADA account neither sends nor receives (also an interbank credit:
  the clearing job returns it to the network, ``enlinea.transfers.clearing``);
* a transfer to another member uses the INTERNAL cupo, an interbank one the EXTERNAL
  cupo (``enlinea.limits``), checked under the member's cupo row lock with the debit;
  transfers between a member's own accounts use none.

Services run in ``transaction.atomic()``: inside the caller's transaction (the one that
spends the security code) when there is one; ``durable=True`` is the entry point's.

An interbank transfer is two-phase (``enlinea.transfers.models``): the member's account
is debited at once to the CLEARING account, where the money waits in an
``InterbankTransfer`` (PENDIENTE) until the clearing job sends it in a batch and the
network settles it (to the Banco Central account) or returns it (credited back, with
its fees).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from enlinea.beneficiaries.destinations import mask_holder_name
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import coop_account
from enlinea.limits.models import Scope
from enlinea.products.models import DepositAccount
from enlinea.products.services import ProductError
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.receipts.services import Counterpart
from enlinea.tariff.models import Operation as TariffOperation

from .models import InterbankTransfer
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


def _holder(account: DepositAccount, *, kind: str) -> Counterpart:
    """The destination as the sender's receipt names it: their own account in full;
    another member's by the masked name "Validar" shows and no identification (the
    sender may have typed only an account number: a receipt must not tell them whose
    it is)."""
    member = account.member
    if kind == INTERNAL:
        name = mask_holder_name(first_names=member.first_names, last_names=member.last_names)
        identification = ""
    else:
        name, identification = member.full_name, member.identification
    return Counterpart(
        name=name,
        identification=identification,
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
    member's account, within the sender's INTERNAL cupo: ``LimitExceeded`` names the
    period and what remains of it). Both accounts must be ACTIVA; the fee is the
    tariff's ``transfer_own`` / ``transfer_internal``; the available balance must cover
    the amount plus the fee. The receiver sees the credit in their movements; the
    receipt is the sender's. A replay of ``idempotency_key`` returns the first receipt.
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
            counterpart=_holder(destination, kind=kind),
            metadata={"from": source.number, "to": destination.number},
            occurred_at=occurred_at,
            limit_scope=Scope.INTERNAL if kind == INTERNAL else None,
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
    receipt_kind: str = ReceiptKind.TRANSFER_INTERBANK,
    tariff_operation: str = TariffOperation.TRANSFER_INTERBANK,
    description: str = "",
    fee_concept: str = INTERBANK_FEE_CONCEPT,
) -> Receipt:
    """Send ``amount`` cents from ``source`` to an account at another institution.

    Phase one of two: within the member's EXTERNAL cupo, debits the account at once to
    the CLEARING account and charges the tariff's ``transfer_interbank`` fee as COMISIÓN
    and IVA movements; the payment order (``InterbankTransfer``, PENDIENTE) waits there
    for the clearing job's next batch. The receipt shows the beneficiary (name,
    identification, account, institution) and ``receipt.interbank_transfer`` its state.
    A replay of ``idempotency_key`` returns the first receipt and makes no second order.

    Another payment that travels the same way (Pago de tarjetas to a card at another
    institution) names its own ``receipt_kind``, ``tariff_operation``, movement
    ``description`` and ``fee_concept``; the defaults are the interbank transfer's.
    """
    if not (beneficiary.name and beneficiary.account_number and beneficiary.institution):
        raise ProductError(
            "Indica el nombre, la cuenta y la institución financiera del beneficiario."
        )
    online_check(source, channel, "transferir")
    with transaction.atomic():
        receipt = operation_record(
            Operation(
                receipt_kind=receipt_kind,
                entry_kind="transfer_interbank",
                description=description or f"{INTERBANK_DESCRIPTION} {beneficiary.institution}",
                channel=channel,
                amount=amount,
                idempotency_key=idempotency_key,
                receipt_account=source,
                debit=source,
                coop_account_id=coop_account(LedgerKind.CLEARING).pk,
                tariff_operation=tariff_operation,
                fee_concept=fee_concept,
                motive=motive,
                counterpart=beneficiary,
                metadata={"from": source.number, "institution": beneficiary.institution},
                occurred_at=occurred_at,
                limit_scope=Scope.EXTERNAL,
            )
        )
        _order_ensure(receipt, beneficiary)
    return receipt


def _order_ensure(receipt: Receipt, beneficiary: Counterpart) -> InterbankTransfer:
    """The receipt's payment order, made with it (a replay finds the first one)."""
    order, _ = InterbankTransfer.objects.get_or_create(
        receipt=receipt,
        defaults={
            "member_id": receipt.member_id,
            "source_id": receipt.account_id,
            "amount": receipt.amount,
            "commission": receipt.commission,
            "iva": receipt.iva,
            "beneficiary_name": beneficiary.name[:160],
            "beneficiary_identification": beneficiary.identification[:20],
            "beneficiary_account": beneficiary.account_number[:34],
            "beneficiary_account_type": beneficiary.account_type[:20],
            "institution": beneficiary.institution[:160],
            "motive": receipt.motive,
            "idempotency_key": receipt.idempotency_key,
            "created_at": receipt.created_at,
        },
    )
    return order


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

    Free; from the cooperative's account at the Banco Central (where the SPI settled
    it) to ``destination``; refused when the account is INACTIVA or BLOQUEADA (the
    clearing job then returns the credit to the network). The receipt (kind
    TRANSFER_RECEIVED, channel INTERBANK) is the destination's holder's, with the
    originator as counterpart.
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
            coop_account_id=coop_account(LedgerKind.CENTRAL_BANK).pk,
            motive=motive,
            counterpart=originator,
            metadata={"to": destination.number, "institution": originator.institution},
            occurred_at=occurred_at,
        )
    )
