"""Administración de beneficiarios and Nuevo beneficiario, through the Django client:
each form's messages at the field, each change through the confirmation flow's code,
and another member's beneficiary a 404 on every URL."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from enlinea.access.tests.profile_support import (
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
    text,
)
from enlinea.beneficiaries import services
from enlinea.beneficiaries.destinations import MSG_INTERNAL_UNAVAILABLE, MSG_OWN_ACCOUNT
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.beneficiaries.tests.conftest import card_number
from enlinea.beneficiaries.views import MSG_VALIDATE_LIMITED
from enlinea.ledger.services import chart_ensure
from enlinea.members.validators import MSG_IDENTIFICATION_TYPE
from enlinea.products.services import account_open

pytestmark = pytest.mark.django_db

LIST = reverse("beneficiaries:list")
INTERNAL = reverse("beneficiaries:new_internal")
EXTERNAL = reverse("beneficiaries:new_external")


@pytest.fixture
def socio(db):
    chart_ensure()
    member = enrolled_member("andreslopez")
    account_open(member=member, idempotency_key=f"v-own-{member.pk}")
    return member


@pytest.fixture
def maria(db):
    chart_ensure()
    member = enrolled_member("mariaperez", first_names="Maria Fernanda", last_names="Perez Guaman")
    return member


@pytest.fixture
def maria_account(maria):
    return account_open(member=maria, idempotency_key=f"v-maria-{maria.pk}")


@pytest.fixture
def client(socio) -> Client:
    return logged_in(socio)


def _external_data(pichincha, **overrides) -> dict[str, str]:
    data = {
        "institution": str(pichincha.pk),
        "identification_type": "CEDULA",
        "identification": "1710034065",
        "account_type": "savings",
        "account_number": "2200123456",
        "name": "Xavier Gonzalez",
        "email": "",
        "alias": "Xavi",
    }
    data.update(overrides)
    return data


def _confirm_with_code(client: Client, member, response) -> str:
    """From a started operation's redirect: Confirmar (if it has a page), the code,
    and the result page's text."""
    operation = latest_operation(member)
    location = response["Location"]
    if location != code_url(operation):
        confirm = client.get(location)
        assert confirm.status_code == 200
        assert client.post(location)["Location"] == code_url(operation)
    done = client.post(code_url(operation), {"code": last_code(member)})
    assert done.status_code == 302
    return text(client.get(done["Location"]))


def _saved(member, kind: str, **fields) -> Beneficiary:
    return services.beneficiary_create(member=member, kind=kind, **fields)


# --------------------------------------------------------------------------- the list


def test_the_list_has_the_manuals_tabs_and_each_shows_its_beneficiaries(
    client, socio, maria_account, pichincha, diners
) -> None:
    _saved(socio, BeneficiaryKind.INTERNAL, account_number=maria_account.number, alias="Mari")
    _saved(
        socio,
        BeneficiaryKind.EXTERNAL,
        institution_id=pichincha.pk,
        account_type="savings",
        account_number="2200123456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification="1710034065",
    )
    _saved(
        socio,
        BeneficiaryKind.CARD,
        institution_id=diners.pk,
        card_number=card_number(),
        name="Victoria Paz",
        identification_type="CEDULA",
        identification="1710034065",
    )
    body = text(client.get(LIST))
    for tab in ("Beneficiario Cooprogreso", "Beneficiario Otros Bancos", "Pago Tarjetas"):
        assert tab in body
    assert 'aria-current="page">Beneficiario Cooprogreso</a>' in body
    assert maria_account.number in body
    assert "MA*** PE***" in body
    assert "XAVIER GONZALEZ" not in body
    mari = Beneficiary.objects.get(member=socio, account_number=maria_account.number)
    # "Transferir" opens TRANSFERENCIAS COOPROGRESO with this beneficiary chosen.
    assert f'href="{reverse("transfers:internal")}?beneficiario={mari.pk}">Transferir' in body

    external = text(client.get(LIST, {"tipo": "external"}))
    assert "XAVIER GONZALEZ" in external
    assert "BANCO PICHINCHA" in external
    assert "MA*** PE***" not in external

    cards = text(client.get(LIST, {"tipo": "card"}))
    assert "VICTORIA PAZ" in cards
    assert "**** 1111" in cards
    assert ">Pagar<" in cards


