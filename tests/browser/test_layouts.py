"""The member's pages at the width their flow's walk does not use.

Each long walk (Beneficiarios, Transferencias, Pago de servicios, Diferir consumos,
Perfil, recovery, Olvidé mi usuario, the Ventanilla) runs once, at a phone's width or a
desktop's, to keep the suite's time; here the demo member (``seed_demo``: a year of
history, accounts, a loan, an investment, cards with purchases) and the demo teller open
the same pages at the other width: none scrolls sideways and axe-core finds nothing
serious on any.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.beneficiaries.services import beneficiary_ensure
from enlinea.demo.realistic import DEMO_MEMBER
from enlinea.demo.staff import DEMO_ROLE_USERS
from enlinea.members.models import Member
from enlinea.payments.models import Biller, ReferenceKind
from enlinea.payments.references import reference_clean
from enlinea.payments.schedules import TERMS_VERSION, schedule_create
from enlinea.products.models import DepositAccount
from enlinea.staff.testing import staff_browser_login
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME, PASSWORD = DEMO_MEMBER


@pytest.fixture
def demo():
    """The demo's data with the biller catalogue (emptied by an earlier transactional
    test's flush), an internal beneficiary and a scheduled payment for the member."""
    catalogue = importlib.import_module("enlinea.payments.migrations.0002_billers_catalogue")
    catalogue.forwards(apps, None)
    call_command("seed_demo")
    andres = Member.objects.get(user__username=USERNAME)
    other = DepositAccount.objects.exclude(member=andres).filter(status="ACTIVA").first()
    beneficiary_ensure(member=andres, kind=BeneficiaryKind.INTERNAL, account_number=other.number)
    biller = Biller.objects.filter(reference_kind=ReferenceKind.CUEN, active=True).first()
    schedule_create(
        member=andres,
        source=DepositAccount.objects.filter(member=andres, status="ACTIVA").first(),
        biller=biller,
        reference=reference_clean(biller, "1000000005"),
        max_amount=5_000,
        start_date=timezone.localdate(),
        end_date=None,
        terms_version=TERMS_VERSION,
        ip="127.0.0.1",
    )
    return andres


def _fits(page: Page, viewport: dict[str, int], heading: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    assert page_width(page) <= viewport["width"], f"{page.url} scrolls sideways"
    assert_accessible(page)


def _visit(page: Page, origin: str, path: str, viewport, heading) -> None:
    response = page.goto(origin + path)
    assert response is not None, path
    assert response.status == 200, path
    _fits(page, viewport, heading)


# The member's pages whose flow is walked on a phone, opened on a desktop; and the
# other way round. (path, the page's heading)
ON_A_DESKTOP = [
    ("/transferencias/beneficiarios/", "Cuentas registradas"),
    ("/transferencias/beneficiarios/?tipo=external", "Cuentas registradas"),
    ("/transferencias/beneficiarios/nuevo/", "Nuevo beneficiario"),
    ("/transferencias/beneficiarios/nuevo/mi-institucion/", "A mi institución"),
    ("/transferencias/beneficiarios/nuevo/otras-instituciones/", "Registrar cuenta interbancaria"),
    ("/servicios/personalizacion-de-cupos/", "Personalización de cupos"),
    ("/transferencias/propias/", "Transferencia entre cuentas propias"),
    ("/transferencias/interbancarias/", "Transferencias interbancarias"),
    ("/perfil/preguntas/", "Actualizar preguntas de seguridad"),
    ("/perfil/imagen/", "Actualizar imagen de seguridad"),
    ("/perfil/usuario/", "Personaliza tu nombre de usuario"),
    ("/tarjetas/debito/", "Tarjetas de débito"),
    ("/tarjetas/credito/", "Tarjetas de crédito"),
]
ON_A_PHONE = [
    ("/transferencias/cooprogreso/", "Transferencias Cooprogreso"),
    ("/transferencias/frecuentes/", "Transacciones frecuentes"),
    ("/transferencias/historial/", "Historial de transferencias"),
    ("/pago-servicios/frecuentes/", "Pagos frecuentes"),
    ("/pago-servicios/historial/", "Historial de pagos"),
    ("/pago-servicios/programados/", "Pagos programados"),
    ("/pago-servicios/programados/nuevo/", "Programar pagos"),
    ("/pago-servicios/pagar/", "Pagar servicios"),
]


def _member_pages(open_page, login, live_server, viewport, pages):
    """Log the demo member in at ``viewport`` and open each page; the page is left on
    the last one."""
    page, outside = open_page(viewport)
    login(page, USERNAME, PASSWORD)
    for path, heading in pages:
        _visit(page, live_server.url, path, viewport, heading)
    return page, outside


def test_the_pages_walked_on_a_phone_fit_a_desktop(open_page, login, live_server, demo) -> None:
    page, outside = _member_pages(open_page, login, live_server, DESKTOP, ON_A_DESKTOP)
    origin = live_server.url
    page.locator("summary", has_text="Más opciones de la tarjeta").first.click()
    page.get_by_role("link", name=re.compile("^Diferir consumos")).click()
    _fits(page, DESKTOP, "Diferir consumos")
    page.goto(origin + "/transferencias/beneficiarios/")
    page.get_by_role("link", name=re.compile("^Editar ")).first.click()
    _fits(page, DESKTOP, "Actualizar cuenta interna")

    # Logged out: the recovery and username-reminder pages.
    page.context.clear_cookies()
    _visit(page, origin, "/recuperar/", DESKTOP, re.compile("contraseña|Recupera", re.I))
    _visit(page, origin, "/ingreso/olvide-mi-usuario/", DESKTOP, re.compile("usuario", re.I))
    assert outside == []


def test_the_pages_walked_on_a_desktop_fit_a_phone(open_page, login, live_server, demo) -> None:
    page, outside = _member_pages(open_page, login, live_server, PHONE, ON_A_PHONE)
    # Pagar servicios: a category's billers.
    page.get_by_role("link").filter(has_text=re.compile("^Luz")).first.click()
    _fits(page, PHONE, "Pagar servicios")
    assert outside == []


def test_the_tellers_pages_fit_a_phone(open_page, live_server, demo) -> None:
    """The Ventanilla walk runs on a desktop (the teller's desk); its pages on a phone."""
    cajero = next(d for d in DEMO_ROLE_USERS if d.username == "cajero.demo")
    page, outside = open_page(PHONE)
    staff_browser_login(page, live_server.url, cajero.username, cajero.password)
    page.get_by_role("link", name="Nuevo socio").first.click()
    _fits(page, PHONE, "Nuevo socio")
    page.go_back()
    page.get_by_role("link", name="Ventanilla").first.click()
    page.get_by_label("Buscar socio").fill(demo.identification)
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name=demo.full_name).click()
    assert page_width(page) <= PHONE["width"]
    assert_accessible(page)
    account = DepositAccount.objects.filter(member=demo, status="ACTIVA").first()
    page.get_by_role("link", name=f"Depositar en la cuenta {account.number}").click()
    page.get_by_label("Monto").fill("12.00")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("button", name="Confirmar")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert_accessible(page)
    assert outside == []
