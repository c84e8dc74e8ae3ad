from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.ec import ci, ruc

from enlinea.members import validators
from enlinea.members.tests.support import (
    cedula_check_digit,
    make_cedula,
    make_natural_ruc,
    with_wrong_check_digit,
)


def messages(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return excinfo.value.messages


# Cédula


def test_computed_check_digit_agrees_with_stdnum() -> None:
    for serial in range(200):
        first_nine = f"091{serial:06d}"
        assert ci.is_valid(first_nine + cedula_check_digit(first_nine))


def test_valid_cedula_is_returned_as_its_ten_digits() -> None:
    cedula = make_cedula()
    assert validators.normalize_cedula(cedula) == cedula


@pytest.mark.parametrize(
    "pasted",
    ["{a}{b}-{c}", " {a} {b} {c} ", "{a}.{b}.{c}", "{a}\u00a0{b}-{c}", "{a}\u2013{b}{c}"],
)
def test_cedula_pasted_with_spaces_dashes_or_dots_is_accepted(pasted: str) -> None:
    cedula = make_cedula()
    typed = pasted.format(a=cedula[:4], b=cedula[4:9], c=cedula[9])
    assert validators.normalize_cedula(typed) == cedula


def test_cedula_with_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_cedula(with_wrong_check_digit(make_cedula()))
    assert messages(excinfo) == ["El número de cédula no es válido: revisa el dígito verificador."]


@pytest.mark.parametrize("length", [0, 9, 11, 13])
def test_cedula_of_wrong_length_is_refused(length: int) -> None:
    number = (make_cedula() * 2)[:length]
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_cedula(number)
    assert messages(excinfo) == ["Ingresa un número de cédula de 10 dígitos."]


def test_cedula_with_letters_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_cedula("17143O7103")
    assert messages(excinfo) == ["Ingresa un número de cédula de 10 dígitos."]


@pytest.mark.parametrize("province", ["00", "25", "29", "31", "99"])
def test_cedula_from_unknown_province_is_refused(province: str) -> None:
    first_nine = f"{province}1234567"
    number = first_nine + cedula_check_digit(first_nine)
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_cedula(number)
    assert messages(excinfo) == [
        "El número de cédula no es válido: los dos primeros dígitos no corresponden a una provincia."
    ]


@pytest.mark.parametrize("province", ["01", "09", "24", "30"])
def test_cedula_from_each_kind_of_valid_province_is_accepted(province: str) -> None:
    cedula = make_cedula(province=province)
    assert validators.normalize_cedula(cedula) == cedula


def test_cedula_with_third_digit_over_six_is_refused() -> None:
    first_nine = "177123456"
    number = first_nine + cedula_check_digit(first_nine)
    assert not ci.is_valid(number)
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_cedula(number)
    assert messages(excinfo) == ["El número de cédula no es válido."]


# RUC


def test_valid_natural_person_ruc_is_accepted_with_separators() -> None:
    number = make_natural_ruc()
    typed = f"{number[:10]}-{number[10:]}"
    assert validators.normalize_ruc(typed) == number


def test_valid_company_ruc_is_accepted() -> None:
    # A juridical RUC (third digit 9); its validity is confirmed by stdnum here.
    number = "1792060346001"
    assert ruc.is_valid(number)
    assert validators.normalize_ruc("1792060346 001") == number


@pytest.mark.parametrize("number", ["179206034600", "17920603460011", "ABC2060346001"])
def test_ruc_of_wrong_length_is_refused(number: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_ruc(number)
    assert messages(excinfo) == ["Ingresa un RUC de 13 dígitos."]


def test_ruc_with_wrong_check_digit_is_refused() -> None:
    number = with_wrong_check_digit(make_cedula()) + "001"
    assert not ruc.is_valid(number)
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_ruc(number)
    assert messages(excinfo) == ["El RUC no es válido."]


def test_ruc_with_establishment_000_is_refused() -> None:
    number = make_cedula() + "000"
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_ruc(number)
    assert messages(excinfo) == ["El RUC no es válido."]


# Pasaporte


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ab-123456", "AB123456"),
        ("12345", "12345"),
        (" x9 88 77 66 ", "X9887766"),
        ("A" * 20, "A" * 20),
    ],
)
def test_pasaporte_is_stored_in_capitals_without_separators(typed: str, stored: str) -> None:
    assert validators.normalize_pasaporte(typed) == stored


