"""Servicios > Personalización de cupos through the Django client: the maximums and
what remains beside each amount, every refusal at its field, and the change made only
by the confirmation flow's code."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from enlinea.access.tests.profile_support import (
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
    text,
)
from enlinea.limits.models import Scope, TransferLimit
from enlinea.limits.services import limit_reserve

pytestmark = pytest.mark.django_db

URL = reverse("limits:edit")
DEFAULTS = {
    "internal_daily": "20,000.00",
    "internal_weekly": "50000",
    "internal_monthly": "100000",
    "external_daily": "15000",
    "external_weekly": "20000",
    "external_monthly": "40000",
}


@pytest.fixture
def socio(db):
    return enrolled_member("andreslopez")


@pytest.fixture
def client(socio):
    return logged_in(socio)


def _error(body: str, field: str, message: str) -> bool:
    return f'id="id_{field}_error"><span class="visually-hidden">Error:</span> {message}' in body


def test_the_page_shows_each_cupo_with_the_maximum_and_what_remains(client, socio) -> None:
    with transaction.atomic():
        limit_reserve(member=socio, scope=Scope.EXTERNAL, amount=1_500_00, reference="t-1", at=None)
    response = client.get(URL)
    assert response.status_code == 200
    body = text(response)
    assert "Transferencias internas" in body
    assert "Transferencias externas" in body
    for label in ("Monto máximo (DIARIO)", "Monto máximo (SEMANAL)", "Monto máximo (MENSUAL)"):
        assert body.count(label) == 2
    assert "Máximo de la cooperativa: $ 15,000.00. Disponible hoy: $ 13,500.00." in body
    assert "Máximo de la cooperativa: $ 40,000.00. Disponible este mes: $ 38,500.00." in body
    assert 'name="external_daily" value="15000.00"' in body


def test_a_cupo_over_the_maximum_is_said_at_its_field(client) -> None:
    response = client.post(URL, {**DEFAULTS, "external_daily": "16,000.00"})
    assert response.status_code == 400
    body = text(response)
    assert "<title>Error: " in body
    assert _error(
        body,
        "external_daily",
        "El cupo diario no puede superar el máximo de $ 15,000.00 de la cooperativa.",
    )
    assert not TransferLimit.objects.exists()


def test_empty_unreadable_and_disordered_amounts_are_each_said_at_their_field(client) -> None:
    response = client.post(
        URL,
        {
            **DEFAULTS,
            "internal_daily": "",
            "internal_weekly": "abc",
            "external_daily": "0",
            "external_weekly": "10000",
            "external_monthly": "5000",
        },
    )
    assert response.status_code == 400
    body = text(response)
    assert 'id="id_internal_weekly_error"' in body  # unreadable
    assert _error(body, "external_daily", "El cupo diario debe ser mayor a cero.")
    assert _error(
        body,
        "external_monthly",
        "El cupo mensual no puede ser menor que el cupo semanal ($ 10,000.00).",
    )
    assert 'value="abc"' in body  # what was typed stays


def test_an_empty_amount_alone_is_said_at_its_field(client) -> None:
    body = text(client.post(URL, {**DEFAULTS, "internal_daily": ""}))
    assert _error(body, "internal_daily", "Ingresa el cupo diario.")


def test_confirmar_sends_the_code_and_the_code_sets_both_cupos(client, socio) -> None:
    started = client.post(
        URL, {**DEFAULTS, "external_daily": "1.000,00", "internal_monthly": "90000"}
    )
    operation = latest_operation(socio)
    assert started["Location"] == code_url(operation)  # the page itself is the confirmation
    assert not TransferLimit.objects.filter(personalized_at__isnull=False).exists()
    done = client.post(code_url(operation), {"code": last_code(socio)})
    result = text(client.get(done["Location"]))
    assert "El proceso se realizó exitosamente." in result
    assert "$ 1,000.00" in result
    external = TransferLimit.objects.get(member=socio, scope=Scope.EXTERNAL)
    internal = TransferLimit.objects.get(member=socio, scope=Scope.INTERNAL)
    assert (external.daily, external.weekly, external.monthly) == (1_000_00, 20_000_00, 40_000_00)
    assert internal.monthly == 90_000_00
    assert 'name="external_daily" value="1000.00"' in text(client.get(URL))


def test_a_lowered_maximum_before_the_code_makes_the_operation_fail(client, socio) -> None:
    from enlinea.limits.models import InstitutionLimit

    client.post(URL, {**DEFAULTS, "external_daily": "15000"})
    operation = latest_operation(socio)
    InstitutionLimit.objects.filter(scope=Scope.EXTERNAL).update(daily=10_000_00)
    done = client.post(code_url(operation), {"code": last_code(socio)})
    result = text(client.get(done["Location"]))
    assert "no puede superar el máximo de $ 10,000.00" in result
    assert not TransferLimit.objects.filter(personalized_at__isnull=False).exists()


def test_the_page_needs_a_login(socio) -> None:
    from django.test import Client

    assert Client().get(URL).status_code == 302


def test_the_menu_option_reaches_the_page(client) -> None:
    body = text(client.get(reverse("web:section", kwargs={"slug": "servicios"})))
    assert f'href="{URL}"' in body
