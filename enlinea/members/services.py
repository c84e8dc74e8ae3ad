from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.access.models import AuditKind
from enlinea.members import validators
from enlinea.members.models import MSG_DUPLICATE_IDENTIFICATION, IdentificationType, Member
from enlinea.members.selectors import (
    member_contact_cooling_off,
    member_contact_cooling_off_until,
    member_get_by_identification,
)
from enlinea.notifications.services import notification_send
from enlinea.security.audit import audit_record


def _normalize_fields(
    values: dict[str, object],
    normalizers: dict[str, Callable[[object], object]],
    errors: dict[str, list[ValidationError]] | None = None,
) -> dict[str, object]:
    """Run each field's normalizer, collecting every error before raising.

    The member (or teller) sees every problem at once, each beside its field.
    """
    errors = dict(errors or {})
    cleaned: dict[str, object] = {}
    for field, value in values.items():
        try:
            cleaned[field] = normalizers[field](value)
        except ValidationError as error:
            errors[field] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _birth_date(value: object) -> datetime.date | None:
    if value is not None and not isinstance(value, datetime.date):
        raise ValidationError(validators.MSG_BIRTH_DATE_FORMAT, code="birth_date_format")
    validators.validate_birth_date(value)
    return value


def member_normalizers(*, identification_type: str) -> dict[str, Callable[[object], object]]:
    """The normalizer of each member field; shared with the admin form."""
    return {
        "identification": lambda value: validators.normalize_identification(
            identification_type, str(value or "")
        ),
        "first_names": lambda value: validators.normalize_names(
            str(value or ""), message=validators.MSG_FIRST_NAMES
        ),
        "last_names": lambda value: validators.normalize_names(
            str(value or ""), message=validators.MSG_LAST_NAMES
        ),
        "email": lambda value: validators.normalize_email(str(value or "")),
        "mobile_phone": lambda value: validators.normalize_mobile_phone(str(value or "")),
        "address": lambda value: str(value or "").strip(),
        "birth_date": _birth_date,
    }


@transaction.atomic
def member_create(
    *,
    identification_type: str,
    identification: str,
    first_names: str,
    last_names: str,
    email: str,
    mobile_phone: str,
    birth_date: datetime.date | None = None,
    address: str = "",
) -> Member:
    """Register a socio.

    Normalizes what was typed (identification without separators, names in capitals,
    mobile as ``09XXXXXXXX``), validates every field and refuses a second member with
    the same identification. Raises ``ValidationError`` keyed by field, with Spanish
    messages, and writes nothing when it does.
    """
    values: dict[str, object] = {
        "identification": identification,
        "first_names": first_names,
        "last_names": last_names,
        "email": email,
        "mobile_phone": mobile_phone,
        "address": address,
        "birth_date": birth_date,
    }
    type_errors: dict[str, list[ValidationError]] = {}
    if identification_type not in IdentificationType.values:
        # Without a type the number cannot be checked: report the type only.
        error = ValidationError(validators.MSG_IDENTIFICATION_TYPE, code="identification_type")
        type_errors["identification_type"] = [error]
        del values["identification"]
    cleaned = _normalize_fields(
        values, member_normalizers(identification_type=identification_type), type_errors
    )
    if member_get_by_identification(
        identification_type=identification_type, identification=cleaned["identification"]
    ):
        raise ValidationError({"identification": MSG_DUPLICATE_IDENTIFICATION})

    member = Member(identification_type=identification_type, **cleaned)
    member.full_clean()
    try:
        # A savepoint, so a concurrent registration of the same number surfaces as
        # the field error instead of breaking the caller's transaction.
        with transaction.atomic():
            member.save(force_insert=True)
    except IntegrityError:
        if member_get_by_identification(
            identification_type=identification_type, identification=member.identification
        ):
            raise ValidationError({"identification": MSG_DUPLICATE_IDENTIFICATION}) from None
        raise
    return member


@transaction.atomic
def member_address_change(*, member: Member, address: str) -> Member:
    """Change a member's address (not a channel codes or credentials travel by).

    E-mail and mobile change only through ``member_contact_change``.
    """
    cleaned = _normalize_fields(
        {"address": address}, member_normalizers(identification_type=member.identification_type)
    )
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if locked.address != cleaned["address"]:
        locked.address = cleaned["address"]
        locked.save(update_fields=["address"])
    member.address = locked.address
    return member


# The channels codes, temporary credentials and notices travel by: changing one is how an
# account is taken over, so each change is audited, announced to the old contact and
# followed by a cooling-off period (MEMBERS_CONTACT_COOLING_OFF_HOURS).
CONTACT_FIELDS = ("email", "mobile_phone")
CONTACT_LABELS = {"email": "Correo electrónico", "mobile_phone": "Celular"}
CONTACT_SMS_WORDS = {"email": "correo", "mobile_phone": "celular"}


