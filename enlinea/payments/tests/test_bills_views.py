"""Pagar servicios, Pagos frecuentes and Historial de pagos through the Django client:
the catalogue search, the reference checked at the field with the biller's own label
and example, the simulator's outcomes said at the field before any code, a bill and a
recarga through Confirmar, the code and the result (confirmed, or returned with the
reason), a replay paying once, "Guardar servicio" in the payment's transaction, and
another member's saved service a 404."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlinea.access.tests.profile_support import (
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
)
from enlinea.confirmation.models import PendingOperation
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.payments.models import BillPayment, BillPaymentStatus, SavedService
from enlinea.payments.saved import saved_service_delete, saved_service_ensure
from enlinea.payments.services import bill_inquiry
from enlinea.payments.simulator import period_of, simulator_bill_publish
from enlinea.payments.tests.support import biller_make, topup_make
from enlinea.products.models import AccountStatus, DepositAccount
from enlinea.products.services import account_open, account_set_status, cash_deposit
from enlinea.tariff.models import Fee

pytestmark = pytest.mark.django_db

PAY = reverse("payments:bill_pay")
FREQUENT = reverse("payments:bill_frequent")
HISTORY = reverse("payments:bill_history")
GOOD = "1000234567"


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&nbsp;", " ").strip()


def balance(account: DepositAccount) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


@pytest.fixture
def socio(db):
    chart_ensure()
    return enrolled_member("andreslopez")


@pytest.fixture
def savings(socio) -> DepositAccount:
    account = account_open(member=socio, idempotency_key=f"bv-sav-{socio.pk}")
    cash_deposit(account=account, amount=100_000, idempotency_key=f"bv-fund-{account.pk}")
    return account


@pytest.fixture
def client(socio) -> Client:
    return logged_in(socio)


@pytest.fixture
def luz():
    return biller_make(name="EMPRESA ELÉCTRICA DE PRUEBA")


@pytest.fixture
def recarga():
    return topup_make()


def _form(biller, savings, reference=GOOD, **extra) -> dict:
    return {"empresa": biller.code, "reference": reference, "source": savings.number, **extra}


def _consult_and_pay(client, biller, savings, reference=GOOD, **extra):
    """Consultar (the bill shown), then Pagar with the bill's id posted back."""
    shown = client.post(PAY, _form(biller, savings, reference, **extra))
    assert shown.status_code == 200, text(shown)
    bill = re.search(r'name="bill" value="([^"]+)"', shown.content.decode()).group(1)
    return shown, client.post(PAY, _form(biller, savings, reference, bill=bill, **extra))


def _walk(client, member, response, capture) -> str:
    assert response.status_code == 302, text(response)
    operation = latest_operation(member)
    confirm = client.get(response["Location"])
    assert "Confirmar pago" in text(confirm)
    sent = client.post(response["Location"])
    assert sent["Location"] == code_url(operation)
    with capture(execute=True):
        done = client.post(code_url(operation), {"code": last_code(member)})
    assert done.status_code == 302
    return text(client.get(done["Location"]))


# ------------------------------------------------------------------- the catalogue


def test_catalogue_search_ignores_accents_and_filters_by_category(client, luz, recarga) -> None:
    page = client.get(PAY, {"servicio": "electrica prueba"})
    assert page.status_code == 200
    assert luz.name in text(page)
    assert recarga.name not in text(page)
    by_category = client.get(PAY, {"categoria": recarga.category_id})
    assert recarga.name in text(by_category)
    assert luz.name not in text(by_category)
    # Bad input is a message, never a 500.
    bad = client.get(PAY, {"categoria": "x", "servicio": "a" * 200})
    assert bad.status_code == 400
    assert "Elige una de las categorías." in text(bad)
    assert client.get(PAY, {"empresa": "no-existe"}).status_code == 404


def test_biller_form_shows_its_own_reference_field(client, savings, luz) -> None:
    page = client.get(PAY, {"empresa": luz.code})
    assert page.status_code == 200
    assert luz.reference_label in text(page)
    assert f"Ej: {luz.reference_example}" in text(page)


# ------------------------------------------------------------ errors at the field


def test_reference_breaking_the_rule_is_refused_at_the_field(client, socio, savings, luz) -> None:
    response = client.post(PAY, _form(luz, savings, "12AB"))
    assert response.status_code == 400
    assert "CODIGO UNICO ELECTRICO NACIONAL: ingresa los 10 dígitos" in text(response)
    assert "Ej: 1000234567" in text(response)
    assert not PendingOperation.objects.filter(member=socio).exists()


@pytest.mark.parametrize(
    ("reference", "said"),
    [
        ("1000000001", "no tiene valores pendientes"),
        ("1000000002", "no"),
        ("1000000003", "no"),
    ],
)
def test_simulator_outcomes_are_said_at_the_field_before_any_code(
    client, socio, savings, luz, reference, said
) -> None:
    response = client.post(PAY, _form(luz, savings, reference))
    assert response.status_code == 400
    page = text(response)
    assert f"{luz.reference_label}: " in page
    assert said in page.lower()
    assert not PendingOperation.objects.filter(member=socio).exists()
    assert not BillPayment.objects.exists()


