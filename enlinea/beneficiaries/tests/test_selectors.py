"""Owner-scoped reads: the member's list by tab and search, and one beneficiary by id."""

from __future__ import annotations

import pytest
from django.http import Http404

from enlinea.beneficiaries.models import AccountType, BeneficiaryKind
from enlinea.beneficiaries.selectors import (
    beneficiaries_for_member,
    beneficiary_for_member,
    beneficiary_tabs,
)
from enlinea.beneficiaries.services import beneficiary_create, beneficiary_delete
from enlinea.institutions.models import Institution
from enlinea.members.tests.support import make_cedula

from .conftest import card_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(socio, otro, other_account, pichincha, diners) -> dict[str, object]:
    def external(member, name: str, number: str, institution: Institution, alias: str = ""):
        return beneficiary_create(
            member=member,
            kind=BeneficiaryKind.EXTERNAL,
            institution_id=institution.pk,
            account_type=AccountType.SAVINGS,
            account_number=number,
            name=name,
            identification_type="CEDULA",
            identification=make_cedula(),
            alias=alias,
        )

    return {
        "internal": beneficiary_create(
            member=socio,
            kind=BeneficiaryKind.INTERNAL,
            account_number=other_account.number,
            alias="Mamá",
        ),
        "jose": external(socio, "José Muñoz", "2200111222", pichincha, alias="Pepe"),
        "ana": external(
            socio, "Ana Zambrano", "0040555666", Institution.objects.get(name="PRODUBANCO")
        ),
        "card": beneficiary_create(
            member=socio,
            kind=BeneficiaryKind.CARD,
            institution_id=diners.pk,
            card_number=card_number("36006666333344"),
            name="Yajaira Ibarra",
            identification_type="CEDULA",
            identification=make_cedula(),
            alias="Tarjeta Yadi",
        ),
        "theirs": external(otro, "Jose Muñoz", "2200111222", pichincha),
    }


def _names(rows) -> list[str]:
    return [row.name for row in rows]


def test_the_tabs_are_the_manuals_named_after_the_institution(settings) -> None:
    settings.INSTITUTION = {**settings.INSTITUTION, "short_name": "Cooprogreso"}
    assert beneficiary_tabs() == [
        (BeneficiaryKind.INTERNAL, "Beneficiario Cooprogreso"),
        (BeneficiaryKind.EXTERNAL, "Beneficiario Otros Bancos"),
        (BeneficiaryKind.CARD, "Pago Tarjetas"),
    ]


def test_a_member_lists_only_their_own_by_tab_in_name_order(socio, saved) -> None:
    assert _names(beneficiaries_for_member(member=socio)) == [
        "ANA ZAMBRANO",
        "JOSÉ MUÑOZ",
        "MA*** PE***",
        "YAJAIRA IBARRA",
    ]
    assert _names(beneficiaries_for_member(member=socio, kind=BeneficiaryKind.EXTERNAL)) == [
        "ANA ZAMBRANO",
        "JOSÉ MUÑOZ",
    ]
    assert _names(beneficiaries_for_member(member=socio, kind=BeneficiaryKind.INTERNAL)) == [
        "MA*** PE***"
    ]
    assert _names(beneficiaries_for_member(member=socio, kind=BeneficiaryKind.CARD)) == [
        "YAJAIRA IBARRA"
    ]
    with pytest.raises(ValueError, match="Unknown beneficiary kind"):
        beneficiaries_for_member(member=socio, kind="otra")


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("jose munoz", ["JOSÉ MUÑOZ"]),  # accents ignored, both ways
        ("MUÑOZ", ["JOSÉ MUÑOZ"]),
        ("pepe", ["JOSÉ MUÑOZ"]),  # alias
        ("mama", ["MA*** PE***"]),
        ("pichincha", ["JOSÉ MUÑOZ"]),  # institution
        ("diners", ["YAJAIRA IBARRA"]),
        ("5666", ["ANA ZAMBRANO"]),  # last digits of the account
        ("<card>", ["YAJAIRA IBARRA"]),  # last digits of the card
        ("produbanco ana", ["ANA ZAMBRANO"]),  # every word must match
        ("produbanco jose", []),
        ("   ", ["ANA ZAMBRANO", "JOSÉ MUÑOZ", "MA*** PE***", "YAJAIRA IBARRA"]),
    ],
)
def test_the_search_finds_by_name_alias_institution_or_digits(
    socio, saved, search, expected
) -> None:
    search = search.replace("<card>", saved["card"].card_last4)
    assert _names(beneficiaries_for_member(member=socio, search=search)) == expected


def test_one_beneficiary_by_id_is_found_only_by_its_owner(socio, otro, saved) -> None:
    mine = saved["jose"]
    assert beneficiary_for_member(member=socio, beneficiary_id=str(mine.pk)) == mine
    with pytest.raises(Http404):
        beneficiary_for_member(member=otro, beneficiary_id=mine.pk)
    with pytest.raises(Http404):
        beneficiary_for_member(member=socio, beneficiary_id=saved["theirs"].pk)
    for malformed in ("", None, "1; DROP", "9999999"):
        with pytest.raises(Http404):
            beneficiary_for_member(member=socio, beneficiary_id=malformed)


def test_a_deleted_beneficiary_leaves_the_lists_and_answers_404(socio, saved) -> None:
    gone = saved["ana"]
    beneficiary_delete(member=socio, beneficiary_id=gone.pk)
    assert gone not in beneficiaries_for_member(member=socio)
    with pytest.raises(Http404):
        beneficiary_for_member(member=socio, beneficiary_id=gone.pk)
