"""The member's transfers on the confirmation flow (enlinea/confirmation).

* ``transfer_own`` — Transferencias entre cuentas propias;
* ``transfer_internal`` — TRANSFERENCIAS COOPROGRESO, to a saved beneficiary here or
  to an account typed on the spot;
* ``transfer_interbank`` — TRANSFERENCIAS INTERBANCARIAS, to a saved beneficiary at
  another institution or to an account there typed on the spot (phase one: the
  clearing job settles or returns it later).

A destination typed on the spot is the content's ``new`` (the account, the holder's
masked name or the typed holder fields, "Guardar beneficiario", Alias, Correo) instead
of a ``beneficiary`` id. One code confirms it all; ``execute`` checks the destination
again with the beneficiaries' own checks, makes the transfer and then, if asked, saves
the beneficiary with ``beneficiary_ensure``, inside the same savepoint of the flow:
if the save is refused nothing moves. A destination the member already has saved is
not a refusal and not a second row: that beneficiary is reused as it is.

Each is: the form → "Confirmar transferencia" (Monto, Cuenta de origen, Cuenta destino,
Motivo, Comisión, Total a debitar) → the code → "¡Transferencia exitosa!" with the
Comprobante N.º, "Imprimir" (the receipt's PDF, ``receipts:pdf``) and "Realizar otra
transferencia".

The operation's content is everything the code confirms: the source and destination
account numbers (and the beneficiary), the amount, the motive and the fee shown. When
the code is right, ``execute`` reads the accounts and the beneficiary again, owner-
scoped, and refuses (FAILED, nothing moved) if the destination or the tariff's fee is
no longer what was confirmed; the service then checks funds, cupo, firma and account
states under its locks. The idempotency key is the operation's token: the flow runs an
operation once, and a replay of the key would return the first receipt anyway.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse

from enlinea.beneficiaries.destinations import (
    external_destination_clean,
    internal_destination_check,
)
from enlinea.beneficiaries.models import AccountType, BeneficiaryKind
from enlinea.beneficiaries.selectors import beneficiary_for_member
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
from enlinea.members.models import IdentificationType
from enlinea.money import format_cents
from enlinea.notifications.models import Channel
from enlinea.notifications.services import member_notify, notification_send
from enlinea.products.models import DepositAccount
from enlinea.products.selectors.accounts import accounts_for_member
from enlinea.receipts.models import Receipt
from enlinea.receipts.selectors import mask_account, receipt_for_member
from enlinea.receipts.services import Counterpart
from enlinea.tariff.services import fees_for

from . import services
from .selectors import interbank_state_for_receipt

OWN = "transfer_own"
INTERNAL = "transfer_internal"
INTERBANK = "transfer_interbank"

START_URLS = {
    OWN: "transfers:own",
    INTERNAL: "transfers:internal",
    INTERBANK: "transfers:interbank",
}
TARIFF = {OWN: "transfer_own", INTERNAL: "transfer_internal", INTERBANK: "transfer_interbank"}

MSG_DESTINATION_GONE = "La cuenta de destino ya no está disponible: vuelve a empezar."
MSG_BENEFICIARY_CHANGED = (
    "Los datos del beneficiario cambiaron después de confirmar: vuelve a empezar y revisa "
    "la transferencia."
)
SUCCESS = "¡Transferencia exitosa!"
SENT = "¡Transferencia enviada!"


def idempotency_key(operation: PendingOperation) -> str:
    return f"transfer:{operation.token}"


def new_destination_rows(new: dict[str, Any]) -> Rows:
    """A destination typed on the spot: what the code confirms besides the account."""
    rows: Rows = []
    if new.get("identification"):
        ident_type = dict(IdentificationType.choices).get(new["identification_type"], "")
        rows.append(("Identificación", f"{ident_type} {new['identification']}".strip()))
    if new.get("email"):
        rows.append(("Correo electrónico", new["email"]))
    rows.append(("Guardar beneficiario", "Sí" if new["save"] else "No"))
    if new["save"] and new.get("alias"):
        rows.append(("Alias", new["alias"]))
    return rows


def _confirm_rows(operation: PendingOperation) -> Rows:
    content = operation.content
    rows: Rows = [
        ("Monto a transferir", format_cents(content["amount"])),
        ("Cuenta de origen", content["source_label"]),
        ("Cuenta destino", content["destination_label"]),
    ]
    if content.get("new"):
        rows += new_destination_rows(content["new"])
    rows.append(("Motivo", content["motive"] or "—"))
    return rows + fee_rows(content)


def _fees_check(operation: PendingOperation) -> None:
    fees_unchanged(operation.content, fees_for(TARIFF[operation.kind]))


def _beneficiary(operation: PendingOperation) -> Any:
    try:
        beneficiary = beneficiary_for_member(
            member=operation.member, beneficiary_id=operation.content["beneficiary"]
        )
    except Http404 as exc:
        raise ValidationError("Ese beneficiario ya no está registrado.") from exc
    if beneficiary.account_number != operation.content["destination"]:
        raise ValidationError(MSG_BENEFICIARY_CHANGED)
    return beneficiary


def _saved_with(operation: PendingOperation, request: HttpRequest | None) -> Any:
    """ "Guardar beneficiario" of a destination typed on the spot, in the transfer's
    transaction (after the transfer took its locks: the new row's key locks come last).
    The member's beneficiary for it, saved now or already saved (reused as it is, never
    a second one); None when not asked. A refusal fails the whole operation."""
    new = operation.content["new"]
    if not new["save"]:
        return None
    fields: dict[str, Any] = {"email": new["email"], "alias": new["alias"]}
    if new["kind"] == BeneficiaryKind.EXTERNAL:
        fields.update(
            institution_id=new["institution"],
            account_type=new["account_type"],
            name=new["name"],
            identification_type=new["identification_type"],
            identification=new["identification"],
        )
    beneficiary, _ = beneficiary_ensure(
        member=operation.member,
        kind=new["kind"],
        account_number=new["account_number"],
        request=request,
        **fields,
    )
    return beneficiary


def _internal_destination(operation: PendingOperation, saved: Any) -> DepositAccount:
    """The account the code confirmed: a saved beneficiary's, or the one typed on the
    spot, looked up again (it may have closed since Validar) and still the holder
    whose masked name was confirmed."""
    content = operation.content
    new = content.get("new")
    if new is None:
        destination = saved.internal_account
    else:
        checked = internal_destination_check(
            member=operation.member, account_number=new["account_number"]
        )
        if checked.holder_name != new["name"]:
            raise ValidationError(MSG_BENEFICIARY_CHANGED)
        destination = checked.account
    if destination is None or destination.number != content["destination"]:
        raise ValidationError(MSG_BENEFICIARY_CHANGED)
    return destination


def _interbank_counterpart(operation: PendingOperation, saved: Any) -> Counterpart:
    content = operation.content
    new = content.get("new")
    if new is None:
        institution = saved.institution.name if saved.institution_id else ""
        name, identification, account_type = saved.name, saved.identification, saved.account_type
    else:
        checked = external_destination_clean(
            member=operation.member,
            institution_id=new["institution"],
            account_type=new["account_type"],
            account_number=new["account_number"],
            name=new["name"],
            identification_type=new["identification_type"],
            identification=new["identification"],
        )
        institution, name, identification = (
            checked.institution.name,
            checked.name,
            checked.identification,
        )
        account_type = checked.account_type
    if institution != content["institution"]:
        raise ValidationError(MSG_BENEFICIARY_CHANGED)
    return Counterpart(
        name=name,
        identification=identification,
        account_number=content["destination"],
        account_type=dict(AccountType.choices).get(account_type, account_type).upper(),
        institution=institution,
    )


def _execute(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    """The transfer, and with a destination typed on the spot and "Guardar
    beneficiario" the beneficiary too: both or neither (one savepoint of the flow)."""
    content = operation.content
    _fees_check(operation)
    source = operation_source(operation)
    key = idempotency_key(operation)
    new = content.get("new")
    # A saved beneficiary chosen in the form, read again owner-scoped.
    saved = _beneficiary(operation) if operation.kind != OWN and new is None else None
    if operation.kind == OWN:
        destination = (
            accounts_for_member(member=operation.member)
            .filter(number=content["destination"])
            .first()
        )
        if destination is None:
            raise ValidationError(MSG_DESTINATION_GONE)
        receipt = services.transfer_record(
            source=source,
            kind=services.OWN,
            destination=destination,
            amount=content["amount"],
            motive=content["motive"],
            idempotency_key=key,
        )
    elif operation.kind == INTERNAL:
        destination = _internal_destination(operation, saved)
        receipt = services.transfer_record(
            source=source,
            kind=services.INTERNAL,
            destination=destination,
            amount=content["amount"],
            motive=content["motive"],
            idempotency_key=key,
        )
    else:
        receipt = services.interbank_transfer_record(
            source=source,
            amount=content["amount"],
            beneficiary=_interbank_counterpart(operation, saved),
            motive=content["motive"],
            idempotency_key=key,
        )
    result: dict[str, Any] = {"receipt": receipt.number}
    if new is not None:
        saved = _saved_with(operation, request)
        if saved is not None:
            result.update(beneficiary=saved.pk, beneficiary_name=saved.alias or saved.name)
    email = (new or {}).get("email") or (saved.email if saved is not None else "")
    if operation.kind == INTERNAL:
        _notify_received(operation, receipt, destination)
        if email.casefold() == destination.member.email.casefold():
            email = ""  # told already, at the same address, by the notice above
    _notify(operation, receipt, beneficiary_email=email)
    return result


