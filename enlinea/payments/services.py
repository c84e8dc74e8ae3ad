"""Pago de servicios: a member pays a biller (electricity, water, phone, top-ups).

One transaction per payment (``enlinea.transfers.operations``, the same
mechanism transfers use): the debit to the billers' settlement account, the tariff's
``bill_payment`` fee as COMISIÓN and IVA movements, and one Comprobante. The biller
directory, the bill lookup by reference and the confirmation step come later.
"""

from __future__ import annotations

import datetime as dt

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import coop_account
from enlinea.products.models import DepositAccount
from enlinea.products.services import ProductError
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.receipts.services import Counterpart
from enlinea.tariff.models import Operation as TariffOperation
from enlinea.transfers.operations import Operation, online_check, operation_record


def bill_payment_record(
    *,
    source: DepositAccount,
    biller: str,
    label: str,
    amount: int,
    reference: str = "",
    idempotency_key: str,
    channel: str = Channel.WEB,
    occurred_at: dt.datetime | None = None,
) -> Receipt:
    """Pay ``amount`` cents of a ``biller``'s bill from ``source``.

    ``label`` is the movement's concept ("Pago de luz CNEL EP"); ``reference`` the
    contract, meter or phone number the biller knows the bill by, shown on the receipt
    as the counterpart's identification. ``source`` must be ACTIVA and cover the amount
    plus the fee. A replay of ``idempotency_key`` returns the first receipt.
    """
    biller = biller.strip()
    label = label.strip()
    if not biller or not label:
        raise ProductError("Elige la empresa de servicios y el servicio que vas a pagar.")
    online_check(source, channel, "pagar servicios")
    return operation_record(
        Operation(
            receipt_kind=ReceiptKind.BILL_PAYMENT,
            entry_kind="bill_payment",
            description=label.upper(),
            channel=channel,
            amount=amount,
            idempotency_key=idempotency_key,
            receipt_account=source,
            debit=source,
            coop_account_id=coop_account(LedgerKind.BILLER_SETTLEMENT).pk,
            tariff_operation=TariffOperation.BILL_PAYMENT,
            fee_concept=f"PAGO DE SERVICIOS {biller.upper()}",
            motive=label,
            counterpart=Counterpart(name=biller, identification=reference[:20], institution=biller),
            metadata={"from": source.number, "biller": biller, "reference": reference},
            occurred_at=occurred_at,
        )
    )