def test_the_search_filters_the_tab_and_says_when_nothing_matches(client, socio, pichincha) -> None:
    for number, name in (("2200123456", "Xavier Gonzalez"), ("2200654321", "Rosa Muñoz")):
        _saved(
            socio,
            BeneficiaryKind.EXTERNAL,
            institution_id=pichincha.pk,
            account_type="savings",
            account_number=number,
            name=name,
            identification_type="CEDULA",
            identification="1710034065",
        )
    body = text(client.get(LIST, {"tipo": "external", "buscar": "munoz"}))
    assert "ROSA MUÑOZ" in body
    assert "XAVIER GONZALEZ" not in body
    none = text(client.get(LIST, {"tipo": "external", "buscar": "pedro"}))
    assert "No encontramos beneficiarios con «pedro»" in none


# ----------------------------------------------------------------- A mi institución


def test_validar_shows_the_holders_masked_name_then_guardar_saves_it_with_a_code(
    client, socio, maria_account
) -> None:
    shown = client.post(INTERNAL, {"account_number": maria_account.number, "validar": ""})
    assert shown.status_code == 200
    body = text(shown)
    assert "MA*** PE***" in body
    assert "Guardar beneficiario" in body
    assert "Maria" not in body.replace("MA***", "")

    started = client.post(
        INTERNAL,
        {"account_number": maria_account.number, "alias": "Mari", "email": "", "guardar": ""},
    )
    assert started.status_code == 302
    result = _confirm_with_code(client, socio, started)
    assert "Beneficiario registrado" in result
    saved = Beneficiary.objects.get(member=socio)
    assert (saved.kind, saved.internal_account, saved.alias) == (
        BeneficiaryKind.INTERNAL,
        maria_account,
        "Mari",
    )


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Ingresa el número de cuenta."),
        ("12ab45", "Ingresa el número de cuenta solo con dígitos, sin letras."),
        ("999999999999", MSG_INTERNAL_UNAVAILABLE),
    ],
)
def test_validar_says_what_is_wrong_with_the_number_at_the_field(client, number, message) -> None:
    response = client.post(INTERNAL, {"account_number": number, "validar": ""})
    assert response.status_code == 400
    body = text(response)
    assert "<title>Error: " in body
    assert "Hay un problema" in body
    assert (
        f'id="id_account_number_error"><span class="visually-hidden">Error:</span> {message}'
        in body
    )
    assert "Guardar beneficiario" not in body


def test_validar_refuses_the_members_own_account(client, socio) -> None:
    own = socio.deposit_accounts.first()
    body = text(client.post(INTERNAL, {"account_number": own.number, "validar": ""}))
    assert MSG_OWN_ACCOUNT in body


def test_an_account_already_saved_is_refused_before_any_code(client, socio, maria_account) -> None:
    _saved(socio, BeneficiaryKind.INTERNAL, account_number=maria_account.number)
    response = client.post(INTERNAL, {"account_number": maria_account.number, "guardar": ""})
    assert response.status_code == 400
    assert services.MSG_DUPLICATE_ACCOUNT in text(response)


def test_a_bad_alias_or_email_is_said_at_its_field(client, maria_account) -> None:
    response = client.post(
        INTERNAL,
        {"account_number": maria_account.number, "alias": "x" * 31, "email": "no", "guardar": ""},
    )
    assert response.status_code == 400
    body = text(response)
    assert 'id="id_alias_error"' in body
    assert "El alias puede tener hasta 30 caracteres." in body
    assert 'id="id_email_error"' in body