NOTICE_SENT = "transferencia_realizada"
NOTICE_TO_BENEFICIARY = "transferencia_beneficiario"
NOTICE_RECEIVED = "transferencia_recibida"


def _notify_received(
    operation: PendingOperation, receipt: Receipt, destination: DepositAccount
) -> None:
    """The member credited by a Transferencia Cooprogreso hears of it on their registered
    e-mail and mobile, as of every movement of their money (sent after COMMIT). The
    receipt is the sender's: the notice names the movement, not its number."""
    member_notify(
        member=destination.member,
        kind=NOTICE_RECEIVED,
        context={
            "amount": format_cents(receipt.amount),
            "originator": operation.member.full_name,
            "last_digits": destination.number[-4:],
            "motive": receipt.motive,
            "when": receipt.created_at,
        },
    )


def _notify(operation: PendingOperation, receipt: Receipt, *, beneficiary_email: str) -> None:
    """The member hears of the transfer (e-mail and SMS), and the beneficiary by e-mail
    when there is an address for them (saved with the beneficiary, or typed with a new
    destination), in the transaction that made it (sent after COMMIT)."""
    context = {
        "number": receipt.number,
        "amount": format_cents(receipt.amount),
        "fees": format_cents(receipt.commission + receipt.iva),
        "total": format_cents(receipt.total),
        "beneficiary": receipt.counterpart_name,
        "bank": receipt.counterpart_institution,
        "last_digits": operation.content["source"][-4:],
        "motive": receipt.motive,
        "interbank": operation.kind == INTERBANK,
        "when": receipt.created_at,
    }
    member_notify(member=operation.member, kind=NOTICE_SENT, context=context)
    if beneficiary_email:
        notification_send(
            kind=NOTICE_TO_BENEFICIARY,
            context={**context, "sender": operation.member.full_name},
            email=beneficiary_email,
            channels=(Channel.EMAIL,),
        )


