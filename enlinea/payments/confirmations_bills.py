"""Pago de servicios on the confirmation flow (kinds registered at import).

* ``bill_payment`` — Pagar servicios: the form (``views_bills.bill_pay``) → "Confirmar
  pago" (Cuenta, Servicio, Referencia, Monto, Comisión, Total) → the code →
  "¡Pago exitoso!" with the Comprobante N.º, Categoría, Empresa, Referencia.
  ``execute`` runs inside the transaction that spends the code: it reads the biller
  and the account again (owner-scoped), refuses when the tariff's fee changed since
  the Confirmar page, calls ``bill_payment_start`` (phase one: the member debited, the
  payment PENDIENTE) and, with "Guardar servicio", saves the service in the same
  savepoint (both or neither). Phase two, ``bill_payment_complete`` (the biller
  authorizes and confirms, or refuses and the money comes back), runs after COMMIT
  (``transaction.on_commit``), before the result page is read: the page shows the
  outcome (confirmed; pending while the biller cannot be reached, which the periodic
  job asks again; or returned with the reason).
* ``saved_service_delete`` — Eliminar a saved service of Pagos frecuentes.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.money import (
    debited_rows,
    fee_rows,
    fees_unchanged,
    operation_source,
    receipt_result,
)
from enlinea.confirmation.registry import OperationKind, Rows, register, url
from enlinea.money import format_cents
from enlinea.receipts.selectors import receipt_for_member
from enlinea.tariff.services import fee_for_biller

from .models import Biller, BillPayment, BillPaymentStatus
from .saved import saved_service_delete, saved_service_ensure, saved_service_for_member
from .services import bill_payment_complete, bill_payment_start

logger = logging.getLogger(__name__)

PAY = "bill_payment"
SAVED_DELETE = "saved_service_delete"

MSG_BILLER_GONE = "Esta empresa ya no está disponible para pagos: vuelve a empezar."
SUCCESS = "¡Pago exitoso!"
PENDING = "Pago en proceso"
RETURNED = "Pago devuelto"
MSG_PENDING = (
    "{biller} aún no confirma el pago: lo intentaremos de nuevo en unos minutos. Si no lo "
    "confirma, te devolveremos el valor debitado y te avisaremos por correo electrónico."
)
MSG_RETURNED = (
    "{biller} no aceptó el pago ({reason}). Te devolvimos {total} a tu cuenta con el "
    "comprobante N.º {number}."
)


def idempotency_key(operation: PendingOperation) -> str:
    return f"bill:{operation.token}"


def _confirm_rows(operation: PendingOperation) -> Rows:
    content = operation.content
    rows: Rows = [
        ("Cuenta", content["source_label"]),
        ("Servicio", f"{content['category']} · {content['biller_name']}"),
        (content["reference_label"].capitalize(), content["reference"]),
    ]
    if content.get("holder"):
        rows.append(("Titular", content["holder"]))
    if content.get("due_date"):
        rows.append(("Fecha de vencimiento", content["due_date_label"]))
    rows.append(("Monto", format_cents(content["amount"])))
    rows += fee_rows(content, total_label="Total")
    rows.append(("Guardar servicio", "Sí" if content["save"] else "No"))
    if content["save"] and content.get("alias"):
        rows.append(("Alias", content["alias"]))
    return rows


def _biller(operation: PendingOperation) -> Biller:
    biller = (
        Biller.objects.filter(pk=operation.content["biller"], active=True, category__active=True)
        .select_related("category")
        .first()
    )
    if biller is None:
        raise ValidationError(MSG_BILLER_GONE)
    return biller


def _complete(payment_id: int) -> None:
    """Phase two after COMMIT; a failure leaves it PENDIENTE for the periodic job."""
    try:
        bill_payment_complete(payment=BillPayment.objects.get(pk=payment_id))
    except Exception:
        logger.exception("could not complete bill payment %s after commit", payment_id)


def _execute(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    content = operation.content
    biller = _biller(operation)
    fees_unchanged(content, fee_for_biller(biller))
    payment = bill_payment_start(
        source=operation_source(operation),
        biller=biller,
        reference=content["reference"],
        amount=content["amount"],
        bill_id=content.get("bill_id", ""),
        idempotency_key=idempotency_key(operation),
    )
    result: dict[str, Any] = {"receipt": payment.receipt_id, "payment": payment.pk}
    if content["save"]:
        saved, _ = saved_service_ensure(
            member=operation.member,
            biller=biller,
            reference=content["reference"],
            alias=content.get("alias", ""),
        )
        result["saved"] = saved.pk
    transaction.on_commit(lambda: _complete(payment.pk))
    return result


def receipt_rows(payment: BillPayment, operation: PendingOperation) -> Rows:
    """The manual's "¡Pago exitoso!" rows, read from the payment and its receipt."""
    rows = debited_rows(
        payment.receipt,
        member=operation.member,
        source_number=payment.source.number,
        amount_label="Valor pagado",
        motive=False,
    )
    rows += [
        ("Servicio · Categoría", payment.biller.category.name),
        ("Servicio · Empresa", payment.biller.name),
        ("Servicio · Referencia", payment.reference),
        ("Estado", payment.get_status_display()),
    ]
    if payment.status == BillPaymentStatus.RETURNED:
        rows.append(("Motivo de la devolución", payment.return_reason))
    return rows


