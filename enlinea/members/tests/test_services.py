from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from enlinea.members.models import Member
from enlinea.members.services import member_address_change, member_contact_change, member_create
from enlinea.members.tests.support import make_cedula, make_natural_ruc, member_data

pytestmark = pytest.mark.django_db


def test_member_create_stores_normalized_values() -> None:
    cedula = make_cedula()
    member = member_create(
        **member_data(
            identification=f"{cedula[:9]}-{cedula[9]}",
            first_names="  andres  david",
            last_names="lopez maya ",
            email=" Andres.Lopez@Example.com",
            mobile_phone="+593 99 123 4567",
            birth_date=datetime.date(1990, 5, 17),
            address="  Av. Amazonas N34-12, Quito ",
        )
    )
    member.refresh_from_db()
    assert member.identification_type == "CEDULA"
    assert member.identification == cedula
    assert member.first_names == "ANDRES DAVID"
    assert member.last_names == "LOPEZ MAYA"
    assert member.full_name == "ANDRES DAVID LOPEZ MAYA"
    assert member.email == "andres.lopez@example.com"
    assert member.mobile_phone == "0991234567"
    assert member.birth_date == datetime.date(1990, 5, 17)
    assert member.address == "Av. Amazonas N34-12, Quito"
    assert member.user is None
    assert member.created_at <= timezone.now()


def test_member_create_accepts_ruc_and_pasaporte() -> None:
    number = make_natural_ruc()
    company = member_create(**member_data(identification_type="RUC", identification=number))
    traveller = member_create(
        **member_data(identification_type="PASAPORTE", identification="ab-123 456")
    )
    assert company.identification == number
    assert traveller.identification == "AB123456"


def test_member_create_refuses_duplicate_identification_even_when_typed_differently() -> None:
    cedula = make_cedula()
    member_create(**member_data(identification=cedula))
    with pytest.raises(ValidationError) as excinfo:
        member_create(**member_data(identification=f" {cedula[:5]} {cedula[5:]} "))
    assert excinfo.value.message_dict == {
        "identification": ["Ya existe un socio con esta identificación."]
    }
    assert Member.objects.count() == 1


def test_same_number_under_another_identification_type_is_a_different_member() -> None:
    cedula = make_cedula()
    member_create(**member_data(identification=cedula))
    member_create(**member_data(identification_type="PASAPORTE", identification=cedula))
    assert Member.objects.filter(identification=cedula).count() == 2


def test_member_create_reports_every_invalid_field_and_writes_nothing() -> None:
    with pytest.raises(ValidationError) as excinfo:
        member_create(
            **member_data(
                identification="123",
                first_names=" ",
                last_names="L0PEZ",
                email="andres@",
                mobile_phone="022345678",
                birth_date=timezone.localdate() + datetime.timedelta(days=1),
            )
        )
    assert excinfo.value.message_dict == {
        "identification": ["Ingresa un número de cédula de 10 dígitos."],
        "first_names": ["Ingresa los nombres, solo con letras."],
        "last_names": ["Ingresa los apellidos, solo con letras."],
        "email": ["Ingresa un correo electrónico válido, por ejemplo nombre@ejemplo.com."],
        "mobile_phone": ["Ingresa un celular de 10 dígitos que empiece con 09."],
        "birth_date": ["La fecha de nacimiento no puede ser una fecha futura."],
    }
    assert not Member.objects.exists()


def test_member_create_refuses_unknown_identification_type() -> None:
    with pytest.raises(ValidationError) as excinfo:
        member_create(**member_data(identification_type="DNI"))
    assert excinfo.value.message_dict == {
        "identification_type": ["Selecciona el tipo de identificación: cédula, RUC o pasaporte."]
    }
    assert not Member.objects.exists()


def test_member_create_refuses_wrong_check_digit() -> None:
    cedula = make_cedula()
    wrong = cedula[:9] + str((int(cedula[9]) + 1) % 10)
    with pytest.raises(ValidationError) as excinfo:
        member_create(**member_data(identification=wrong))
    assert excinfo.value.message_dict == {
        "identification": ["El número de cédula no es válido: revisa el dígito verificador."]
    }


def test_member_create_accepts_a_minor() -> None:
    birth_date = timezone.localdate() - datetime.timedelta(days=8 * 365)
    member = member_create(**member_data(birth_date=birth_date))
    assert member.birth_date == birth_date


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="operaciones1", is_staff=True)


def test_member_contact_change_changes_only_given_fields(staff) -> None:
    member = member_create(**member_data(address="Quito"))
    updated = member_contact_change(
        member=member, mobile_phone="+593 98 765 4321", changed_by=staff
    )
    assert updated is member
    member.refresh_from_db()
    assert member.mobile_phone == "0987654321"
    assert member.email == "andres.lopez@example.com"
    assert member.address == "Quito"

    member_contact_change(member=member, email=" Nuevo@Correo.EC ", changed_by=staff)
    member.refresh_from_db()
    assert member.email == "nuevo@correo.ec"
    assert member.mobile_phone == "0987654321"


def test_member_address_change_can_change_and_clear_the_address() -> None:
    member = member_create(**member_data(address="Quito"))
    member_address_change(member=member, address="  Cuenca ")
    member.refresh_from_db()
    assert member.address == "Cuenca"
    member_address_change(member=member, address="")
    member.refresh_from_db()
    assert member.address == ""
    assert member.contact_changed_at is None  # an address is not a contact channel


def test_member_contact_change_refuses_invalid_values_and_changes_nothing(staff) -> None:
    member = member_create(**member_data())
    with pytest.raises(ValidationError) as excinfo:
        member_contact_change(member=member, email="x@", mobile_phone="12345", changed_by=staff)
    assert set(excinfo.value.message_dict) == {"email", "mobile_phone"}
    member.refresh_from_db()
    assert member.email == "andres.lopez@example.com"
    assert member.mobile_phone == "0991234567"
    assert member.contact_changed_at is None


def test_member_contact_change_works_for_a_member_whose_birth_date_has_aged_past_the_limit(
    staff,
) -> None:
    member = member_create(**member_data())
    very_old = timezone.localdate() - datetime.timedelta(days=125 * 366)
    Member.objects.filter(pk=member.pk).update(birth_date=very_old)
    member_contact_change(member=member, email="familia@example.com", changed_by=staff)
    member.refresh_from_db()
    assert member.email == "familia@example.com"


# The database keeps its own copy of the shape rules, for writes that skip the services.


@pytest.mark.parametrize(
    "change",
    [
        {"identification": ""},
        {"identification": "123456789"},
        {"identification_type": "RUC"},
        {"identification_type": "DNI"},
        {"identification": "ab12345", "identification_type": "PASAPORTE"},
        {"first_names": "andres"},
        {"last_names": ""},
        {"mobile_phone": "0221234567"},
        {"mobile_phone": "099123456"},
    ],
)
def test_database_refuses_rows_that_break_the_shape_rules(change: dict[str, str]) -> None:
    member = member_create(**member_data())
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(**change)


def test_database_refuses_a_duplicate_identification() -> None:
    member = member_create(**member_data())
    other = member_create(**member_data())
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=other.pk).update(identification=member.identification)


def test_full_clean_reports_a_duplicate_with_the_spanish_message() -> None:
    member = member_create(**member_data())
    copy = Member(**{**member_data(identification=member.identification)})
    with pytest.raises(ValidationError) as excinfo:
        copy.full_clean()
    assert "Ya existe un socio con esta identificación." in excinfo.value.messages