@pytest.mark.parametrize("typed", ["", "1234", "A" * 21, "AB#12345", "ÑANDU123"])
def test_pasaporte_too_short_too_long_or_with_symbols_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_pasaporte(typed)
    assert messages(excinfo) == ["Ingresa un número de pasaporte de 5 a 20 letras o números."]


def test_identification_is_checked_by_its_type() -> None:
    cedula = make_cedula()
    assert validators.normalize_identification("CEDULA", cedula) == cedula
    assert validators.normalize_identification("PASAPORTE", cedula) == cedula
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_identification("RUC", cedula)
    assert messages(excinfo) == ["Ingresa un RUC de 13 dígitos."]


def test_unknown_identification_type_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_identification("DNI", make_cedula())
    assert messages(excinfo) == ["Selecciona el tipo de identificación: cédula, RUC o pasaporte."]


# Celular


@pytest.mark.parametrize(
    "typed",
    [
        "0991234567",
        "099 123 4567",
        "099-123-4567",
        "099.123.4567",
        "+593 99 123 4567",
        "+593991234567",
        "593991234567",
        "00593 99 123 4567",
        "+593 (0)99 123 4567",
        "(099) 123-4567",
    ],
)
def test_mobile_phone_is_normalized_to_ten_digits_starting_with_09(typed: str) -> None:
    assert validators.normalize_mobile_phone(typed) == "0991234567"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "022345678",
        "0223456789",
        "099123456",
        "09912345678",
        "+1 305 123 4567",
        "09912345ab",
        "+593 2 234 5678",
    ],
)
def test_mobile_phone_that_is_not_an_ecuadorian_mobile_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_mobile_phone(typed)
    assert messages(excinfo) == ["Ingresa un celular de 10 dígitos que empiece con 09."]


def test_mobile_phone_field_validator_accepts_only_the_stored_form() -> None:
    validators.validate_mobile_phone("0991234567")
    with pytest.raises(ValidationError):
        validators.validate_mobile_phone("+593991234567")


# Names and e-mail


def test_names_are_written_in_capitals_with_single_spaces() -> None:
    assert validators.normalize_names("  andrés   david ", message="x") == "ANDRÉS DAVID"
    assert validators.normalize_names("peña o'brien-ñandú", message="x") == "PEÑA O'BRIEN-ÑANDÚ"


@pytest.mark.parametrize("typed", ["", "   ", "ANDRES 2", "--", "ANDRES@"])
def test_names_that_are_empty_or_not_letters_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_names(typed, message=validators.MSG_FIRST_NAMES)
    assert messages(excinfo) == ["Ingresa los nombres, solo con letras."]


def test_email_is_trimmed_and_lower_cased() -> None:
    assert validators.normalize_email("  Andres.Lopez@Example.COM ") == "andres.lopez@example.com"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Ingresa el correo electrónico."),
        ("andres@", "Ingresa un correo electrónico válido, por ejemplo nombre@ejemplo.com."),
        (
            "andres lopez@example.com",
            "Ingresa un correo electrónico válido, por ejemplo nombre@ejemplo.com.",
        ),
    ],
)
def test_missing_or_malformed_email_is_refused(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.normalize_email(typed)
    assert messages(excinfo) == [message]


# Birth date


def test_birth_date_today_of_a_minor_or_none_is_accepted() -> None:
    today = timezone.localdate()
    validators.validate_birth_date(None)
    validators.validate_birth_date(today)
    validators.validate_birth_date(today - datetime.timedelta(days=10 * 365))


def test_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.validate_birth_date(timezone.localdate() + datetime.timedelta(days=1))
    assert messages(excinfo) == ["La fecha de nacimiento no puede ser una fecha futura."]


def test_birth_date_more_than_120_years_ago_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validators.validate_birth_date(timezone.localdate() - datetime.timedelta(days=121 * 366))
    assert messages(excinfo) == [
        "Revisa la fecha de nacimiento: no puede ser de hace más de 120 años."
    ]


def test_birth_date_just_under_120_years_ago_is_accepted() -> None:
    validators.validate_birth_date(timezone.localdate() - datetime.timedelta(days=119 * 365))
