"""Pago de tarjetas on the confirmation flow (kinds registered at import).

* ``card_payment`` — the payment form → "Confirmar pago" (Monto a pagar, Cuenta de
  origen, Tarjeta, Motivo, Comisión, Total a debitar, "Tu transferencia se acreditará
  inmediatamente") → the code → "¡Pago exitoso!" with the Comprobante N.º, "Imprimir"
  (the receipt's PDF) and "Realizar otro pago".

"Agregar nueva tarjeta" paid at once is this same kind with the card typed on the spot
in the content's ``new`` (institution, last four digits, keyed digest, holder,
«Guardar beneficiario», Alias, Correo; never the number) instead of a saved card's
key: ONE code confirms the payment and, if ticked, the save. ``execute`` checks the
card again (``card_checked_clean``), pays it and then saves it with the beneficiaries'
``beneficiary_ensure``, in the flow's savepoint, as a transfer to a new destination
does: both or neither; a card already saved is reused, not saved twice. An interbank
payment carries only what the clearing needs: the masked number ("XXXXXXXXXXXX1234"),
the holder and the institution, as a saved card's does.

"Agregar nueva tarjeta" that only saves the card («Guardar beneficiario», no amount) is
the beneficiaries' own ``beneficiary_create`` kind with a CARD content
(``enlinea.beneficiaries.confirmations``): one mechanism for saving a beneficiary,
whatever its kind.

The content is what the code confirms: the card chosen (its key, last four digits and
institution), the source account, the amount, the motive and the fee shown. When the
code is right ``execute`` reads the card and the account again, owner-scoped, refuses
(FAILED, nothing moved) if the card or the tariff's fee changed, and the service checks
funds, the card's debt and states under its locks. The idempotency key is the
operation's token.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse

from enlinea.beneficiaries.destinations import card_checked_clean
from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.beneficiaries.services import beneficiary_ensure
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.money import (
    debited_rows,
    fee_rows,
    fees_unchanged,
    operation_source,
    receipt_result,
)
from enlinea.confirmation.registry import OperationKind, Rows, register
from enlinea.money import format_cents
from enlinea.notifications.services import member_notify
from enlinea.receipts.models import ReceiptKind
from enlinea.receipts.selectors import receipt_for_member, receipt_status_register
from enlinea.tariff.services import fees_for
from enlinea.transfers.confirmations import new_destination_rows as new_destination_rows
from enlinea.transfers.selectors import interbank_state_for_receipt, interbank_status_for_receipt

from . import cards

PAY = "card_payment"
TARIFF = "card_payment"
SUCCESS = "¡Pago exitoso!"
IMMEDIATE = "Tu transferencia se acreditará inmediatamente"
# A card at another institution is paid through the SPI: not at once, and it may return.
INTERBANK_NOTE = (
    "Tu pago se acreditará en la institución de la tarjeta en el próximo ciclo de la red "
    "interbancaria (SPI)"
)

MSG_CARD_GONE = "Esa tarjeta ya no está registrada: vuelve a empezar."
MSG_CARD_CHANGED = (
    "Los datos de la tarjeta cambiaron después de confirmar: vuelve a empezar y revisa el pago."
)


def idempotency_key(operation: PendingOperation) -> str:
    return f"card_payment:{operation.token}"


def target_key_params(key: str) -> dict[str, Any]:
    """A target's key ("b<id>" / "c<reference>") as ``card_target_for_member`` takes it."""
    if key.startswith("c"):
        return {"reference": key[1:]}
    return {"beneficiary_id": key[1:]}


def pay_url(target: cards.CardTarget) -> str:
    if target.credit_card is not None:
        return reverse("payments:own_card_pay", kwargs={"reference": target.key[1:]})
    return reverse("payments:card_pay", kwargs={"beneficiary_id": target.key[1:]})


def _confirm_rows(operation: PendingOperation) -> Rows:
    content = operation.content
    rows: Rows = [
        ("Monto a pagar", format_cents(content["amount"])),
        ("Cuenta de origen", content["source_label"]),
        ("Tarjeta", content["card_label"]),
    ]
    if content.get("new"):
        rows += new_destination_rows(content["new"])
    rows.append(("Motivo", content["motive"] or "—"))
    rows += fee_rows(content)
    rows.append(("Acreditación", IMMEDIATE if content.get("is_home") else INTERBANK_NOTE))
    return rows