def test_validar_is_rate_limited_per_member(client, maria_account, settings) -> None:
    settings.BENEFICIARIES_RATE_VALIDATE = "2/h"
    for _ in range(2):
        assert client.post(INTERNAL, {"account_number": maria_account.number}).status_code == 200
    refused = client.post(INTERNAL, {"account_number": maria_account.number})
    assert refused.status_code == 429
    body = text(refused)
    assert f"</span> {MSG_VALIDATE_LIMITED}" in body
    assert "MA*** PE***" not in body


# ---------------------------------------------------------------- A otras instituciones


def test_the_external_form_says_every_problem_at_its_field(client) -> None:
    response = client.post(EXTERNAL, {})
    assert response.status_code == 400
    body = text(response)
    for field, message in (
        ("institution", "Selecciona la entidad financiera de la lista."),
        ("account_type", "Selecciona el tipo de cuenta: Ahorros o Corriente."),
        ("account_number", "Ingresa el número de cuenta."),
        ("name", "Ingresa el nombre del beneficiario, solo con letras."),
        ("identification_type", MSG_IDENTIFICATION_TYPE),
    ):
        assert (
            f'id="id_{field}_error"><span class="visually-hidden">Error:</span> {message}' in body
        )


def test_a_wrong_cedula_is_said_at_the_identification(client, pichincha) -> None:
    response = client.post(EXTERNAL, _external_data(pichincha, identification="1710034066"))
    assert response.status_code == 400
    assert 'id="id_identification_error"' in text(response)


def test_the_external_form_offers_the_catalogue_without_the_cooperative(client) -> None:
    body = text(client.get(EXTERNAL))
    assert "BANECUADOR B.P." in body
    assert "Registrar cuenta interbancaria" in body


def test_an_external_beneficiary_is_saved_after_confirmar_and_the_code(
    client, socio, pichincha
) -> None:
    started = client.post(EXTERNAL, _external_data(pichincha))
    assert started.status_code == 302
    confirm = text(client.get(started["Location"]))
    assert "<dt>Entidad financiera</dt><dd>BANCO PICHINCHA</dd>" in confirm
    assert "<dt>Beneficiario</dt><dd>XAVIER GONZALEZ</dd>" in confirm
    assert not Beneficiary.objects.exists()
    result = _confirm_with_code(client, socio, started)
    assert "Beneficiario registrado" in result
    saved = Beneficiary.objects.get(member=socio)
    assert (saved.institution, saved.account_number, saved.alias) == (
        pichincha,
        "2200123456",
        "Xavi",
    )


# ------------------------------------------------------------------ Editar, Eliminar


def test_editar_an_external_one_goes_through_confirmar_actualizacion_and_the_code(
    client, socio, pichincha
) -> None:
    beneficiary = _saved(
        socio,
        BeneficiaryKind.EXTERNAL,
        institution_id=pichincha.pk,
        account_type="savings",
        account_number="2200123456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification="1710034065",
    )
    url = reverse("beneficiaries:edit", kwargs={"beneficiary_id": beneficiary.pk})
    page = text(client.get(url))
    assert 'value="2200123456"' in page
    assert 'value="XAVIER GONZALEZ"' in page

    bad = client.post(url, _external_data(pichincha, account_number="", account_type="x"))
    assert bad.status_code == 400
    assert 'id="id_account_number_error"' in text(bad)
    assert 'id="id_account_type_error"' in text(bad)

    started = client.post(url, _external_data(pichincha, alias="Javier", account_type="checking"))
    confirm = text(client.get(started["Location"]))
    assert "Confirmar actualización" in confirm
    assert "<dt>Alias</dt><dd>Javier</dd>" in confirm
    result = _confirm_with_code(client, socio, started)
    assert "Datos guardados" in result
    beneficiary.refresh_from_db()
    assert (beneficiary.alias, beneficiary.account_type) == ("Javier", "checking")


