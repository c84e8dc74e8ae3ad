from __future__ import annotations

import pytest
from django.urls import reverse

from enlinea.members import admin as members_admin
from enlinea.members.models import Member
from enlinea.members.services import member_create
from enlinea.members.tests.support import make_cedula, member_data
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:members_member_add")


@pytest.fixture
def staff_client(client, django_user_model):
    superuser = django_user_model.objects.create_superuser(
        username="tesoreria", email="tesoreria@example.com", password="Progreso#2026-admin"
    )
    return staff_login(client, superuser)


def form_data(**overrides: object) -> dict[str, object]:
    data = {**member_data(), "birth_date": "", "address": ""}
    data.update(overrides)
    return data


def test_admin_add_shows_the_spanish_error_beside_the_identification(staff_client) -> None:
    cedula = make_cedula()
    wrong = cedula[:9] + str((int(cedula[9]) + 1) % 10)
    response = staff_client.post(ADD_URL, form_data(identification=wrong))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["identification"] == [
        "El número de cédula no es válido: revisa el dígito verificador."
    ]
    assert "El número de cédula no es válido: revisa el dígito verificador." in response.text
    assert not Member.objects.exists()


def test_admin_add_shows_mobile_and_length_errors_at_their_fields(staff_client) -> None:
    response = staff_client.post(
        ADD_URL, form_data(identification="17143", mobile_phone="02 234 5678")
    )
    form = response.context["adminform"].form
    assert form.errors["identification"] == ["Ingresa un número de cédula de 10 dígitos."]
    assert form.errors["mobile_phone"] == ["Ingresa un celular de 10 dígitos que empiece con 09."]
    assert not Member.objects.exists()


def test_admin_add_refuses_a_duplicate_at_the_identification_field(staff_client) -> None:
    existing = member_create(**member_data())
    response = staff_client.post(ADD_URL, form_data(identification=existing.identification))
    form = response.context["adminform"].form
    assert form.errors["identification"] == ["Ya existe un socio con esta identificación."]
    assert Member.objects.count() == 1


def test_admin_add_creates_the_member_through_the_service(staff_client, monkeypatch) -> None:
    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return member_create(**kwargs)

    monkeypatch.setattr(members_admin, "member_create", spy)
    cedula = make_cedula()
    response = staff_client.post(
        ADD_URL,
        form_data(
            identification=f"{cedula[:9]}-{cedula[9]}",
            first_names="maria jose",
            last_names="perez",
            mobile_phone="+593 98 765 4321",
            birth_date="2001-03-04",
        ),
    )
    assert response.status_code == 302
    assert len(calls) == 1
    member = Member.objects.get()
    assert member.identification == cedula
    assert member.full_name == "MARIA JOSE PEREZ"
    assert member.mobile_phone == "0987654321"
    assert response.url == reverse("admin:members_member_changelist")


def test_admin_change_updates_contact_through_the_service_and_keeps_identity(
    staff_client, monkeypatch
) -> None:
    from enlinea.members.services import member_contact_change

    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return member_contact_change(**kwargs)

    monkeypatch.setattr(members_admin, "member_contact_change", spy)
    member = member_create(**member_data())
    url = reverse("admin:members_member_change", args=[member.pk])
    response = staff_client.post(
        url,
        {
            "email": "Nuevo@Correo.ec",
            "mobile_phone": "099 888 7766",
            "address": "Loja",
            "contact_reason": "Solicitud del socio en agencia",
            "identification": "0000000000",
            "first_names": "OTRO",
        },
    )
    assert response.status_code == 302
    assert len(calls) == 1
    before = member.identification
    member.refresh_from_db()
    assert (member.email, member.mobile_phone, member.address) == (
        "nuevo@correo.ec",
        "0998887766",
        "Loja",
    )
    assert member.identification == before
    assert member.first_names == "ANDRES DAVID"


def test_admin_cannot_delete_a_member(staff_client) -> None:
    member = member_create(**member_data())
    delete_url = reverse("admin:members_member_delete", args=[member.pk])
    assert staff_client.get(delete_url).status_code == 403
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = staff_client.get(reverse("admin:members_member_changelist"))
    model_admin = changelist.context["cl"].model_admin
    assert "delete_selected" not in model_admin.get_actions(changelist.wsgi_request)
    assert not model_admin.has_delete_permission(changelist.wsgi_request, member)
    assert Member.objects.filter(pk=member.pk).exists()


def test_admin_changelist_lists_and_searches_members(staff_client) -> None:
    andres = member_create(**member_data())
    member_create(**member_data(first_names="Maria", last_names="Perez", email="maria@example.com"))
    url = reverse("admin:members_member_changelist")
    response = staff_client.get(url, {"q": andres.identification})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [andres]
    assert "ANDRES DAVID LOPEZ MAYA" in response.text
    by_name = staff_client.get(url, {"q": "perez"})
    assert [m.last_names for m in by_name.context["cl"].result_list] == ["PEREZ"]


def test_admin_add_and_change_pages_show_spanish_labels(staff_client) -> None:
    add_page = staff_client.get(ADD_URL)
    assert add_page.status_code == 200
    assert "Tipo de identificación" in add_page.text
    assert "Celular" in add_page.text
    member = member_create(**member_data())
    change_page = staff_client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert change_page.status_code == 200
    assert member.identification in change_page.text
    assert set(change_page.context["adminform"].form.fields) == {
        "email",
        "mobile_phone",
        "contact_reason",
        "address",
    }