def test_insufficient_funds_and_a_blocked_account_at_the_field(client, socio, luz) -> None:
    poor = account_open(member=socio, idempotency_key="bv-poor")
    response = client.post(PAY, _form(luz, poor))
    assert response.status_code == 400
    assert "Saldo disponible insuficiente" in text(response)
    cash_deposit(account=poor, amount=100_000, idempotency_key="bv-poor-fund")
    account_set_status(account=poor, status=AccountStatus.BLOCKED)
    response = client.post(PAY, _form(luz, poor))
    assert response.status_code == 400
    assert "no admite pagos" in text(response)
    assert not PendingOperation.objects.filter(member=socio).exists()


def test_a_posted_bill_id_or_amount_never_sets_the_amount(client, socio, savings, luz) -> None:
    """ "Pagar" with a bill id the biller does not answer only shows the real bill."""
    response = client.post(PAY, _form(luz, savings, bill="FORGED", amount="1"))
    assert response.status_code == 200
    assert "Revisa el valor de la factura" in text(response)
    assert not PendingOperation.objects.filter(member=socio).exists()


# ------------------------------------------------------------------ paying


def test_a_bill_paid_after_inquiry_walks_to_the_receipt(
    client, socio, savings, luz, django_capture_on_commit_callbacks
) -> None:
    Fee.objects.create(operation="bill_payment", biller=luz, commission=35, iva_rate_bp=1500)
    bill = bill_inquiry(biller=luz, reference=GOOD)
    before = balance(savings)
    shown, started = _consult_and_pay(client, luz, savings)
    assert bill.holder_masked in text(shown)
    assert "Pagar" in text(shown)
    page = _walk(client, socio, started, django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(member=socio)
    assert payment.status == BillPaymentStatus.CONFIRMED
    assert payment.amount == bill.amount
    assert payment.bill_id == bill.bill_id
    assert balance(savings) == before - bill.amount - 35 - 5
    assert "¡Pago exitoso!" in page
    assert f"Comprobante N.º {payment.receipt_id}" in page
    for label in ("Categoría", "Empresa", "Referencia", "Valor pagado", "Total debitado"):
        assert label in page
    assert luz.name in page
    assert GOOD in page
    assert "Realizar otro pago" in page
    # A replay of the code pays nothing more.
    operation = PendingOperation.objects.get(member=socio, kind="bill_payment")
    client.post(code_url(operation), {"code": last_code(socio)})
    assert BillPayment.objects.filter(member=socio).count() == 1
    assert balance(savings) == before - bill.amount - 40
    history = text(client.get(HISTORY))
    assert f"Comprobante N.º {payment.receipt_id}" in history
    assert "Pagado" in history


def test_a_recarga_with_one_of_its_amounts(
    client, socio, savings, recarga, django_capture_on_commit_callbacks
) -> None:
    refused = client.post(PAY, _form(recarga, savings, "0991234567", amount="333"))
    assert refused.status_code == 400
    assert "Selecciona el monto de la recarga." in text(refused)
    started = client.post(PAY, _form(recarga, savings, "0991234567", amount="500"))
    page = _walk(client, socio, started, django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(member=socio)
    assert payment.amount == 500
    assert payment.status == BillPaymentStatus.CONFIRMED
    assert "¡Pago exitoso!" in page
    assert "$ 5.00" in page


def test_refused_after_debit_shows_the_return_with_its_reason(
    client, socio, savings, luz, django_capture_on_commit_callbacks
) -> None:
    before = balance(savings)
    _, started = _consult_and_pay(client, luz, savings, "1000000004")
    page = _walk(client, socio, started, django_capture_on_commit_callbacks)
    payment = BillPayment.objects.get(member=socio)
    assert payment.status == BillPaymentStatus.RETURNED
    assert "Pago devuelto" in page
    assert payment.return_reason in page
    assert balance(savings) == before


def test_guardar_servicio_saves_in_the_payment_and_pagos_frecuentes_fills_it_in(
    client, socio, savings, luz, django_capture_on_commit_callbacks
) -> None:
    _, started = _consult_and_pay(client, luz, savings, save="on", alias="Luz de casa")
    page = _walk(client, socio, started, django_capture_on_commit_callbacks)
    assert "Pagos frecuentes" in page
    saved = SavedService.objects.get(member=socio)
    assert (saved.biller, saved.reference, saved.alias) == (luz, GOOD, "Luz de casa")
    listing = client.get(FREQUENT, {"servicio": "casa"})
    assert "Luz de casa" in text(listing)
    assert "Luz de casa" not in text(client.get(FREQUENT, {"servicio": "agua"}))
    pay = client.get(PAY, {"guardado": saved.pk})
    assert pay.status_code == 200
    assert f'value="{GOOD}"' in pay.content.decode()
    # The next month's bill, paid again with "Guardar servicio": the saved one is reused.
    simulator_bill_publish(
        biller_code=luz.code, reference=GOOD, period=period_of(timezone.now()) + 1
    )
    _, again = _consult_and_pay(client, luz, savings, save="on", alias="Otra")
    _walk(client, socio, again, django_capture_on_commit_callbacks)
    assert SavedService.objects.filter(member=socio).count() == 1


def test_a_failed_payment_saves_nothing(client, socio, savings, luz) -> None:
    _, started = _consult_and_pay(client, luz, savings, save="on")
    operation = latest_operation(socio)
    client.post(started["Location"])
    account_set_status(account=savings, status=AccountStatus.BLOCKED)
    done = client.post(code_url(operation), {"code": last_code(socio)})
    assert done.status_code == 302
    assert not SavedService.objects.exists()
    assert not BillPayment.objects.exists()


def test_deleting_a_saved_service_needs_a_code(client, socio, savings, luz) -> None:
    saved, _ = saved_service_ensure(member=socio, biller=luz, reference=GOOD, alias="Casa")
    assert client.get(reverse("payments:bill_saved_delete", args=[saved.pk])).status_code == 405
    started = client.post(reverse("payments:bill_saved_delete", args=[saved.pk]))
    assert started.status_code == 302
    operation = latest_operation(socio)
    client.post(started["Location"])
    client.post(code_url(operation), {"code": last_code(socio)})
    saved.refresh_from_db()
    assert saved.deleted_at is not None
    assert "Casa" not in text(client.get(FREQUENT))
    # Deleted, the same service may be saved again.
    again, created = saved_service_ensure(member=socio, biller=luz, reference=GOOD)
    assert created
    assert again.pk != saved.pk


# ------------------------------------------------------------- saved services


def test_saved_service_is_unique_among_live_ones(socio, luz) -> None:
    first, created = saved_service_ensure(member=socio, biller=luz, reference="1000 2345 67")
    assert created
    assert first.reference == GOOD
    second, created = saved_service_ensure(member=socio, biller=luz, reference=GOOD)
    assert not created
    assert second.pk == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedService.objects.create(member=socio, biller=luz, reference=GOOD)
    saved_service_delete(saved=first)
    SavedService.objects.create(member=socio, biller=luz, reference=GOOD)


@pytest.mark.parametrize("method", ["pay", "delete"])
def test_another_members_saved_service_is_a_404(client, savings, luz, method) -> None:
    maria = enrolled_member("mariaperez", first_names="Maria", last_names="Perez Guaman")
    theirs, _ = saved_service_ensure(member=maria, biller=luz, reference=GOOD, alias="Suyo")
    if method == "pay":
        response = client.get(PAY, {"guardado": theirs.pk})
    else:
        response = client.post(reverse("payments:bill_saved_delete", args=[theirs.pk]))
        assert (
            client.get(reverse("payments:bill_saved_delete", args=[theirs.pk])).status_code == 404
        )
    assert response.status_code == 404
    assert "Suyo" not in text(client.get(FREQUENT))
    assert client.get(PAY, {"guardado": "abc"}).status_code == 404


def test_bill_inquiries_are_rate_limited_per_member(client, socio, savings, luz, settings) -> None:
    settings.PAYMENTS_RATE_INQUIRY = "2/h"
    for _ in range(2):
        assert client.post(PAY, _form(luz, savings)).status_code == 200
    limited = client.post(PAY, _form(luz, savings))
    assert limited.status_code == 429
    assert "Consultaste demasiadas facturas" in text(limited)
    assert not PendingOperation.objects.filter(member=socio).exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"empresa": ""},
        {"empresa": "x" * 500},
        {"reference": "\x00", "source": "nope", "amount": "abc", "bill": "b" * 500},
        {"reference": "١٠٠٠٢٣٤٥٦٧", "source": "", "save": "on", "alias": "a" * 300},
    ],
)
def test_bad_input_is_never_a_500(client, savings, luz, recarga, data) -> None:
    for biller in (luz, recarga):
        posted = {"empresa": biller.code, **data}
        assert client.post(PAY, posted).status_code in (200, 400, 404)
    assert client.get(FREQUENT, {"categoria": "9" * 30, "servicio": "\x00"}).status_code in (
        200,
        400,
    )
    assert client.get(HISTORY, {"periodo": "x", "desde": "2020-13-45"}).status_code == 400
    new = reverse("payments:bill_schedule_new")
    assert client.get(new, {"categoria": "zz", "empresa": "\x00"}).status_code in (200, 400)
    bad_schedule = {
        "empresa": luz.code,
        "source": savings.number,
        "reference": "1",
        "max_amount": "-5",
        "start_date": "31/31/2026",
        "end_date": "x",
        "frequency": "CADA_HORA",
    }
    assert client.post(new, bad_schedule).status_code == 400
