from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from enlinea.members.models import Member
from enlinea.members.selectors import member_for_user, member_get_by_identification
from enlinea.members.services import member_create
from enlinea.members.tests.support import make_cedula, member_data

pytestmark = pytest.mark.django_db


def test_member_is_found_by_identification_typed_with_separators() -> None:
    cedula = make_cedula()
    member = member_create(**member_data(identification=cedula))
    found = member_get_by_identification(
        identification_type="CEDULA", identification=f"{cedula[:3]}.{cedula[3:6]}-{cedula[6:]}"
    )
    assert found == member


def test_pasaporte_is_found_whatever_its_case() -> None:
    member = member_create(
        **member_data(identification_type="PASAPORTE", identification="AB123456")
    )
    assert (
        member_get_by_identification(identification_type="PASAPORTE", identification="ab123456")
        == member
    )


def test_unknown_invalid_or_other_type_identification_finds_nobody() -> None:
    cedula = make_cedula()
    member_create(**member_data(identification=cedula))
    assert (
        member_get_by_identification(identification_type="CEDULA", identification=make_cedula())
        is None
    )
    assert member_get_by_identification(identification_type="CEDULA", identification="123") is None
    assert member_get_by_identification(identification_type="RUC", identification=cedula) is None
    assert member_get_by_identification(identification_type="DNI", identification=cedula) is None


def test_member_for_user_returns_the_users_member(django_user_model) -> None:
    user = django_user_model.objects.create_user(username="andreslopez", password="x-Progreso#2026")
    member = member_create(**member_data())
    Member.objects.filter(pk=member.pk).update(user=user)
    assert member_for_user(user=user) == member


def test_member_for_user_is_404_for_a_user_without_member(django_user_model) -> None:
    member_create(**member_data())
    user = django_user_model.objects.create_user(username="staff", password="x-Progreso#2026")
    with pytest.raises(Http404):
        member_for_user(user=user)


def test_member_for_user_is_404_for_an_anonymous_visitor() -> None:
    member_create(**member_data())
    with pytest.raises(Http404):
        member_for_user(user=AnonymousUser())
