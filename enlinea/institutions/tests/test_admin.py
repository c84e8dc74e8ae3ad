"""The catalogue in the back office: who may read and edit it, search, filters, history."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from enlinea.institutions.models import Institution
from enlinea.institutions.selectors import institutions_for_choice
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:institutions_institution_changelist")


def _staff(django_user_model, username: str, *codenames: str) -> Client:
    user = django_user_model.objects.create_user(
        username=username, password="x-Back-Office-2026", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="institutions", codename__in=codenames)
    )
    return staff_login(Client(), user)


def _names(response) -> list[str]:
    return [row.name for row in response.context["cl"].result_list]


def test_staff_with_the_view_permission_searches_and_filters_the_catalogue(
    django_user_model,
) -> None:
    client = _staff(django_user_model, "lectura.entidades", "view_institution")
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == Institution.objects.count()
    found = client.get(CHANGELIST, {"q": "oscus"})
    assert _names(found) == ["COOP. AHORRO Y CREDITO OSCUS"]
    by_code = client.get(CHANGELIST, {"q": "0066"})
    assert _names(by_code) == ["BANECUADOR B.P."]
    mutualistas = client.get(CHANGELIST, {"kind__exact": "MUTUALISTA"})
    assert sorted(_names(mutualistas)) == [
        "MUTUALISTA AMBATO",
        "MUTUALISTA AZUAY",
        "MUTUALISTA IMBABURA",
        "MUTUALISTA PICHINCHA",
    ]
    # Reading is not editing.
    pichincha = Institution.objects.get(name="BANCO PICHINCHA")
    change = reverse("admin:institutions_institution_change", args=[pichincha.pk])
    assert client.post(change, {"name": "X", "kind": "BANCO", "sort_order": 1}).status_code == 403
    assert Institution.objects.get(pk=pichincha.pk).name == "BANCO PICHINCHA"


def test_staff_without_permission_do_not_see_the_catalogue(django_user_model) -> None:
    client = _staff(django_user_model, "sin.permiso")
    assert client.get(CHANGELIST).status_code == 403


def test_an_edit_is_normalized_and_lands_in_the_change_history(django_user_model) -> None:
    client = _staff(django_user_model, "editor.entidades", "view_institution", "change_institution")
    finca = Institution.objects.get(name="BANCO PARA LA ASISTENCIA COMUNITARIA FINCA S.A.")
    url = reverse("admin:institutions_institution_change", args=[finca.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "  banco   visionfund ecuador s.a. ",
            "code": "",
            "kind": "BANCO",
            "sort_order": 10,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    finca.refresh_from_db()
    assert finca.name == "BANCO VISIONFUND ECUADOR S.A."
    entry = LogEntry.objects.get(object_id=str(finca.pk), user__username="editor.entidades")
    assert entry.action_flag == CHANGE

    # Another institution cannot take a name already used (whatever its case).
    oscus = Institution.objects.get(name="COOP. AHORRO Y CREDITO OSCUS")
    refused = client.post(
        reverse("admin:institutions_institution_change", args=[oscus.pk]),
        {"name": "banco pichincha", "code": "", "kind": "BANCO", "sort_order": 10},
    )
    assert refused.status_code == 200
    assert "Ya existe una entidad financiera con este nombre." in refused.content.decode()


def test_deactivating_removes_it_from_the_dropdown_and_is_logged(django_user_model) -> None:
    client = _staff(django_user_model, "editor.estado", "view_institution", "change_institution")
    chosen = Institution.objects.filter(name__in=["MUTUALISTA AMBATO", "MUTUALISTA AZUAY"])
    response = client.post(
        CHANGELIST,
        {"action": "deactivate", "_selected_action": [str(i.pk) for i in chosen]},
    )
    assert response.status_code == 302
    assert not Institution.objects.filter(pk__in=chosen, active=True).exists()
    assert not institutions_for_choice().filter(pk__in=chosen).exists()
    assert (
        LogEntry.objects.filter(
            user__username="editor.estado", change_message="Desactivada."
        ).count()
        == 2
    )
    client.post(CHANGELIST, {"action": "activate", "_selected_action": [str(chosen[0].pk)]})
    assert institutions_for_choice().filter(name="MUTUALISTA AMBATO").exists()


def test_nobody_deletes_an_institution_not_even_a_superuser(admin_client) -> None:
    pichincha = Institution.objects.get(name="BANCO PICHINCHA")
    delete = reverse("admin:institutions_institution_delete", args=[pichincha.pk])
    assert admin_client.get(delete).status_code == 403
    admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [str(pichincha.pk)], "post": "yes"},
    )
    assert Institution.objects.filter(pk=pichincha.pk).exists()