def test_editar_an_internal_one_changes_only_alias_and_email(client, socio, maria_account) -> None:
    beneficiary = _saved(socio, BeneficiaryKind.INTERNAL, account_number=maria_account.number)
    url = reverse("beneficiaries:edit", kwargs={"beneficiary_id": beneficiary.pk})
    page = text(client.get(url))
    assert "Actualizar cuenta interna" in page
    assert 'name="account_number"' not in page
    bad = client.post(url, {"alias": "", "email": "maria@"})
    assert bad.status_code == 400
    assert 'id="id_email_error"' in text(bad)
    started = client.post(url, {"alias": "Mari", "email": "maria@example.com"})
    _confirm_with_code(client, socio, started)
    beneficiary.refresh_from_db()
    assert (beneficiary.alias, beneficiary.email) == ("Mari", "maria@example.com")


def test_eliminar_asks_si_eliminar_then_the_code_removes_it(client, socio, maria_account) -> None:
    beneficiary = _saved(socio, BeneficiaryKind.INTERNAL, account_number=maria_account.number)
    url = reverse("beneficiaries:delete", kwargs={"beneficiary_id": beneficiary.pk})
    assert "Sí, eliminar" in text(client.get(url))
    started = client.post(url)
    assert started["Location"] == code_url(latest_operation(socio))  # no page in between
    result = _confirm_with_code(client, socio, started)
    assert "Beneficiario eliminado" in result
    beneficiary.refresh_from_db()
    assert beneficiary.is_deleted
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["beneficiaries:edit", "beneficiaries:delete"])
def test_another_members_beneficiary_is_404_on_get_and_post(
    name, socio, maria, maria_account, pichincha
) -> None:
    beneficiary = _saved(
        socio,
        BeneficiaryKind.EXTERNAL,
        institution_id=pichincha.pk,
        account_type="savings",
        account_number="2200123456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification="1710034065",
    )
    url = reverse(name, kwargs={"beneficiary_id": beneficiary.pk})
    other = logged_in(maria)
    assert other.get(url).status_code == 404
    assert other.post(url, _external_data(pichincha)).status_code == 404
    assert not latest_operation_exists(maria)
    assert logged_in(socio).get(url).status_code == 200


def latest_operation_exists(member) -> bool:
    from enlinea.confirmation.models import PendingOperation

    return PendingOperation.objects.filter(member=member).exists()


def test_the_pages_need_a_login(socio) -> None:
    for url in (LIST, INTERNAL, EXTERNAL, reverse("beneficiaries:new")):
        response = Client().get(url)
        assert response.status_code == 302
        assert "next=" in response["Location"]


def test_an_account_blocked_before_the_code_makes_the_saving_fail_with_a_message(
    client, socio, maria_account
) -> None:
    from enlinea.products.models import AccountStatus
    from enlinea.products.services import account_set_status

    started = client.post(INTERNAL, {"account_number": maria_account.number, "guardar": ""})
    account_set_status(account=maria_account, status=AccountStatus.BLOCKED)
    result = _confirm_with_code(client, socio, started)
    assert MSG_INTERNAL_UNAVAILABLE in result
    assert not Beneficiary.objects.exists()


def test_a_beneficiary_deleted_in_another_tab_makes_the_update_fail_with_a_message(
    client, socio, maria_account
) -> None:
    beneficiary = _saved(socio, BeneficiaryKind.INTERNAL, account_number=maria_account.number)
    url = reverse("beneficiaries:edit", kwargs={"beneficiary_id": beneficiary.pk})
    started = client.post(url, {"alias": "Mari", "email": ""})
    services.beneficiary_delete(member=socio, beneficiary_id=beneficiary.pk)
    result = _confirm_with_code(client, socio, started)
    assert "Ese beneficiario ya no está registrado." in result