def _execute(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    content = operation.content
    fees_unchanged(content, fees_for(TARIFF))
    source = operation_source(operation)
    new = content.get("new")
    target = _new_target(operation) if new is not None else _saved_target(operation)
    if (target.last4, target.institution) != (content["last4"], content["institution"]):
        raise ValidationError(MSG_CARD_CHANGED)
    receipt = cards.card_payment_record(
        source=source,
        target=target,
        amount=content["amount"],
        motive=content["motive"],
        idempotency_key=idempotency_key(operation),
    )
    result: dict[str, Any] = {"receipt": receipt.number}
    if new is not None and new["save"]:
        # After the payment took its locks (the new row's key locks come last); a
        # refusal fails the operation and the savepoint undoes the payment too.
        saved, _ = beneficiary_ensure(
            member=operation.member,
            kind=BeneficiaryKind.CARD,
            institution_id=new["institution"],
            card_last4=new["card_last4"],
            card_digest=new["card_digest"],
            name=new["name"],
            identification_type=new["identification_type"],
            identification=new["identification"],
            email=new["email"],
            alias=new["alias"],
            request=request,
        )
        result.update(beneficiary=saved.pk, beneficiary_name=saved.alias or saved.name)
    _notify(operation, receipt, target)
    return result


def _saved_target(operation: PendingOperation) -> cards.CardTarget:
    """The saved or own card chosen, read again owner-scoped."""
    try:
        return cards.card_target_for_member(
            member=operation.member, **target_key_params(operation.content["target"])
        )
    except Http404 as exc:
        raise ValidationError(MSG_CARD_GONE) from exc


def _new_target(operation: PendingOperation) -> cards.CardTarget:
    """The card typed on the spot, checked again (the institution may have left the
    catalogue since «Validar»), from its last four digits and digest only."""
    new = operation.content["new"]
    try:
        destination = card_checked_clean(
            member=operation.member,
            institution_id=new["institution"],
            card_last4=new["card_last4"],
            card_digest=new["card_digest"],
            name=new["name"],
            identification_type=new["identification_type"],
            identification=new["identification"],
        )
    except ValidationError as exc:
        raise ValidationError(MSG_CARD_CHANGED) from exc
    return cards.target_for_new_card(
        member=operation.member,
        destination=destination,
        alias=new["alias"] if new["save"] else "",
    )


NOTICE_PAID = "pago_tarjeta_realizado"


def _notify(operation: PendingOperation, receipt: Any, target: cards.CardTarget) -> None:
    """The member hears of the payment (e-mail and SMS) in the transaction that made it
    (sent after COMMIT)."""
    member_notify(
        member=operation.member,
        kind=NOTICE_PAID,
        context={
            "number": receipt.number,
            "amount": format_cents(receipt.amount),
            "fees": format_cents(receipt.commission + receipt.iva),
            "total": format_cents(receipt.total),
            "card": target.masked_number,
            "card_last4": target.last4,
            "bank": target.institution,
            "last_digits": operation.content["source"][-4:],
            "motive": receipt.motive,
            "interbank": not target.is_home,
            "when": receipt.created_at,
        },
    )


def receipt_rows(receipt: Any, operation: PendingOperation) -> Rows:
    """The manual's "¡Pago exitoso!" rows, read from the receipt itself."""
    rows = debited_rows(
        receipt,
        member=operation.member,
        source_number=operation.content["source"],
        amount_label="Valor pagado",
    )
    rows += [
        ("Tarjeta · Nombre", receipt.counterpart_name),
        ("Tarjeta · Tipo de tarjeta", receipt.counterpart_account_type),
        ("Tarjeta · N.º Tarjeta", receipt.counterpart_account),
        ("Institución financiera", receipt.counterpart_institution),
    ]
    return rows


def _result(operation: PendingOperation) -> dict[str, Any]:
    receipt = receipt_for_member(member=operation.member, number=operation.result["receipt"])
    context = receipt_result(
        receipt,
        title=SUCCESS,
        details=receipt_rows(receipt, operation),
        again_url=reverse("payments:card_list"),
        again_label="Realizar otro pago",
        section="pago-tarjetas",
    )
    if operation.result.get("beneficiary_name"):
        context["saved_note"] = (
            f"{operation.result['beneficiary_name']} está entre tus tarjetas para los "
            "próximos pagos."
        )
    state = interbank_state_for_receipt(receipt.pk)
    if state is not None:
        context["state"] = state.label
        context["message"] = state.note
    return context


def _start_url(operation: PendingOperation) -> str:
    key = operation.content.get("target", "")
    if key == cards.NEW_KEY:
        return reverse("payments:card_new")
    if key.startswith("c"):
        return reverse("payments:own_card_pay", kwargs={"reference": key[1:]})
    if key.startswith("b") and key[1:].isdigit():
        return reverse("payments:card_pay", kwargs={"beneficiary_id": int(key[1:])})
    return reverse("payments:card_list")


register(
    OperationKind(
        name=PAY,
        title="Pago de tarjetas",
        description="Pago de tarjeta",
        start_url=_start_url,
        details=_confirm_rows,
        confirm_title="Confirmar pago",
        confirm_label="Confirmar",
        execute=_execute,
        result=_result,
        result_template="transfers/result.html",
    )
)


# A card payment to another institution travels the interbank clearing: its comprobante
# says whether it is in process, settled or returned, as a transfer's does.
receipt_status_register(ReceiptKind.CARD_PAYMENT, interbank_status_for_receipt)