def receipt_rows(receipt: Receipt, operation: PendingOperation) -> Rows:
    """The manual's "¡Transferencia exitosa!" rows, read from the receipt itself."""
    rows = debited_rows(
        receipt,
        member=operation.member,
        source_number=operation.content["source"],
        amount_label="Valor transferido",
    )
    rows += [
        ("Cuenta de destino · Nombre", receipt.counterpart_name),
        (
            "Cuenta de destino · N.º Cta.",
            " - ".join(
                p
                for p in (
                    receipt.counterpart_account_type,
                    mask_account(receipt.counterpart_account),
                )
                if p
            ),
        ),
        ("Institución financiera", receipt.counterpart_institution or _own_institution()),
    ]
    return rows


def _own_institution() -> str:
    return settings.INSTITUTION["name"]


def _result(operation: PendingOperation) -> dict[str, Any]:
    receipt = receipt_for_member(member=operation.member, number=operation.result["receipt"])
    context = receipt_result(
        receipt,
        title=SUCCESS,
        details=receipt_rows(receipt, operation),
        again_url=reverse(START_URLS[operation.kind]),
        again_label="Realizar otra transferencia",
        section="transferencias",
    )
    if operation.result.get("beneficiary_name"):
        context["saved_note"] = (
            f"{operation.result['beneficiary_name']} está entre tus beneficiarios para las "
            "próximas transferencias."
        )
    state = interbank_state_for_receipt(receipt.pk)
    if state is not None:
        context["title"] = SENT
        context["state"] = state.label
        context["message"] = state.note
    return context


for _name, _title, _description in (
    (OWN, "Transferencia entre cuentas propias", "Transferencia entre cuentas propias"),
    (
        INTERNAL,
        f"Transferencias {settings.INSTITUTION['short_name']}",
        "Transferencia a otro socio",
    ),
    (INTERBANK, "Transferencias interbancarias", "Transferencia interbancaria"),
):
    register(
        OperationKind(
            name=_name,
            title=_title,
            description=_description,
            start_url=lambda op: reverse(START_URLS[op.kind]),
            details=_confirm_rows,
            confirm_title="Confirmar transferencia",
            confirm_label="Confirmar",
            execute=_execute,
            result=_result,
            result_template="transfers/result.html",
        )
    )
