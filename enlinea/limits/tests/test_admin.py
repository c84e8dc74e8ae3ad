"""The institution edits its maximum cupos in the back office, in dollars; members' cupos
and their usages are shown read-only."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from enlinea.limits.models import InstitutionLimit, Scope
from enlinea.limits.selectors import Amounts, maximums_for
from enlinea.limits.services import limits_set
from enlinea.staff.testing import staff_login

from .support import local, reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def gerencia(django_user_model) -> Client:
    user = django_user_model.objects.create_superuser(
        username="gerencia", email="gerencia@example.com", password="x-Back-Office-2026"
    )
    return staff_login(Client(), user)


def _change_url(scope: str) -> str:
    row = InstitutionLimit.objects.get(scope=scope)
    return reverse("admin:limits_institutionlimit_change", args=[row.pk])


def test_the_form_shows_dollars_and_saves_cents(gerencia) -> None:
    url = _change_url(Scope.EXTERNAL)
    page = gerencia.get(url).content.decode()
    assert 'value="15,000.00"' in page
    assert 'value="40,000.00"' in page

    response = gerencia.post(url, {"daily": "12,000.00", "weekly": "25000", "monthly": "50,000.50"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert maximums_for(Scope.EXTERNAL) == Amounts(12_000_00, 25_000_00, 50_000_50)
    assert LogEntry.objects.filter(user__username="gerencia").exists()


def test_bad_maximums_are_told_at_their_fields_and_nothing_changes(gerencia) -> None:
    url = _change_url(Scope.EXTERNAL)
    response = gerencia.post(url, {"daily": "30,000.00", "weekly": "20,000.00", "monthly": "0"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["weekly"] == [
        "El máximo semanal no puede ser menor que el máximo diario ($ 30,000.00)."
    ]
    assert errors["monthly"] == ["Ingresa un monto mayor a cero."]

    response = gerencia.post(url, {"daily": "1.500", "weekly": "20,000.00", "monthly": ""})
    errors = response.context["adminform"].form.errors
    assert "dos decimales" in errors["daily"][0]
    assert errors["monthly"] == ["Ingresa un monto."]
    assert maximums_for(Scope.EXTERNAL) == Amounts(15_000_00, 20_000_00, 40_000_00)


def test_maximums_cannot_be_deleted_nor_duplicated(gerencia) -> None:
    row = InstitutionLimit.objects.get(scope=Scope.INTERNAL)
    delete = reverse("admin:limits_institutionlimit_delete", args=[row.pk])
    assert gerencia.post(delete, {"post": "yes"}).status_code == 403
    assert gerencia.get(reverse("admin:limits_institutionlimit_add")).status_code == 403
    assert InstitutionLimit.objects.count() == 2


def test_members_cupos_and_usages_are_read_only(gerencia, socio) -> None:
    limits_set(
        member=socio, scope=Scope.EXTERNAL, daily=1_000_00, weekly=2_000_00, monthly=3_000_00
    )
    usage = reserve(socio, Scope.EXTERNAL, 500_00, at=local(2026, 5, 5), reference="ref-admin")
    listing = gerencia.get(reverse("admin:limits_transferlimit_changelist")).content.decode()
    assert "$ 1,000.00" in listing
    change = reverse("admin:limits_transferlimit_change", args=[usage.limit_id])
    page = gerencia.get(change)
    assert page.status_code == 200
    assert "ref-admin" in page.content.decode()
    assert gerencia.post(change, {"daily": "1"}).status_code == 403
    usages = gerencia.get(reverse("admin:limits_limitusage_changelist")).content.decode()
    assert "ref-admin" in usages
    assert "$ 500.00" in usages
