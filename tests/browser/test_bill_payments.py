"""Pago de servicios in a real Chromium: a bill paid after its inquiry (found by a search
without accents, a bad reference refused at the field first), saved with "Guardar
servicio", then paid again from Pagos frecuentes with the reference filled in, and a
recarga; every code read from the e-mail really sent to the local SMTP server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import Consent
from enlinea.access.tests.profile_support import PASSWORD, enrolled_member
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.payments.models import BillPayment, BillPaymentStatus, SavedService
from enlinea.payments.services import bill_inquiry
from enlinea.payments.simulator import period_of, simulator_bill_publish
from enlinea.payments.tests.support import biller_make, topup_make
from enlinea.products.services import account_open, cash_deposit
from tests.browser.test_beneficiaries import confirm_and_validate, open_option
from tests.support.browser import DESKTOP, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"
REFERENCE = "1000234567"


def balance(account) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


@pytest.fixture
def socio(settings):
    chart_ensure()
    member = enrolled_member(USERNAME)
    Consent.objects.create(
        member=member, document=ConsentDocument.TERMS, version=settings.ACCESS_TERMS_VERSION
    )
    return member


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(DESKTOP, id="desktop")])
def test_a_bill_paid_saved_and_paid_again_from_pagos_frecuentes_and_a_recarga(
    open_page, login, smtp_server, socio, viewport
) -> None:
    from django.utils import timezone

    savings = account_open(member=socio, idempotency_key="bb-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="bb-fund")
    luz = biller_make("eeq-prueba", name="EMPRESA ELÉCTRICA QUITO PRUEBA")
    recarga = topup_make("claro-prueba")
    bill = bill_inquiry(biller=luz, reference=REFERENCE)
    page, _ = open_page(viewport)
    login(page, USERNAME, PASSWORD)
    main = page.get_by_role("main")

    # Buscar servicio without accents, choose the biller.
    open_option(page, "pago-servicios", "Pagar servicios")
    expect(page.get_by_role("heading", level=1, name="Pagar servicios")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Buscar servicio (Opcional)").fill("electrica quito")
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name=luz.name).click()

    # A reference that breaks the biller's rule, said at the field with its example.
    reference = page.get_by_label("CODIGO UNICO ELECTRICO NACIONAL")
    reference.fill("12AB")
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_role("button", name="Consultar").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(main).to_contain_text("ingresa los 10 dígitos")
    expect(main).to_contain_text("Ej: 1000234567")
    assert_accessible(page)

    # The inquiry: amount, due date, holder masked; then Guardar servicio + Alias.
    page.get_by_label("CODIGO UNICO ELECTRICO NACIONAL").fill(REFERENCE)
    page.get_by_role("button", name="Consultar").click()
    expect(main).to_contain_text(bill.holder_masked)
    expect(main).to_contain_text("Fecha de vencimiento")
    assert_accessible(page)
    page.get_by_label("Guardar servicio").check()
    page.get_by_label("Alias (Opcional)").fill("Luz de casa")
    page.get_by_role("button", name="Pagar").click()
    expect(main).to_contain_text(luz.name)
    expect(main).to_contain_text("Comisión")
    confirm_and_validate(page, smtp_server, socio.email, "Pagar servicios")
    expect(page.get_by_role("heading", level=1, name="¡Pago exitoso!")).to_be_visible()
    payment = BillPayment.objects.get(member=socio)
    assert payment.status == BillPaymentStatus.CONFIRMED
    expect(main).to_contain_text(f"Comprobante N.º {payment.receipt_id}")
    expect(main).to_contain_text("Luz de casa está en tus Pagos frecuentes")
    for label in ("Categoría", "Empresa", "Referencia", "Valor pagado", "Total debitado"):
        expect(main).to_contain_text(label)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Imprimir").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert balance(savings) == 100_000 - bill.amount
    assert SavedService.objects.get(member=socio).alias == "Luz de casa"

    # Next month's bill, paid from Pagos frecuentes with the reference filled in.
    nxt = simulator_bill_publish(
        biller_code=luz.code,
        reference=REFERENCE,
        amount=1_234,
        period=period_of(timezone.now()) + 1,
    )
    open_option(page, "pago-servicios", "Pagos frecuentes")
    expect(main).to_contain_text("Luz de casa")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Pagar Luz de casa")).click()
    expect(page.get_by_label("CODIGO UNICO ELECTRICO NACIONAL")).to_have_value(REFERENCE)
    page.get_by_role("button", name="Consultar").click()
    expect(main).to_contain_text("$ 12.34")
    page.get_by_role("button", name="Pagar").click()
    confirm_and_validate(page, smtp_server, socio.email, "Pagar servicios")
    expect(page.get_by_role("heading", level=1, name="¡Pago exitoso!")).to_be_visible()
    assert BillPayment.objects.get(member=socio, bill_id=nxt.bill_id).status == "CONFIRMADO"

    # A recarga: one of its amounts.
    page.get_by_role("link", name="Realizar otro pago").click()
    page.get_by_role("link", name="Recargas", exact=True).click()
    page.get_by_role("link", name=recarga.name).click()
    page.get_by_label("NUMERO CELULAR").fill("0991234567")
    page.get_by_label("Monto a pagar").select_option("500")
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_role("button", name="Pagar").click()
    confirm_and_validate(page, smtp_server, socio.email, "Pagar servicios")
    expect(page.get_by_role("heading", level=1, name="¡Pago exitoso!")).to_be_visible()
    expect(main).to_contain_text("$ 5.00")
    assert balance(savings) == 100_000 - bill.amount - 1_234 - 500

    # Historial de pagos: the three, each with its comprobante.
    open_option(page, "pago-servicios", "Historial de pagos")
    expect(main).to_contain_text(luz.name)
    expect(main).to_contain_text(recarga.name)
    assert_accessible(page)


def test_a_schedule_with_fecha_indefinida_then_the_worker_pays_or_emails_why(
    open_page, login, smtp_server, socio
) -> None:
    from django.utils import timezone

    from enlinea.payments.models import PaymentSchedule
    from enlinea.payments.schedules import TERMS_VERSION, schedule_create, schedules_run

    savings = account_open(member=socio, idempotency_key="bs-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="bs-fund")
    poor = account_open(member=socio, idempotency_key="bs-poor")
    cash_deposit(account=poor, amount=300, idempotency_key="bs-poor-fund")
    agua = biller_make("agua-prueba", category="Agua", name="AGUA EPMAPA PRUEBA")
    page, _ = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)
    main = page.get_by_role("main")

    open_option(page, "pago-servicios", "Programar pagos")
    expect(page.get_by_role("heading", level=1, name="Pagos programados")).to_be_visible()
    page.get_by_role("link", name="Programar nuevo pago").click()
    page.get_by_label("Categoría").select_option(label="Agua")
    page.get_by_role("button", name="Continuar").click()
    page.get_by_label("Servicio").select_option(agua.code)
    page.get_by_role("button", name="Continuar").click()
    assert_accessible(page)
    page.get_by_label("Cuenta de débito").select_option(savings.number)
    page.get_by_label("CODIGO UNICO ELECTRICO NACIONAL").fill(REFERENCE)
    page.get_by_label("Monto máximo").fill("20.00")
    expect(main).to_contain_text("Recuerda que si la factura es mayor al valor establecido")
    page.get_by_label("Fecha de inicio").fill(timezone.localdate().isoformat())
    page.get_by_label("Fecha indefinida").check()
    page.get_by_text("Términos y Condiciones", exact=True).click()
    expect(main).to_contain_text("no se responsabiliza por no poder realizar el débito")
    page.get_by_label("Acepto los Términos y Condiciones").check()
    page.get_by_role("button", name="Programar pago").click()
    expect(main).to_contain_text("Indefinida")
    confirm_and_validate(page, smtp_server, socio.email, "Programar pagos")
    expect(page.get_by_role("heading", level=1, name="¡Pago programado con éxito!")).to_be_visible()
    assert_accessible(page)
    schedule = PaymentSchedule.objects.get(member=socio)
    assert schedule.end_date is None
    assert schedule.terms_version == TERMS_VERSION
    page.get_by_role("link", name="Volver a Pagos programados").click()
    expect(main).to_contain_text("Indefinido")
    expect(main).to_contain_text("$ 20.00")

    # Two more schedules: one whose maximum a bill exceeds, one from an account without funds.
    luz = biller_make("luz-prueba", name="LUZ PRUEBA")
    tv = biller_make("tv-prueba", category="TV", name="TV PRUEBA")
    for source, biller, maximum in ((savings, luz, 1_000), (poor, tv, 10_000)):
        schedule_create(
            member=socio,
            source=source,
            biller=biller,
            reference=REFERENCE,
            max_amount=maximum,
            start_date=timezone.localdate(),
            end_date=None,
            terms_version=TERMS_VERSION,
            ip="127.0.0.1",
        )
    # The simulator publishes the bills; the worker runs.
    for biller, amount in ((agua, 1_500), (luz, 4_321), (tv, 2_000)):
        simulator_bill_publish(biller_code=biller.code, reference=REFERENCE, amount=amount)
    since = len(smtp_server.messages)
    assert schedules_run() == {"paid": 1, "not_paid": 2, "skipped": 0}
    assert balance(savings) == 100_000 - 1_500
    assert balance(poor) == 300
    above = smtp_server.wait_for(to=socio.email, subject="LUZ PRUEBA")
    assert "supera el monto máximo de $ 10.00" in smtp_server.body(above)
    funds = smtp_server.wait_for(to=socio.email, subject="TV PRUEBA")
    assert "insuficiente" in smtp_server.body(funds).lower()
    assert len(smtp_server.messages) > since

    open_option(page, "pago-servicios", "Historial de pagos")
    expect(main).to_contain_text("AGUA EPMAPA PRUEBA")
    expect(main).to_contain_text("No pagado")
    assert_accessible(page)
