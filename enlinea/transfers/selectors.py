"""Reads of the interbank clearing, for pages that show a transfer's state (the
comprobante, the history) and for the back office."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import InterbankTransfer, TransferStatus


@dataclass(frozen=True)
class InterbankState:
    """Where an outgoing interbank transfer is, as a member reads it."""

    status: str  # PENDIENTE / ENVIADA / LIQUIDADA / DEVUELTA
    label: str  # "Devuelta: CUENTA INEXISTENTE"
    note: str  # what happens next, or what happened
    reason: str  # the return's reason ("" unless DEVUELTA)
    return_receipt: int | None  # Comprobante N.º of the return's credit
    at: dt.datetime | None  # when it settled or was returned

    @property
    def returned(self) -> bool:
        return self.status == TransferStatus.RETURNED


def interbank_state_for_receipt(receipt_id: int) -> InterbankState | None:
    """The state of the interbank transfer whose comprobante is ``receipt_id`` (None
    for any other receipt). Not owner-scoped: call it with a receipt already read
    through the owner-scoped receipt selectors."""
    transfer = (
        InterbankTransfer.objects.filter(receipt_id=receipt_id)
        .only("status", "return_reason", "return_receipt_id", "settled_at", "returned_at")
        .first()
    )
    if transfer is None:
        return None
    if transfer.status == TransferStatus.RETURNED:
        return InterbankState(
            status=transfer.status,
            label=f"Devuelta: {transfer.return_reason}",
            note=(
                "La transferencia fue devuelta: el valor, la comisión y el IVA se "
                f"acreditaron de nuevo en tu cuenta (comprobante N.º "
                f"{transfer.return_receipt_id})."
            ),
            reason=transfer.return_reason,
            return_receipt=transfer.return_receipt_id,
            at=transfer.returned_at,
        )
    if transfer.status == TransferStatus.SETTLED:
        return InterbankState(
            status=transfer.status,
            label="Acreditada en la institución de destino",
            note="La red interbancaria (SPI) liquidó la transferencia.",
            reason="",
            return_receipt=None,
            at=transfer.settled_at,
        )
    return InterbankState(
        status=transfer.status,
        label="En proceso",
        note=(
            "La transferencia se acreditará en la institución de destino en el próximo "
            "ciclo de la red interbancaria (SPI)."
        ),
        reason="",
        return_receipt=None,
        at=None,
    )


def interbank_status_for_receipt(receipt_id: int) -> tuple[str, str] | None:
    """The comprobante's Estado row and note (receipts.selectors.STATUS_PROVIDERS)."""
    state = interbank_state_for_receipt(receipt_id)
    return (state.label, state.note) if state is not None else None
