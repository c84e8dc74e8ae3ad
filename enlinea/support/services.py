"""Writes for quejas y reclamos: filing one, and staff moving it through its statuses.

Nothing is left half-done. Filing stores the attachment first, then writes the
complaint, its first history row, the audit row and the e-mail in one durable
transaction; if any of that fails the transaction rolls back and the stored file is
deleted. E-mails go through the notifications outbox, written in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.access.models import AuditKind
from enlinea.members.models import Member
from enlinea.members.validators import (
    normalize_cedula,
    normalize_names,
    normalize_pasaporte,
)
from enlinea.notifications.models import Channel
from enlinea.notifications.services import notification_send
from enlinea.security.audit import audit_record
from enlinea.support.attachments import (
    CheckedAttachment,
    attachment_check,
    attachment_delete,
    attachment_store,
)
from enlinea.support.models import (
    DETAIL_MAX_LENGTH,
    Complaint,
    ComplaintEvent,
    ComplaintProduct,
    ComplaintStatus,
)
from enlinea.support.selectors import ProductRef, member_products

TICKET_PREFIX = "QR"
RESPONSE_MAX_LENGTH = 2000

MSG_CONSENT = (
    "Para enviar tu queja o reclamo debes aceptar las condiciones para el tratamiento de tus datos."
)
MSG_PRODUCT = "Selecciona el producto al que se refiere tu queja o reclamo."
MSG_PRODUCT_REFERENCE = "Selecciona una de tus cuentas o tarjetas de la lista."
MSG_PRODUCT_MISMATCH = "El número elegido no corresponde al producto «{product}». Elige otro número o cambia el producto."
MSG_NAME_REQUIRED = "Ingresa tu nombre y apellido."
MSG_NAME_INVALID = "Ingresa tu nombre y apellido, solo con letras."
MSG_IDENTIFICATION_REQUIRED = "Ingresa tu número de cédula o pasaporte."
MSG_DETAIL_REQUIRED = "Cuéntanos qué pasó: escribe el detalle de tu queja o reclamo."
MSG_DETAIL_LENGTH = "El detalle puede tener hasta {max} caracteres; tiene {length}."
MSG_STATUS_CHANGED = "Otra persona cambió el estado de este reclamo mientras lo revisabas; ahora está «{status}». Revisa el estado actual."
MSG_STATUS_TRANSITION = "Un reclamo en estado «{current}» no puede pasar a «{target}»."
MSG_RESPONSE_REQUIRED = "Escribe la respuesta para el socio: se le enviará por correo."
MSG_RESPONSE_LENGTH = "La respuesta puede tener hasta {max} caracteres."

# RECIBIDO → EN_GESTION → RESUELTO / RECHAZADO. A complaint that is plainly not one
# (spam, a duplicate) may be rejected straight away; the last two are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ComplaintStatus.RECEIVED: (ComplaintStatus.IN_PROGRESS, ComplaintStatus.REJECTED),
    ComplaintStatus.IN_PROGRESS: (ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED),
    ComplaintStatus.RESOLVED: (),
    ComplaintStatus.REJECTED: (),
}
_CLOSING = (ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED)


def ticket_for(complaint: Complaint) -> str:
    """``QR-2026-000123``: the year it was received and its sequential number."""
    year = timezone.localtime(complaint.created_at).year
    return f"{TICKET_PREFIX}-{year}-{complaint.pk:06d}"


_SPECIFIC = (
    ComplaintProduct.ACCOUNTS,
    ComplaintProduct.LOANS,
    ComplaintProduct.INVESTMENTS,
    ComplaintProduct.DEBIT_CARD,
    ComplaintProduct.CREDIT_CARD,
)


def product_reference_resolve(*, member: Member, product: str, key: str) -> ProductRef | None:
    """The member's own product behind ``key`` (empty: none). Raises ``ValidationError``
    for a key that is not one of theirs, or that does not fit a specific ``product``
    (an account chosen for "Tarjeta de crédito"); for "Transferencias", "Otro"… any of
    their products fits."""
    if not key:
        return None
    ref = next((ref for ref in member_products(member=member) if ref.key == key), None)
    if ref is None:
        raise ValidationError(MSG_PRODUCT_REFERENCE, code="not_own")
    if product in _SPECIFIC and ref.product != product:
        label = ComplaintProduct(product).label
        raise ValidationError(MSG_PRODUCT_MISMATCH.format(product=label), code="mismatch")
    return ref


def full_name_clean(value: str) -> str:
    if not (value or "").strip():
        raise ValidationError(MSG_NAME_REQUIRED, code="required")
    return normalize_names(value, message=MSG_NAME_INVALID)[:200]


def identification_clean(value: str) -> str:
    """A cédula (10 digits, check digit verified) or a passport (5 to 20 letters/digits)."""
    number = "".join((value or "").split()).replace("-", "").replace(".", "")
    if not number:
        raise ValidationError(MSG_IDENTIFICATION_REQUIRED, code="required")
    if number.isascii() and number.isdigit() and len(number) == 10:
        return normalize_cedula(number)
    return normalize_pasaporte(number)


def detail_clean(value: str) -> str:
    detail = (value or "").strip()
    if not detail:
        raise ValidationError(MSG_DETAIL_REQUIRED, code="required")
    if len(detail) > DETAIL_MAX_LENGTH:
        raise ValidationError(
            MSG_DETAIL_LENGTH.format(max=DETAIL_MAX_LENGTH, length=len(detail)), code="max_length"
        )
    return detail


def _collect(errors: dict[str, list[ValidationError]], field: str, check: Any) -> Any:
    """Run one field's check; keep its error under ``field`` and carry on."""
    try:
        return check()
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.error_list)
        return None


