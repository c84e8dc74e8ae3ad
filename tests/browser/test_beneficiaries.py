"""Beneficiarios and Personalización de cupos in a real Chromium at a phone's width (the
pages at a desktop's: test_layouts.py), every code read from the e-mail really sent to
the local SMTP server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from enlinea.access.tests.profile_support import PASSWORD, enrolled_member
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.limits.models import Scope, TransferLimit
from enlinea.products.services import account_open
from tests.browser.test_profile import validate_code
from tests.support.browser import PHONE, assert_accessible
from tests.support.members import online_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"


@pytest.fixture
def socio():
    return online_member(USERNAME)


@pytest.fixture
def maria_account(socio):
    maria = enrolled_member("mariaperez", first_names="Maria Fernanda", last_names="Perez Guaman")
    return account_open(member=maria, idempotency_key=f"browser-maria-{maria.pk}")


def open_option(page: Page, section: str, label: str) -> None:
    origin = re.match(r"^https?://[^/]+", page.url).group(0)
    page.goto(f"{origin}/menu/{section}/")
    page.get_by_role("main").get_by_role("link", name=label).click()


def confirm_and_validate(page: Page, smtp_server, email: str, heading: str) -> None:
    """The flow's "Confirmar" page (every detail), then the code."""
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Verifica que todos los datos estén correctos")
    assert_accessible(page)
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Confirmar").click()
    validate_code(page, smtp_server, email, since)


def done(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cerrar").click()


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone")])
def test_add_edit_and_delete_beneficiaries_and_set_the_cupos(
    open_page, login, smtp_server, socio, maria_account, viewport
) -> None:
    page, outside = open_page(viewport)
    login(page, USERNAME, PASSWORD)
    email = socio.email

    # A mi institución: a wrong number first, then Validar shows the masked holder.
    open_option(page, "transferencias", "Nuevo beneficiario")
    assert_accessible(page)
    page.get_by_role("link", name="A mi institución").click()
    page.get_by_label("Número de cuenta").fill("12ab")
    page.get_by_role("button", name="Validar").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("main")).to_contain_text("solo con dígitos")
    assert_accessible(page)
    page.get_by_label("Número de cuenta").fill(maria_account.number)
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_role("main")).to_contain_text("MA*** PE***")
    page.get_by_label("Alias (Opcional)").fill("Mari")
    assert_accessible(page)
    page.get_by_role("button", name="Guardar beneficiario").click()
    confirm_and_validate(page, smtp_server, email, "Registrar beneficiario")
    done(page, "Beneficiario registrado")
    expect(page.get_by_role("heading", level=1, name="Cuentas registradas")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(maria_account.number)
    assert_accessible(page)

    # A otras instituciones.
    page.get_by_role("link", name="Agregar nuevo beneficiario").click()
    page.get_by_role("link", name="A otras instituciones").click()
    page.get_by_role("button", name="Guardar beneficiario").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Selecciona la entidad financiera de la lista."
    )
    assert_accessible(page)
    page.get_by_label("Entidad financiera").select_option(label="BANCO PICHINCHA")
    page.get_by_role("radio", name="Cédula").check()
    page.get_by_label("Identificación del beneficiario").fill("1710034065")
    page.get_by_role("radio", name="Ahorros").check()
    page.get_by_label("Número de cuenta").fill("2200-123-456")
    page.get_by_label("Nombre del beneficiario").fill("Xavier Gonzalez")
    page.get_by_role("button", name="Guardar beneficiario").click()
    confirm_and_validate(page, smtp_server, email, "Registrar beneficiario")
    done(page, "Beneficiario registrado")

    # Editar: Otros Bancos tab, a new alias, "Confirmar actualización", the code.
    page.get_by_role("link", name="Beneficiario Otros Bancos").click()
    expect(page.get_by_role("main")).to_contain_text("XAVIER GONZALEZ")
    page.get_by_role("link", name="Editar XAVIER GONZALEZ").click()
    page.get_by_label("Alias (Opcional)").fill("Javier")
    page.get_by_role("button", name="Confirmar").click()
    confirm_and_validate(page, smtp_server, email, "Confirmar actualización")
    done(page, "Datos guardados")
    expect(page.get_by_role("main")).to_contain_text("Javier")

    # Eliminar: "Sí, eliminar", the code.
    page.get_by_role("link", name="Beneficiario Cooprogreso").click()
    page.get_by_role("link", name="Eliminar MA*** PE***").click()
    assert_accessible(page)
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Sí, eliminar").click()
    validate_code(page, smtp_server, email, since)
    done(page, "Beneficiario eliminado")
    expect(page.get_by_role("main")).to_contain_text("Aún no tienes beneficiarios")

    active = Beneficiary.objects.filter(member=socio, deleted_at__isnull=True)
    assert list(active.values_list("kind", "alias")) == [(BeneficiaryKind.EXTERNAL, "Javier")]

    # Personalización de cupos: over the maximum first, then a lower daily cupo.
    open_option(page, "servicios", "Personalización de cupos")
    external = page.get_by_role("group", name="Transferencias externas")
    expect(external).to_contain_text("Máximo de la cooperativa: $ 15,000.00")
    assert_accessible(page)
    external.get_by_label("Monto máximo (DIARIO)").fill("16000")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("main")).to_contain_text("no puede superar el máximo de $ 15,000.00")
    assert_accessible(page)
    external = page.get_by_role("group", name="Transferencias externas")
    external.get_by_label("Monto máximo (DIARIO)").fill("1,000.00")
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Confirmar").click()
    validate_code(page, smtp_server, email, since)
    expect(page.get_by_role("main")).to_contain_text("El proceso se realizó exitosamente.")
    done(page, "Personalización de cupos")
    assert TransferLimit.objects.get(member=socio, scope=Scope.EXTERNAL).daily == 1_000_00
    assert outside == []
