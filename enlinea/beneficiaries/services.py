"""Beneficiaries: check a destination, save it, change it, remove it.

The rules live here, not in the forms: every service normalizes and validates what the
member typed, refuses with a Spanish message per field (``ValidationError`` with a dict
keyed by the form's field names: ``account_number``, ``institution``, ``account_type``,
``name``, ``identification_type``, ``identification``, ``card_number``, ``email``,
``alias``) and reports every problem at once.

The writes (``beneficiary_create``, ``beneficiary_update``, ``beneficiary_delete``) are
meant to run inside the transaction that spends the security code of the confirmation
flow, so each opens a plain ``transaction.atomic()`` (a savepoint there), never a
durable one. Each writes an audit row and queues a notice to the member (e-mail and
SMS, delivered after COMMIT) in that same transaction. An update or delete locks the
beneficiary row (after the challenge and the operation row the flow locks first; no
product or ledger row is locked here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from enlinea.members.models import Member
from enlinea.notifications.services import member_notify
from enlinea.security.audit import audit_record
from enlinea.security.audit_kinds import audit_kind_register

from .destinations import (
    MSG_ACCOUNT_TYPE,
    CardDestination,
    ExternalDestination,
    FieldErrors,
    InternalDestination,
    account_number_normalize,
    alias_normalize,
    card_checked_clean,
    card_destination_clean,
    email_normalize,
    external_destination_clean,
    identification_clean,
    int_or_none,
    internal_destination_check,
    mask_holder_name,
    name_normalize,
    search_fold,
)
from .models import AccountType, Beneficiary, BeneficiaryKind

# The checks of "Validar" are services too (destinations.py); imported from here as well.
__all__ = [
    "CardDestination",
    "ExternalDestination",
    "InternalDestination",
    "beneficiary_create",
    "beneficiary_delete",
    "beneficiary_ensure",
    "beneficiary_update",
    "card_destination_clean",
    "external_destination_clean",
    "internal_destination_check",
    "mask_holder_name",
]

MSG_DUPLICATE_ACCOUNT = "Ya tienes registrada esta cuenta como beneficiario."
MSG_DUPLICATE_CARD = "Ya tienes registrada esta tarjeta."
MSG_NOT_EDITABLE = "Este dato no se puede cambiar en este beneficiario."
MSG_NOT_FOUND = "No encontramos ese beneficiario."

# The audit kinds of these events. AuditKind (enlinea.access.models) has none yet and a
# new choice there is a migration of that app; the values are written as they will be
# named there, so the rows need no rewrite when the kinds are registered.
AUDIT_CREATED = audit_kind_register("beneficiary_created", "Beneficiario registrado")
AUDIT_UPDATED = audit_kind_register("beneficiary_updated", "Beneficiario actualizado")
AUDIT_DELETED = audit_kind_register("beneficiary_deleted", "Beneficiario eliminado")

# Notices to the member (templates in templates/notifications/mensajes/).
NOTICE_CREATED = "beneficiario_registrado"
NOTICE_UPDATED = "beneficiario_actualizado"
NOTICE_DELETED = "beneficiario_eliminado"


# ------------------------------------------------------------------------- writes


def _active(member: Member) -> QuerySet[Beneficiary]:
    return Beneficiary.objects.filter(member=member, deleted_at__isnull=True)


def _same_destination(beneficiary: Beneficiary) -> dict[str, Any]:
    """The filter of the partial unique constraint this beneficiary falls under."""
    if beneficiary.kind == BeneficiaryKind.INTERNAL:
        return {"kind": beneficiary.kind, "internal_account_id": beneficiary.internal_account_id}
    if beneficiary.kind == BeneficiaryKind.EXTERNAL:
        return {
            "kind": beneficiary.kind,
            "institution_id": beneficiary.institution_id,
            "account_number": beneficiary.account_number,
        }
    return {"kind": beneficiary.kind, "card_digest": beneficiary.card_digest}


def _duplicate_error(beneficiary: Beneficiary) -> ValidationError:
    if beneficiary.kind == BeneficiaryKind.CARD:
        return ValidationError({"card_number": ValidationError(MSG_DUPLICATE_CARD, code="dup")})
    return ValidationError({"account_number": ValidationError(MSG_DUPLICATE_ACCOUNT, code="dup")})


def _save_unique(beneficiary: Beneficiary, **save: Any) -> None:
    """Save, refusing a destination the member already has (checked first for a clear
    message; the database's unique constraint settles two parallel saves)."""
    twins = _active(beneficiary.member).filter(**_same_destination(beneficiary))
    if beneficiary.pk is not None:
        twins = twins.exclude(pk=beneficiary.pk)
    if twins.exists():
        raise _duplicate_error(beneficiary)
    try:
        with transaction.atomic():
            beneficiary.save(**save)
    except IntegrityError:
        if twins.exists():  # the other save committed first
            raise _duplicate_error(beneficiary) from None
        raise


def _search_text(beneficiary: Beneficiary) -> str:
    return search_fold(f"{beneficiary.name} {beneficiary.alias}")[:200]


def _where(beneficiary: Beneficiary) -> str:
    """Where the money goes, for notices: "CUENTA DE AHORROS …1234 en BANCO PICHINCHA"."""
    if beneficiary.kind == BeneficiaryKind.CARD:
        return f"tarjeta terminada en {beneficiary.card_last4} de {beneficiary.institution}"
    institution = (
        beneficiary.institution.name if beneficiary.institution_id else settings.INSTITUTION["name"]
    )
    account_type = beneficiary.get_account_type_display().lower()
    return f"cuenta de {account_type} terminada en {beneficiary.last_digits} de {institution}"


def _audit(kind: str, beneficiary: Beneficiary, request: HttpRequest | None, **extra: Any) -> None:
    audit_record(
        kind=kind,
        request=request,
        member=beneficiary.member,
        beneficiary=beneficiary.pk,
        beneficiary_kind=beneficiary.kind,
        institution=beneficiary.institution.name if beneficiary.institution_id else "",
        last_digits=beneficiary.last_digits,
        **extra,
    )


def _notify(kind: str, beneficiary: Beneficiary, **extra: Any) -> None:
    member_notify(
        member=beneficiary.member,
        kind=kind,
        context={
            "beneficiary": beneficiary,
            "where": _where(beneficiary),
            "when": timezone.now(),
            **extra,
        },
    )


def _only_for(kind: str, given: Mapping[str, Any]) -> None:
    """A field of another kind is a programming error of the caller, not a typo."""
    extra = sorted(field for field, value in given.items() if value not in ("", None))
    if extra:
        raise ValueError(f"Fields {extra} do not apply to a {kind} beneficiary")


def _beneficiary_build(
    *,
    member: Member,
    kind: str,
    account_number: str = "",
    institution_id: Any = None,
    account_type: str = "",
    name: str = "",
    identification_type: str = "",
    identification: str = "",
    card_number: str = "",
    card_last4: str = "",
    card_digest: str = "",
    email: str = "",
    alias: str = "",
) -> Beneficiary:
    """The beneficiary ``beneficiary_create`` would save, validated, not saved yet."""
    errors = FieldErrors()
    clean_email = errors.run("email", email_normalize, email)
    clean_alias = errors.run("alias", alias_normalize, alias)
    beneficiary = Beneficiary(member=member, kind=kind)
    try:
        if kind == BeneficiaryKind.INTERNAL:
            _only_for(
                kind,
                {
                    "institution_id": institution_id,
                    "account_type": account_type,
                    "name": name,
                    "identification_type": identification_type,
                    "identification": identification,
                    "card_number": card_number,
                    "card_digest": card_digest,
                },
            )
            internal = internal_destination_check(member=member, account_number=account_number)
            beneficiary.internal_account = internal.account
            beneficiary.account_number = internal.account_number
            beneficiary.account_type = internal.account_type
            beneficiary.name = internal.holder_name
        elif kind == BeneficiaryKind.EXTERNAL:
            _only_for(kind, {"card_number": card_number, "card_digest": card_digest})
            external = external_destination_clean(
                member=member,
                institution_id=institution_id,
                account_type=account_type,
                account_number=account_number,
                name=name,
                identification_type=identification_type,
                identification=identification,
            )
            beneficiary.institution = external.institution
            beneficiary.account_type = external.account_type
            beneficiary.account_number = external.account_number
            beneficiary.name = external.name
            beneficiary.identification_type = external.identification_type
            beneficiary.identification = external.identification
        elif kind == BeneficiaryKind.CARD:
            _only_for(kind, {"account_number": account_number, "account_type": account_type})
            if card_digest and not card_number:
                # Checked at "Validar"; the confirmation kept only its digest and tail.
                card = card_checked_clean(
                    member=member,
                    institution_id=institution_id,
                    card_last4=card_last4,
                    card_digest=card_digest,
                    name=name,
                    identification_type=identification_type,
                    identification=identification,
                )
            else:
                card = card_destination_clean(
                    member=member,
                    institution_id=institution_id,
                    card_number=card_number,
                    name=name,
                    identification_type=identification_type,
                    identification=identification,
                )
            beneficiary.institution = card.institution
            beneficiary.card_last4 = card.card_last4
            beneficiary.card_digest = card.card_digest
            beneficiary.name = card.name
            beneficiary.identification_type = card.identification_type
            beneficiary.identification = card.identification
        else:
            raise ValueError(f"Unknown beneficiary kind {kind!r}")
    except ValidationError as exc:
        for field, messages in exc.error_dict.items():
            errors.by_field.setdefault(field, ValidationError(messages))
    errors.raise_any()
    beneficiary.email = clean_email
    beneficiary.alias = clean_alias
    beneficiary.search_text = _search_text(beneficiary)
    return beneficiary


def _created(beneficiary: Beneficiary, request: HttpRequest | None) -> Beneficiary:
    with transaction.atomic():
        _save_unique(beneficiary)
        _audit(AUDIT_CREATED, beneficiary, request)
        _notify(NOTICE_CREATED, beneficiary)
    return beneficiary


def beneficiary_create(
    *, member: Member, kind: str, request: HttpRequest | None = None, **fields: Any
) -> Beneficiary:
    """Save a beneficiary of ``kind`` for ``member`` ("Guardar beneficiario").

    INTERNAL takes ``account_number`` (checked by :func:`internal_destination_check`;
    the name kept is the masked holder's); EXTERNAL takes ``institution_id``,
    ``account_type``, ``account_number``, ``name``, ``identification_type`` and
    ``identification`` (:func:`external_destination_clean`); CARD the institution,
    ``card_number`` and the holder fields (:func:`card_destination_clean`), or instead
    of the number the ``card_last4`` and ``card_digest`` that check gave at "Validar"
    (:func:`card_checked_clean`: the number is not kept until the code). Every kind
    takes the optional ``email`` and ``alias``. Everything is validated again here,
    since the account may have changed since "Validar". A destination the member
    already has is refused (``MSG_DUPLICATE_ACCOUNT`` / ``MSG_DUPLICATE_CARD``).
    Audited; the member is notified.
    """
    return _created(_beneficiary_build(member=member, kind=kind, **fields), request)


def beneficiary_ensure(
    *, member: Member, kind: str, request: HttpRequest | None = None, **fields: Any
) -> tuple[Beneficiary, bool]:
    """ "Guardar beneficiario" beside a transfer: the member's beneficiary for this
    destination, saved now (``True``) or the one they already have (``False``).

    Takes what :func:`beneficiary_create` takes and validates it the same way. A
    destination already saved is not saved twice, nor refused: the existing
    beneficiary is returned as it is (its alias and e-mail unchanged), also when a
    parallel save of the same destination committed first. Any other refusal raises
    ``ValidationError`` as ``beneficiary_create`` does.
    """
    candidate = _beneficiary_build(member=member, kind=kind, **fields)
    twins = _active(member).filter(**_same_destination(candidate))
    if (twin := twins.first()) is not None:
        return twin, False
    try:
        return _created(candidate, request), True
    except ValidationError:
        if (twin := twins.first()) is not None:  # saved in parallel, committed first
            return twin, False
        raise


def _locked(member: Member, beneficiary_id: Any) -> Beneficiary:
    """The member's beneficiary, locked for the change; 404 for anyone else's id, a
    deleted one or a malformed id (the same answer as the selectors)."""
    pk = int_or_none(beneficiary_id)
    beneficiary = (
        Beneficiary.objects.select_for_update()
        .filter(pk=pk, member=member, deleted_at__isnull=True)
        .first()
        if pk is not None
        else None
    )
    if beneficiary is None:
        raise Http404(MSG_NOT_FOUND)
    beneficiary.member = member
    return beneficiary


def beneficiary_update(
    *,
    member: Member,
    beneficiary_id: Any,
    alias: str,
    email: str,
    account_type: str | None = None,
    account_number: str | None = None,
    name: str | None = None,
    identification_type: str | None = None,
    identification: str | None = None,
    request: HttpRequest | None = None,
) -> Beneficiary:
    """ "Actualizar" (after "Confirmar actualización" and its code): set the alias and
    e-mail of any beneficiary and, of an EXTERNAL one, the account type and number,
    the holder's name and identification (``None`` leaves a field as it is).

    The destination of an INTERNAL or CARD beneficiary does not change (a different
    account or card is a new beneficiary): any of those fields given for them is
    refused at the field. A new account number that the member already has is refused.
    Nothing changed: nothing written. Audited (the names of the changed fields, never
    their values); the member is notified.
    """
    with transaction.atomic():
        beneficiary = _locked(member, beneficiary_id)
        errors = FieldErrors()
        wanted: dict[str, Any] = {
            "alias": errors.run("alias", alias_normalize, alias),
            "email": errors.run("email", email_normalize, email),
        }
        given = {
            "account_type": account_type,
            "account_number": account_number,
            "name": name,
            "identification_type": identification_type,
            "identification": identification,
        }
        if beneficiary.kind != BeneficiaryKind.EXTERNAL:
            for field, value in given.items():
                if value is not None:
                    errors.add(field, MSG_NOT_EDITABLE)
        else:
            if account_type is not None:
                if account_type in AccountType.values:
                    wanted["account_type"] = account_type
                else:
                    errors.add("account_type", MSG_ACCOUNT_TYPE)
            if account_number is not None:
                wanted["account_number"] = errors.run(
                    "account_number", account_number_normalize, account_number
                )
            if name is not None:
                wanted["name"] = errors.run("name", name_normalize, name)
            if identification_type is not None or identification is not None:
                ident_type = (
                    beneficiary.identification_type
                    if identification_type is None
                    else identification_type
                )
                ident = identification_clean(
                    errors,
                    ident_type,
                    beneficiary.identification if identification is None else identification,
                )
                wanted["identification_type"] = ident_type
                wanted["identification"] = ident
        errors.raise_any()
        changed = [field for field, value in wanted.items() if getattr(beneficiary, field) != value]
        if not changed:
            return beneficiary
        for field in changed:
            setattr(beneficiary, field, wanted[field])
        beneficiary.search_text = _search_text(beneficiary)
        _save_unique(beneficiary, update_fields=[*changed, "search_text", "updated_at"])
        _audit(AUDIT_UPDATED, beneficiary, request, fields=changed)
        _notify(NOTICE_UPDATED, beneficiary, fields=[_FIELD_LABELS[f] for f in changed])
    return beneficiary


_FIELD_LABELS = {
    "alias": "alias",
    "email": "correo electrónico",
    "account_type": "tipo de cuenta",
    "account_number": "número de cuenta",
    "name": "nombre",
    "identification_type": "tipo de identificación",
    "identification": "identificación",
}


def beneficiary_delete(
    *, member: Member, beneficiary_id: Any, request: HttpRequest | None = None
) -> Beneficiary:
    """ "Sí, eliminar" (after its code): the beneficiary leaves the member's lists and
    can be saved again; the row stays (``deleted_at``) so the transfers and receipts
    made to it keep its name. Audited; the member is notified."""
    with transaction.atomic():
        beneficiary = _locked(member, beneficiary_id)
        beneficiary.deleted_at = timezone.now()
        beneficiary.save(update_fields=["deleted_at", "updated_at"])
        _audit(AUDIT_DELETED, beneficiary, request)
        _notify(NOTICE_DELETED, beneficiary)
    return beneficiary
