"""Staff roles: ``setup_roles`` creates them idempotently with exactly these permissions."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from enlinea.products.roles import OPERATIONS, ROLES, SUPPORT, TELLER, roles_ensure

pytestmark = pytest.mark.django_db

LEDGER_VIEW = {
    "ledger.view_ledgeraccount",
    "ledger.view_journalentry",
    "ledger.view_posting",
    "ledger.view_hold",
}
PRODUCTS_VIEW = {
    "products.view_depositaccount",
    "products.view_loan",
    "products.view_loaninstallment",
    "products.view_investment",
    "products.view_debitcard",
    "products.view_creditcard",
    "products.view_cardpurchase",
}
CARDS_BLOCK = {"products.block_debitcard", "products.block_creditcard"}
ACCESS_VIEW = {
    "security.view_auditevent",
    "access.view_loginrecord",
    "access.view_onlineprofile",
    "access.view_device",
    "access.view_consent",
    "notifications.view_message",
}
EXPECTED = {
    TELLER: {
        "members.add_member",
        "members.view_member",
        "products.view_depositaccount",
        "products.cash_deposit",
        "products.cash_withdrawal",
        "products.view_cashoperation",
    },
    OPERATIONS: {
        "members.add_member",
        "members.change_member",
        "members.view_member",
        "products.add_depositaccount",
        "products.block_product",
        "products.disburse_loan",
        "products.add_investment",
        "products.pay_investment",
        "products.add_debitcard",
        "products.add_creditcard",
        "products.cut_statement",
        "products.add_cardpurchase",
        "products.view_cashoperation",
        "products.approve_cash",
        "staff.view_staffaccess",
        "staff.unlock_staffaccess",
        "tariff.view_fee",
        "tariff.add_fee",
        "tariff.change_fee",
        "payments.view_billercategory",
        "payments.add_billercategory",
        "payments.change_billercategory",
        "payments.view_biller",
        "payments.add_biller",
        "payments.change_biller",
        "payments.view_billpayment",
        "cards.view_deferralpolicy",
        "cards.change_deferralpolicy",
        "cards.view_deferral",
        "cards.view_travelnotice",
        "limits.view_institutionlimit",
        "limits.change_institutionlimit",
        "limits.view_transferlimit",
        "limits.view_limitusage",
        "institutions.view_institution",
        "institutions.add_institution",
        "institutions.change_institution",
        "beneficiaries.view_beneficiary",
        "transfers.view_interbanktransfer",
        "transfers.view_interbankbatch",
        "transfers.view_incomingtransfer",
        "transfers.resolve_interbanktransfer",
        *CARDS_BLOCK,
        *PRODUCTS_VIEW,
        *LEDGER_VIEW,
        *ACCESS_VIEW,
        "admin.view_logentry",
        "support.view_complaint",
        "support.view_complaintevent",
    },
    SUPPORT: {
        "members.view_member",
        *PRODUCTS_VIEW,
        *CARDS_BLOCK,
        *LEDGER_VIEW,
        *ACCESS_VIEW,
        "security.view_securitychallenge",
        "limits.view_institutionlimit",
        "limits.view_transferlimit",
        "limits.view_limitusage",
        "institutions.view_institution",
        "beneficiaries.view_beneficiary",
        "payments.view_biller",
        "payments.view_billpayment",
        "transfers.view_interbanktransfer",
        "transfers.view_interbankbatch",
        "transfers.view_incomingtransfer",
        "admin.view_logentry",
        "support.view_complaint",
        "support.view_complaintevent",
        "support.change_complaint",
    },
}


def permissions_of(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_setup_roles_creates_each_group_with_exactly_its_permissions() -> None:
    out = StringIO()

    call_command("setup_roles", stdout=out)

    assert set(ROLES) == {TELLER, OPERATIONS, SUPPORT}
    for name, expected in EXPECTED.items():
        assert permissions_of(name) == expected, name
    assert "Roles del back office al día." in out.getvalue()


def test_setup_roles_is_idempotent_and_repairs_drift() -> None:
    call_command("setup_roles", stdout=StringIO())
    teller = Group.objects.get(name=TELLER)
    teller.permissions.add(Permission.objects.get(codename="disburse_loan"))
    teller.permissions.remove(Permission.objects.get(codename="cash_withdrawal"))

    call_command("setup_roles", stdout=StringIO())
    roles_ensure()

    assert Group.objects.filter(name__in=list(EXPECTED)).count() == 3
    assert Group.objects.get(name=TELLER).pk == teller.pk
    for name, expected in EXPECTED.items():
        assert permissions_of(name) == expected, name


def test_no_role_may_change_or_delete_money_rows() -> None:
    roles_ensure()

    for name in EXPECTED:
        for permission in permissions_of(name):
            app_label, codename = permission.split(".")
            if app_label == "ledger":
                assert codename.startswith("view_"), (name, permission)
            assert not codename.startswith("delete_"), (name, permission)


@pytest.mark.django_db
def test_roles_exist_right_after_migrate() -> None:
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"Cajero", "Operaciones", "Soporte"} <= names
    assert Group.objects.get(name="Cajero").permissions.filter(codename="cash_deposit").exists()