def _result(operation: PendingOperation) -> dict[str, Any]:
    receipt = receipt_for_member(member=operation.member, number=operation.result["receipt"])
    payment = BillPayment.objects.select_related("biller__category", "source", "receipt").get(
        pk=operation.result["payment"], member=operation.member
    )
    context = receipt_result(
        receipt,
        title=SUCCESS,
        details=receipt_rows(payment, operation),
        again_url=reverse("payments:bill_pay"),
        again_label="Realizar otro pago",
        section="pago-servicios",
    )
    if payment.status == BillPaymentStatus.PENDING:
        context["title"] = PENDING
        context["state"] = payment.get_status_display()
        context["message"] = MSG_PENDING.format(biller=payment.biller.name)
    elif payment.status == BillPaymentStatus.RETURNED:
        context["title"] = RETURNED
        context["state"] = payment.get_status_display()
        context["message"] = MSG_RETURNED.format(
            biller=payment.biller.name,
            reason=payment.return_reason,
            total=format_cents(payment.total),
            number=payment.return_receipt_id,
        )
    if operation.result.get("saved"):
        alias = operation.content.get("alias") or payment.biller.name
        context["saved_note"] = f"{alias} está en tus Pagos frecuentes para los próximos pagos."
    return context


register(
    OperationKind(
        name=PAY,
        title="Pagar servicios",
        description="Pago de servicios",
        start_url=url("payments:bill_pay"),
        details=_confirm_rows,
        confirm_title="Confirmar pago",
        confirm_label="Confirmar",
        execute=_execute,
        result=_result,
        result_template="transfers/result.html",
    )
)


# ---------------------------------------------------------------- Pagos frecuentes


def _saved(operation: PendingOperation) -> Any:
    try:
        return saved_service_for_member(
            member=operation.member, saved_id=operation.content["saved"]
        )
    except Http404 as exc:
        raise ValidationError("Ese servicio ya no está entre tus pagos frecuentes.") from exc


