"""The tariff: the commission and its IVA, and posting them as their own movements."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from enlinea.tariff.models import Fee
from enlinea.tariff.services import Fees, fees_for

pytestmark = pytest.mark.django_db


def test_the_interbank_fee_is_the_manuals_036_plus_iva_005() -> None:
    assert fees_for("transfer_interbank") == Fees(commission=36, iva=5)  # the tariff's row
    Fee.objects.filter(operation="transfer_interbank").delete()  # and the code's default
    assert fees_for("transfer_interbank") == Fees(commission=36, iva=5)
    assert fees_for("transfer_interbank").total == 41


def test_the_institution_sets_the_fee_and_iva_rounds_half_up() -> None:
    Fee.objects.update_or_create(
        operation="bill_payment", defaults={"commission": 25, "iva_rate_bp": 1500}
    )
    assert fees_for("bill_payment") == Fees(commission=25, iva=4)  # 3.75 -> 4
    Fee.objects.update_or_create(
        operation="card_payment", defaults={"commission": 36, "iva_rate_bp": 1200}
    )
    assert fees_for("card_payment") == Fees(commission=36, iva=4)  # 4.32 -> 4
    Fee.objects.filter(operation="transfer_own").delete()
    assert fees_for("transfer_own") == Fees(commission=0, iva=0)  # the default


def test_an_unknown_operation_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown tariff operation"):
        fees_for("nope")


def _staff(role: str, username: str) -> Client:
    from django.contrib.auth import get_user_model

    from enlinea.products.roles import roles_ensure
    from enlinea.staff.testing import staff_login

    user = get_user_model().objects.create_user(
        username=username, password="x-Back-Office-2026", is_staff=True
    )
    user.groups.add(roles_ensure()[role])
    return staff_login(Client(), user)


def test_operaciones_edits_the_tarifario_in_the_back_office_and_the_cajero_cannot() -> None:
    from enlinea.products.roles import OPERATIONS, TELLER

    fee = Fee.objects.get(operation="transfer_interbank")
    url = reverse("admin:tariff_fee_change", args=[fee.pk])
    cajero = _staff(TELLER, "cajero.tarifa")
    assert cajero.get(url).status_code == 403
    assert (
        cajero.post(
            url, {"operation": fee.operation, "commission": 1, "iva_rate_bp": 0}
        ).status_code
        == 403
    )
    assert fees_for("transfer_interbank") == Fees(commission=36, iva=5)

    supervisor = _staff(OPERATIONS, "operaciones.tarifa")
    assert supervisor.get(url).status_code == 200
    form = {"operation": fee.operation, "commission": 50, "iva_rate_bp": 1500}
    response = supervisor.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fees_for("transfer_interbank") == Fees(commission=50, iva=8)  # 7.5 -> 8
    assert LogEntry.objects.filter(object_id=str(fee.pk), user__username="operaciones.tarifa")