def complaint_file(
    *,
    member: Member,
    product: str,
    product_reference: str,
    full_name: str,
    identification: str,
    detail: str,
    attachment: File | None,
    consent: bool,
    request: HttpRequest | None = None,
) -> Complaint:
    """File a complaint for ``member`` and e-mail its ticket to the member's registered
    e-mail. There is no other address to give: the complaint's text and file name
    travel in that e-mail, and a typed address would make the cooperative's mail
    server a relay for anyone with a session.

    Raises ``ValidationError`` keyed by form field (Spanish messages) and writes
    nothing when any value is refused.
    """
    errors: dict[str, list[ValidationError]] = {}
    if product not in ComplaintProduct.values:
        errors["product"] = [ValidationError(MSG_PRODUCT)]
    ref = _collect(
        errors,
        "product_reference",
        lambda: product_reference_resolve(member=member, product=product, key=product_reference),
    )
    full_name = _collect(errors, "full_name", lambda: full_name_clean(full_name))
    identification = _collect(
        errors, "identification", lambda: identification_clean(identification)
    )
    detail = _collect(errors, "detail", lambda: detail_clean(detail))
    checked: CheckedAttachment | None = None
    if attachment is not None:
        checked = _collect(errors, "attachment", lambda: attachment_check(attachment))
    if not consent:
        errors["consent"] = [ValidationError(MSG_CONSENT)]
    if errors:
        raise ValidationError(errors)

    stored = attachment_store(checked) if checked is not None else ""
    try:
        with transaction.atomic(durable=True):
            now = timezone.now()
            complaint = Complaint.objects.create(
                member=member,
                product=product,
                product_reference=ref.label if ref is not None else "",
                full_name=full_name,
                identification=identification,
                # Where the ticket went (the registered e-mail at filing time), shown on
                # the receipt; later notices go to the member's e-mail of that moment.
                email=member.email,
                detail=detail,
                attachment=stored,
                attachment_name=checked.original_name if checked is not None else "",
                attachment_type=checked.content_type if checked is not None else "",
                attachment_size=checked.size if checked is not None else None,
                consent_at=now,
                consent_version=settings.ACCESS_DATA_CONSENT_VERSION,
                created_at=now,
                updated_at=now,
            )
            complaint.ticket = ticket_for(complaint)
            complaint.save(update_fields=["ticket"])
            ComplaintEvent.objects.create(
                complaint=complaint, created_at=now, to_status=ComplaintStatus.RECEIVED
            )
            audit_record(
                kind=AuditKind.COMPLAINT,
                request=request,
                member=member,
                ticket=complaint.ticket,
                product=product,
                attachment=bool(stored),
            )
            notification_send(
                kind="queja_recibida",
                context={"complaint": complaint, "member": member},
                email=member.email,
                channels=(Channel.EMAIL,),
            )
    except BaseException:
        attachment_delete(stored)
        raise
    return complaint


def next_statuses(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def complaint_status_change(
    *,
    complaint_id: int,
    expected_status: str,
    to_status: str,
    response: str,
    by: Any,
) -> Complaint:
    """Staff move a complaint to its next status; the member is told by e-mail.

    ``expected_status`` is the status the staff member saw: if someone else changed it
    meanwhile, nothing is written. Closing (RESUELTO / RECHAZADO) needs a response.
    Raises ``ValidationError`` keyed by form field.
    """
    response = (response or "").strip()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
        current = ComplaintStatus(complaint.status)
        if complaint.status != expected_status:
            raise ValidationError({"status": MSG_STATUS_CHANGED.format(status=current.label)})
        if to_status not in next_statuses(complaint.status):
            target = (
                ComplaintStatus(to_status).label
                if to_status in ComplaintStatus.values
                else to_status
            )
            raise ValidationError(
                {"status": MSG_STATUS_TRANSITION.format(current=current.label, target=target)}
            )
        if to_status in _CLOSING and not response:
            raise ValidationError({"response": MSG_RESPONSE_REQUIRED})
        if len(response) > RESPONSE_MAX_LENGTH:
            raise ValidationError({"response": MSG_RESPONSE_LENGTH.format(max=RESPONSE_MAX_LENGTH)})
        now = timezone.now()
        complaint.status = to_status
        if response:
            complaint.response = response
        complaint.updated_at = now
        complaint.updated_by = by
        complaint.save(update_fields=["status", "response", "updated_at", "updated_by"])
        ComplaintEvent.objects.create(
            complaint=complaint,
            created_at=now,
            from_status=current,
            to_status=to_status,
            response=response,
            by=by,
        )
        notification_send(
            kind="queja_estado",
            context={"complaint": complaint, "member": complaint.member, "response": response},
            # The registered e-mail now, never an address stored with the complaint.
            email=complaint.member.email,
            channels=(Channel.EMAIL,),
        )
    return complaint