def mask_email(value: str) -> str:
    """``andres.lopez@example.com`` → ``an***@example.com``: enough to recognise it."""
    local, at, domain = value.partition("@")
    if not at:
        return "***"
    return f"{local[:2] if len(local) > 2 else local[:1]}***@{domain}"


def mask_mobile_phone(value: str) -> str:
    """``0991234567`` → ``09*****567``."""
    if len(value) < 6:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 5) + value[-3:]


_MASKS: dict[str, Callable[[str], str]] = {
    "email": mask_email,
    "mobile_phone": mask_mobile_phone,
}


@transaction.atomic
def member_contact_change(
    *,
    member: Member,
    email: str | None = None,
    mobile_phone: str | None = None,
    changed_by: AbstractBaseUser,
    request: HttpRequest | None = None,
    reason: str = "",
) -> Member:
    """Change a member's e-mail and/or mobile: the one way either changes.

    ``None`` leaves a field as it is; a value equal to the current one (after
    normalizing) is no change. When something changes, in one transaction with the
    member's row locked: the new values and ``contact_changed_at`` are saved, an audit
    row CONTACT_CHANGED names who changed what (``changed_by``'s username, old and new
    values masked, the reason), and a notice goes to the OLD e-mail and the OLD mobile
    (an attacker who set the new ones must not be the only one told). Regístrate and
    password recovery then refuse for ``MEMBERS_CONTACT_COOLING_OFF_HOURS``.

    Raises ``ValidationError`` keyed by field and changes nothing when a value is not
    valid. Nothing changed → no audit row, no notice.
    """
    given = {
        field: value
        for field, value in (("email", email), ("mobile_phone", mobile_phone))
        if value is not None
    }
    if not given:
        return member
    cleaned = _normalize_fields(
        given, member_normalizers(identification_type=member.identification_type)
    )
    locked = Member.objects.select_for_update().get(pk=member.pk)
    changed = {field: value for field, value in cleaned.items() if getattr(locked, field) != value}
    if not changed:
        return member
    old = {field: getattr(locked, field) for field in CONTACT_FIELDS}
    for field, value in changed.items():
        setattr(locked, field, value)
    now = timezone.now()
    locked.contact_changed_at = now
    # Only the changed fields: a contact update must not fail on an old record's
    # other data (say, a birth date that has since passed the 120-year check).
    untouched = [field.name for field in Member._meta.fields if field.name not in changed]
    locked.full_clean(exclude=untouched)
    locked.save(update_fields=[*changed, "contact_changed_at"])
    until = member_contact_cooling_off_until(locked)
    masked = {
        f"{field}_{side}": _MASKS[field](value)
        for field in changed
        for side, value in (("old", old[field]), ("new", changed[field]))
    }
    audit_record(
        kind=AuditKind.CONTACT_CHANGED,
        request=request,
        user=changed_by,
        member=locked,
        changed_by=changed_by.get_username(),
        fields=sorted(changed),
        reason=reason.strip()[:500],
        cooling_off_until=until.isoformat() if until else None,
        **masked,
    )
    notification_send(
        kind="contacto_cambiado",
        context={
            "member": locked,
            "when": now,
            "changes": [
                {
                    "label": CONTACT_LABELS[field],
                    "old": masked[f"{field}_old"],
                    "new": masked[f"{field}_new"],
                }
                for field in CONTACT_FIELDS
                if field in changed
            ],
            "fields": " y ".join(CONTACT_SMS_WORDS[f] for f in CONTACT_FIELDS if f in changed),
            "hours": settings.MEMBERS_CONTACT_COOLING_OFF_HOURS,
        },
        email=old["email"],
        phone=old["mobile_phone"],
    )
    for field in (*changed, "contact_changed_at"):
        setattr(member, field, getattr(locked, field))
    return member


def member_contact_cooling_off_refuse(
    *, member: Member, flow: str, request: HttpRequest | None = None
) -> bool:
    """True when ``flow`` ("registration", "recovery") must refuse because the member's
    contact changed within the cooling-off period; the refusal is audited
    (CONTACT_COOLING_OFF). The caller shows ``selectors.contact_cooling_off_message``."""
    if not member_contact_cooling_off(member):
        return False
    until = member_contact_cooling_off_until(member)
    audit_record(
        kind=AuditKind.CONTACT_COOLING_OFF,
        request=request,
        member=member,
        flow=flow,
        contact_changed_at=member.contact_changed_at.isoformat(),
        cooling_off_until=until.isoformat() if until else None,
    )
    return True


# ---------------------------------------------------------------- onboarding

