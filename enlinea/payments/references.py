"""The one place a biller's reference is checked: ``reference_clean(biller, raw)``.

Each biller asks for its own reference (a cuenta contrato, a CUEN, a cell number, a
placa, a cédula…) and says which rule it follows (``Biller.reference_kind``). The rule
accepts what people paste (spaces, dashes and dots between digits; ``+593`` cell
numbers; a placa with or without its dash) and gives back the reference as the biller
knows it; anything else is refused with a Spanish message that names the field and
shows the biller's example.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from enlinea.members import validators

from .models import ReferenceKind

if TYPE_CHECKING:
    from .models import Biller

REFERENCE_MAX_LENGTH = 40
CUEN_LENGTH = 10

_SEPARATORS = re.compile(r"[\s\-.\u2010-\u2015/_]+")
# Ecuador's plates: the first letter is the province's (no D or F), then two letters
# and three or four digits for cars; motorcycles are two letters, three digits, a letter.
_PLATE_CAR = re.compile(r"[A-CEG-Z][A-Z]{2}[0-9]{3,4}")
_PLATE_MOTO = re.compile(r"[A-CEG-Z][A-Z][0-9]{3}[A-Z]")
# A landline with its province code: 02 to 07 and seven digits.
_LANDLINE = re.compile(r"0[2-7][2-9][0-9]{6}")


def _strip(raw: str) -> str:
    return _SEPARATORS.sub("", raw or "")


def _digits_only(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _refuse(biller: Biller, what: str, code: str) -> ValidationError:
    """``CUENTA CONTRATO: ingresa solo números, de 6 a 13 dígitos. Ej: 3000218765``."""
    label = biller.reference_label.strip() or "Referencia"
    what = what[:1].lower() + what[1:]
    return ValidationError(f"{label}: {what} Ej: {biller.reference_example}", code=code)


def _digits(biller: Biller, value: str) -> str:
    low, high = biller.reference_min_length, biller.reference_max_length
    size = f"de {low} dígitos" if low == high else f"de {low} a {high} dígitos"
    if not _digits_only(value) or not low <= len(value) <= high:
        raise _refuse(biller, f"ingresa solo números, {size}.", "digits")
    return value


def _cuen(biller: Biller, value: str) -> str:
    if not _digits_only(value) or len(value) != CUEN_LENGTH:
        raise _refuse(
            biller,
            f"ingresa los {CUEN_LENGTH} dígitos del código, como aparece en tu planilla de luz.",
            "cuen",
        )
    return value


def _mobile(biller: Biller, value: str) -> str:
    try:
        return validators.normalize_mobile_phone(value)
    except ValidationError:
        raise _refuse(
            biller, "Ingresa un número celular de 10 dígitos que empiece con 09.", "mobile"
        ) from None


def _landline(biller: Biller, value: str) -> str:
    number = value.replace("(", "").replace(")", "")
    if number.startswith("+593"):
        number = "0" + number[4:]
    if not (number.isascii() and _LANDLINE.fullmatch(number)):
        raise _refuse(
            biller,
            "Ingresa el número de teléfono fijo con el código de provincia: 9 dígitos que "
            "empiecen con 02 a 07.",
            "landline",
        )
    return number


def _cedula(biller: Biller, value: str) -> str:
    try:
        return validators.normalize_cedula(value)
    except ValidationError as exc:
        raise _refuse(biller, exc.messages[0], "cedula") from None


def _ruc(biller: Biller, value: str) -> str:
    try:
        return validators.normalize_ruc(value)
    except ValidationError as exc:
        raise _refuse(biller, exc.messages[0], "ruc") from None


def plate_normalize(value: str) -> str | None:
    """``pbx-1234`` → ``PBX1234``; None when it is not an Ecuadorian plate."""
    plate = value.upper()
    if plate.isascii() and (_PLATE_CAR.fullmatch(plate) or _PLATE_MOTO.fullmatch(plate)):
        return plate
    return None


def _plate(biller: Biller, value: str) -> str:
    plate = plate_normalize(value)
    if plate is None:
        raise _refuse(
            biller,
            "Ingresa la placa: tres letras y tres o cuatro números (ABC1234), o la de una moto "
            "(AB123C).",
            "plate",
        )
    return plate


def _cedula_or_plate(biller: Biller, value: str) -> str:
    if _digits_only(value):
        return _cedula(biller, value)
    plate = plate_normalize(value)
    if plate is None:
        raise _refuse(
            biller,
            "Ingresa un número de cédula de 10 dígitos o una placa como ABC1234.",
            "cedula_or_plate",
        )
    return plate


def _cadastral(biller: Biller, value: str) -> str:
    low, high = biller.reference_min_length, biller.reference_max_length
    if not _digits_only(value) or not low <= len(value) <= high:
        raise _refuse(
            biller,
            f"ingresa sus {low} a {high} dígitos, con o sin guiones.",
            "cadastral",
        )
    return value


_RULES = {
    ReferenceKind.DIGITS: _digits,
    ReferenceKind.CUEN: _cuen,
    ReferenceKind.MOBILE: _mobile,
    ReferenceKind.LANDLINE: _landline,
    ReferenceKind.CEDULA: _cedula,
    ReferenceKind.RUC: _ruc,
    ReferenceKind.PLATE: _plate,
    ReferenceKind.CEDULA_OR_PLATE: _cedula_or_plate,
    ReferenceKind.CADASTRAL: _cadastral,
}


def reference_clean(biller: Biller, raw: str) -> str:
    """The reference ``raw`` as ``biller`` knows it, or ``ValidationError`` with a
    Spanish message that says what to type and shows the biller's example."""
    rule = _RULES.get(biller.reference_kind)
    if rule is None:
        raise ValueError(f"Unknown reference kind {biller.reference_kind!r}")
    value = _strip(raw)
    if not value:
        raise _refuse(biller, "ingresa este dato.", "required")
    if len(value) > REFERENCE_MAX_LENGTH:
        raise _refuse(biller, f"puede tener hasta {REFERENCE_MAX_LENGTH} caracteres.", "length")
    return rule(biller, value)
