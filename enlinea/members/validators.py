"""Normalize and validate what people type about themselves.

Each ``normalize_*`` function takes what a member or a teller typed or pasted and
returns the canonical form stored in the database, or raises Django's
``ValidationError`` with a Spanish message that says what to do. The ``validate_*``
functions check an already-normalized value and are used as model field validators.

Identification numbers are checked with python-stdnum (``stdnum.ec.ci``,
``stdnum.ec.ruc``), the library the design names for identity numbers.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from stdnum import exceptions as stdnum_exceptions
from stdnum.ec import ci, ruc

CEDULA = "CEDULA"
RUC = "RUC"
PASAPORTE = "PASAPORTE"

MSG_CEDULA_LENGTH = "Ingresa un número de cédula de 10 dígitos."
MSG_CEDULA_PROVINCE = (
    "El número de cédula no es válido: los dos primeros dígitos no corresponden a una provincia."
)
MSG_CEDULA_CHECK_DIGIT = "El número de cédula no es válido: revisa el dígito verificador."
MSG_CEDULA_INVALID = "El número de cédula no es válido."
MSG_RUC_LENGTH = "Ingresa un RUC de 13 dígitos."
MSG_RUC_INVALID = "El RUC no es válido."
MSG_PASAPORTE = "Ingresa un número de pasaporte de 5 a 20 letras o números."
MSG_IDENTIFICATION_TYPE = "Selecciona el tipo de identificación: cédula, RUC o pasaporte."
MSG_FIRST_NAMES = "Ingresa los nombres, solo con letras."
MSG_LAST_NAMES = "Ingresa los apellidos, solo con letras."
MSG_EMAIL_REQUIRED = "Ingresa el correo electrónico."
MSG_EMAIL_INVALID = "Ingresa un correo electrónico válido, por ejemplo nombre@ejemplo.com."
MSG_MOBILE = "Ingresa un celular de 10 dígitos que empiece con 09."
MSG_BIRTH_DATE_FORMAT = "Ingresa la fecha de nacimiento como día/mes/año."
MSG_BIRTH_DATE_FUTURE = "La fecha de nacimiento no puede ser una fecha futura."
MSG_BIRTH_DATE_TOO_OLD = "Revisa la fecha de nacimiento: no puede ser de hace más de 120 años."

MAX_AGE_YEARS = 120

# What people paste between the digits of a number: spaces (including the
# non-breaking ones that come from PDFs and spreadsheets), dashes and dots.
_SEPARATORS = re.compile(r"[\s\-.\u2010-\u2015]+")
_PASAPORTE = re.compile(r"[A-Z0-9]{5,20}")
_MOBILE = re.compile(r"09[0-9]{8}")
_NAME_PUNCTUATION = frozenset(" '-.")


def _strip_separators(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() also accepts "²" and other Unicode digits.
    return value.isascii() and value.isdigit()


def normalize_cedula(value: str) -> str:
    """Return the cédula as its 10 digits, or raise ``ValidationError``."""
    number = _strip_separators(value)
    if len(number) != 10 or not _is_ascii_digits(number):
        raise ValidationError(MSG_CEDULA_LENGTH, code="cedula_length")
    try:
        return ci.validate(number)
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(MSG_CEDULA_CHECK_DIGIT, code="cedula_check_digit") from None
    except stdnum_exceptions.InvalidComponent:
        # stdnum raises InvalidComponent both for the province (first two digits)
        # and for the third digit; tell the member which one to look at.
        province = number[:2]
        if not ("01" <= province <= "24" or province in ("30", "50")):
            raise ValidationError(MSG_CEDULA_PROVINCE, code="cedula_province") from None
        raise ValidationError(MSG_CEDULA_INVALID, code="cedula_invalid") from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(MSG_CEDULA_INVALID, code="cedula_invalid") from None


def normalize_ruc(value: str) -> str:
    """Return the RUC as its 13 digits, or raise ``ValidationError``."""
    number = _strip_separators(value)
    if len(number) != 13 or not _is_ascii_digits(number):
        raise ValidationError(MSG_RUC_LENGTH, code="ruc_length")
    try:
        return ruc.validate(number)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(MSG_RUC_INVALID, code="ruc_invalid") from None


def normalize_pasaporte(value: str) -> str:
    """Return the passport number in capitals without separators (5 to 20 letters/digits)."""
    number = _strip_separators(value).upper()
    if not (number.isascii() and _PASAPORTE.fullmatch(number)):
        raise ValidationError(MSG_PASAPORTE, code="pasaporte_invalid")
    return number


_NORMALIZERS = {
    CEDULA: normalize_cedula,
    RUC: normalize_ruc,
    PASAPORTE: normalize_pasaporte,
}


def normalize_identification(identification_type: str, value: str) -> str:
    """Normalize and validate an identification number according to its type.

    Accepts what people paste ("171430710-3", "1714 307 103", "1.714.307.103").
    """
    normalizer = _NORMALIZERS.get(identification_type)
    if normalizer is None:
        raise ValidationError(MSG_IDENTIFICATION_TYPE, code="identification_type")
    return normalizer(value)


def normalize_mobile_phone(value: str) -> str:
    """Return an Ecuadorian mobile number as ``09XXXXXXXX``.

    Accepts the international forms people copy from their phone's contacts
    (``+593 99 123 4567``, ``593991234567``, ``00593991234567``, ``+593 (0)99…``)
    as well as spaces, dashes, dots and parentheses.
    """
    number = re.sub(r"[()]", "", _strip_separators(value))
    for prefix in ("+593", "00593", "593"):
        if number.startswith(prefix) and len(number) > 10:
            rest = number[len(prefix) :]
            number = rest if rest.startswith("0") else "0" + rest
            break
    if not (number.isascii() and _MOBILE.fullmatch(number)):
        raise ValidationError(MSG_MOBILE, code="mobile_phone")
    return number


def validate_mobile_phone(value: str) -> None:
    """Field validator: the stored form is exactly ``09`` followed by 8 digits."""
    if not (isinstance(value, str) and value.isascii() and _MOBILE.fullmatch(value)):
        raise ValidationError(MSG_MOBILE, code="mobile_phone")


def normalize_names(value: str, *, message: str) -> str:
    """Collapse spaces and write the names in capitals, as the manual shows them.

    ``message`` is the error shown when the value is empty or is not a name
    (it differs for "nombres" and "apellidos").
    """
    names = " ".join((value or "").split()).upper()
    has_letter = any(ch.isalpha() for ch in names)
    only_name_chars = all(ch.isalpha() or ch in _NAME_PUNCTUATION for ch in names)
    if not (has_letter and only_name_chars):
        raise ValidationError(message, code="names")
    return names


def normalize_email(value: str) -> str:
    """Trim and lower-case the address, and check its shape.

    Members type their address in mixed case; every provider they use treats the
    local part case-insensitively, and one canonical form lets staff find them.
    """
    email = (value or "").strip().lower()
    if not email:
        raise ValidationError(MSG_EMAIL_REQUIRED, code="email_required")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(MSG_EMAIL_INVALID, code="email_invalid") from None
    return email


def validate_birth_date(value: datetime.date | None) -> None:
    """A birth date is not in the future and not more than 120 years ago.

    Minors can be members of a cooperative (their accounts are opened by a
    guardian), so there is no minimum age here.
    """
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(MSG_BIRTH_DATE_FUTURE, code="birth_date_future")
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # today is 29 February and that year was not a leap year
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < oldest:
        raise ValidationError(MSG_BIRTH_DATE_TOO_OLD, code="birth_date_too_old")