MSG_ONBOARD_CONFLICT = (
    "Este formulario ya registró a otro socio; no se aplicó de nuevo. Para un socio "
    "nuevo, vuelve a abrir «Nuevo socio»."
)


@dataclass(frozen=True)
class Onboarding:
    """What ``member_onboard`` made: the socio, the first account and, when an opening
    deposit was asked for, its cash operation at the window (``cash``, which may wait
    for approval) or, from a script, its ledger entry (``entry``)."""

    member: Member
    account: Any  # products.DepositAccount
    cash: Any = None  # products.CashOperation
    entry: Any = None  # ledger.JournalEntry


def _onboarded(
    account_key: str, *, identification_type: str, identification: str
) -> Any:  # products.DepositAccount | None
    """The account an earlier request with this form's key opened, if any; refused when
    that request registered another socio."""
    from enlinea.products.models import DepositAccount

    account = (
        DepositAccount.objects.select_related("member").filter(idempotency_key=account_key).first()
    )
    if account is not None:
        typed = member_get_by_identification(
            identification_type=identification_type, identification=identification
        )
        if typed is None or typed.pk != account.member_id:
            raise ValidationError(MSG_ONBOARD_CONFLICT)
    return account


def member_onboard(
    *,
    identification: str,
    first_names: str,
    last_names: str,
    email: str,
    mobile_phone: str,
    idempotency_key: str,
    identification_type: str = IdentificationType.CEDULA,
    birth_date: datetime.date | None = None,
    address: str = "",
    account_kind: str = "savings",
    deposit: int = 0,
    teller: Any = None,
    request: HttpRequest | None = None,
) -> Onboarding:
    """Register a socio with a first account and an optional opening cash deposit, in one
    transaction: when any step is refused, no socio, no account and no deposit remain.

    The member is validated and saved by ``member_create`` (a refusal raises
    ``ValidationError`` keyed by field), the account opened by
    ``products.services.account_open`` and the deposit made at the window through
    ``cash_operation_request`` when ``teller`` is given (its approval threshold applies:
    above it the deposit is registered PENDIENTE with the socio and the account, and
    waits for another staff member's decision), or posted directly with ``cash_deposit``
    from a script. A refused deposit raises ``ProductError``.

    The teller's row is locked first (step 2 of ``products.locking``'s lock order) and
    the daily cash limit checked under it (``products.services.cash_limit_check``)
    before anything is written: its refusal is audited in the caller's transaction.
    Call this inside the entry point's transaction (``transaction.atomic(durable=True)``),
    which keeps that audit row by committing and holds the teller's lock until the
    deposit is registered.

    ``idempotency_key`` makes a double submit safe: a replay finds the account the first
    request opened and returns what it made (the deposit too: its key is derived from
    this one) instead of registering the member twice.
    """
    from enlinea.ledger.services import chart_ensure
    from enlinea.products.locking import teller_lock
    from enlinea.products.models import CashKind
    from enlinea.products.services import (
        account_open,
        cash_deposit,
        cash_limit_check,
        cash_operation_request,
    )

    if not idempotency_key:
        raise ValueError("An idempotency key is required")
    account_key = f"onboard:{idempotency_key}:account"
    deposit_key = f"onboard:{idempotency_key}:deposit"
    typed = {"identification_type": identification_type, "identification": identification}
    account = _onboarded(account_key, **typed)
    if account is None and deposit and teller is not None:
        with transaction.atomic():  # held until the caller's transaction ends
            teller_lock(teller)
        # The same form sent twice at once: the first submit held the teller's lock
        # until it was done, so its account is found now and answered as a replay.
        account = _onboarded(account_key, **typed)
        if account is None:
            cash_limit_check(teller=teller, kind=CashKind.DEPOSIT, amount=deposit, request=request)
    if account is None:
        chart_ensure()
    with transaction.atomic():
        if account is None:
            member = member_create(
                identification_type=identification_type,
                identification=identification,
                first_names=first_names,
                last_names=last_names,
                email=email,
                mobile_phone=mobile_phone,
                birth_date=birth_date,
                address=address,
            )
            account = account_open(member=member, kind=account_kind, idempotency_key=account_key)
        member = account.member
        if not deposit:
            return Onboarding(member=member, account=account)
        if teller is not None:
            cash = cash_operation_request(
                account=account,
                kind=CashKind.DEPOSIT,
                amount=deposit,
                teller=teller,
                idempotency_key=deposit_key,
                request=request,
            )
            return Onboarding(member=member, account=account, cash=cash, entry=cash.entry)
        # A replay of the key returns the entry the first request recorded.
        entry = cash_deposit(
            account=account,
            amount=deposit,
            idempotency_key=deposit_key,
            description="Depósito inicial",
        )
        return Onboarding(member=member, account=account, entry=entry)
