from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enlinea.members import validators
from enlinea.members.models import MSG_DUPLICATE_IDENTIFICATION, IdentificationType, Member
from enlinea.members.selectors import member_get_by_identification


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
def member_update_contact(
    *,
    member: Member,
    email: str | None = None,
    mobile_phone: str | None = None,
    address: str | None = None,
) -> Member:
    """Change a member's e-mail, mobile or address; ``None`` leaves a field as it is.

    Raises ``ValidationError`` keyed by field and changes nothing when a value is not
    valid.
    """
    given = {
        field: value
        for field, value in (("email", email), ("mobile_phone", mobile_phone), ("address", address))
        if value is not None
    }
    if not given:
        return member
    cleaned = _normalize_fields(
        given, member_normalizers(identification_type=member.identification_type)
    )
    locked = Member.objects.select_for_update().get(pk=member.pk)
    for field, value in cleaned.items():
        setattr(locked, field, value)
    # Only the changed fields: a contact update must not fail on an old record's
    # other data (say, a birth date that has since passed the 120-year check).
    untouched = [field.name for field in Member._meta.fields if field.name not in cleaned]
    locked.full_clean(exclude=untouched)
    locked.save(update_fields=list(cleaned))
    for field, value in cleaned.items():
        setattr(member, field, value)
    return member
