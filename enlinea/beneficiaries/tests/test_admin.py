"""Members' beneficiaries in the back office: read-only, cards masked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.beneficiaries.services import beneficiary_create
from enlinea.members.tests.support import make_cedula
from enlinea.staff.testing import staff_login

from .conftest import card_number

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:beneficiaries_beneficiary_changelist")


def test_staff_with_the_view_permission_review_a_members_beneficiaries_read_only(
    django_user_model, socio, diners
) -> None:
    number = card_number()
    card = beneficiary_create(
        member=socio,
        kind=BeneficiaryKind.CARD,
        institution_id=diners.pk,
        card_number=number,
        name="Yajaira Ibarra",
        identification_type="CEDULA",
        identification=make_cedula(),
    )
    user = django_user_model.objects.create_user(
        username="soporte.benef", password="x-Back-Office-2026", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_beneficiary"))
    client = staff_login(Client(), user)

    listing = client.get(CHANGELIST, {"q": socio.identification})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [card]
    detail = client.get(reverse("admin:beneficiaries_beneficiary_change", args=[card.pk]))
    page = detail.content.decode()
    assert detail.status_code == 200
    assert number[-4:] in page
    assert number not in page
    assert card.card_digest not in page
    assert client.get(reverse("admin:beneficiaries_beneficiary_add")).status_code == 403
    user.user_permissions.add(*Permission.objects.filter(codename__endswith="_beneficiary"))
    assert client.get(reverse("admin:beneficiaries_beneficiary_add")).status_code == 403
    delete = reverse("admin:beneficiaries_beneficiary_delete", args=[card.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_staff_without_the_permission_do_not_see_beneficiaries(django_user_model) -> None:
    user = django_user_model.objects.create_user(
        username="cajero.benef", password="x-Back-Office-2026", is_staff=True
    )
    assert staff_login(Client(), user).get(CHANGELIST).status_code == 403