def _delete(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    saved_service_delete(saved=_saved(operation))
    return {"saved": operation.content["saved"]}


register(
    OperationKind(
        name=SAVED_DELETE,
        title="Eliminar servicio guardado",
        description="Eliminar un servicio de Pagos frecuentes",
        start_url=url("payments:bill_frequent"),
        details=lambda op: [
            ("Servicio", op.content["label"]),
            ("Referencia", op.content["reference"]),
        ],
        confirm_label="Eliminar",
        execute=_delete,
        result=lambda op: {
            "title": "Servicio eliminado",
            "message": f"{op.content['label']} ya no está en tus Pagos frecuentes.",
            "back_url": reverse("payments:bill_frequent"),
            "back_label": "Volver a Pagos frecuentes",
        },
    )
)


# ---------------------------------------------------------------- Programar pagos

SCHEDULE_CREATE = "schedule_create"
SCHEDULE_UPDATE = "schedule_update"
SCHEDULE_DELETE = "schedule_delete"


def schedule_rows(content: dict[str, Any]) -> Rows:
    from enlinea.web.templatetags.formato import fecha

    rows: Rows = [
        ("Cuenta de débito", content["source_label"]),
        ("Categoría", content["category"]),
        ("Servicio", content["biller_name"]),
        (content["reference_label"].capitalize(), content["reference"]),
        ("Monto máximo", format_cents(content["max_amount"])),
        ("Frecuencia", "Siempre que se encuentre disponible"),
        ("Fecha de inicio", fecha(dt.date.fromisoformat(content["start_date"]))),
        (
            "Fecha de finalización",
            fecha(dt.date.fromisoformat(content["end_date"]))
            if content.get("end_date")
            else "Indefinida",
        ),
    ]
    if content.get("terms_version"):
        rows.append(("Términos y Condiciones", f"Aceptados (versión {content['terms_version']})"))
    return rows


def _schedule_biller(content: dict[str, Any]) -> Biller:
    biller = Biller.objects.filter(pk=content["biller"], active=True).select_related("category")
    found = biller.first()
    if found is None:
        raise ValidationError(MSG_BILLER_GONE)
    return found


def _dates(content: dict[str, Any]) -> tuple[dt.date, dt.date | None]:
    end = content.get("end_date")
    return dt.date.fromisoformat(content["start_date"]), dt.date.fromisoformat(end) if end else None


def _schedule_create(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    from enlinea.web.client_ip import client_ip

    from .schedules import schedule_create

    content = operation.content
    start, end = _dates(content)
    schedule = schedule_create(
        member=operation.member,
        source=operation_source(operation),
        biller=_schedule_biller(content),
        reference=content["reference"],
        max_amount=content["max_amount"],
        start_date=start,
        end_date=end,
        terms_version=content["terms_version"],
        ip=client_ip(request) if request is not None else None,
    )
    return {"schedule": schedule.pk}


def _schedule(operation: PendingOperation) -> Any:
    from .schedules import schedule_for_member

    try:
        return schedule_for_member(
            member=operation.member, schedule_id=operation.content["schedule"]
        )
    except Http404 as exc:
        raise ValidationError("Ese pago programado ya no está registrado.") from exc


def _schedule_update(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    from .schedules import schedule_update

    content = operation.content
    start, end = _dates(content)
    schedule_update(
        schedule=_schedule(operation),
        source=operation_source(operation),
        reference=content["reference"],
        max_amount=content["max_amount"],
        start_date=start,
        end_date=end,
    )
    return {"schedule": content["schedule"]}


def _schedule_delete(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    from .schedules import schedule_delete

    schedule_delete(schedule=_schedule(operation))
    return {"schedule": operation.content["schedule"]}


def _schedule_result(title: str, message: str) -> Any:
    def result(operation: PendingOperation) -> dict[str, Any]:
        return {
            "title": title,
            "message": message,
            "details": schedule_rows(operation.content)
            if operation.kind != SCHEDULE_DELETE
            else [],
            "back_url": reverse("payments:bill_schedules"),
            "back_label": "Volver a Pagos programados",
        }

    return result


for _name, _title, _execute_fn, _done, _message in (
    (
        SCHEDULE_CREATE,
        "Programar pagos",
        _schedule_create,
        "¡Pago programado con éxito!",
        "Pagaremos cada nueva factura de este servicio mientras no supere el monto máximo.",
    ),
    (
        SCHEDULE_UPDATE,
        "Editar pago programado",
        _schedule_update,
        "Pago programado actualizado",
        "Los próximos pagos seguirán estos datos.",
    ),
    (
        SCHEDULE_DELETE,
        "Eliminar pago programado",
        _schedule_delete,
        "Pago programado eliminado",
        "No pagaremos más facturas de este servicio de forma programada.",
    ),
):
    register(
        OperationKind(
            name=_name,
            title=_title,
            description=_title,
            start_url=url("payments:bill_schedules"),
            details=lambda op: schedule_rows(op.content),
            confirm_label="Eliminar" if _name == SCHEDULE_DELETE else "Confirmar",
            execute=_execute_fn,
            result=_schedule_result(_done, _message),
        )
    )
