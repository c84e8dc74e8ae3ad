"""Blocking cards, paying pólizas and cutting statements each need their own permission."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from enlinea.products.models import CardStatus, InvestmentStatus
from enlinea.products.roles import OPERATIONS, SUPPORT, TELLER
from enlinea.products.services import (
    card_set_status,
    credit_card_issue,
    debit_card_issue,
    investment_open,
)
from enlinea.products.tests.support import STAFF_PASSWORD, balance, run_action, url
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

OWN_PERMISSIONS = {
    "pay_investment": ("investment", "Puede pagar pólizas al vencimiento"),
    "cut_statement": (
        "creditcard",
        "Puede hacer el corte de estado de cuenta de tarjetas de crédito",
    ),
    "block_creditcard": ("creditcard", "Puede bloquear y desbloquear tarjetas de crédito"),
    "block_debitcard": ("debitcard", "Puede bloquear y desbloquear tarjetas de débito"),
}


@pytest.fixture
def cards(socio, savings):
    return {
        "debitcard": debit_card_issue(account=savings, idempotency_key="debit"),
        "creditcard": credit_card_issue(member=socio, credit_limit=100_000, idempotency_key="cc"),
    }


@pytest.fixture
def matured(socio, savings):
    """A póliza that reached maturity yesterday."""
    return investment_open(
        member=socio,
        source_account=savings,
        capital=100_000,
        annual_rate_bp=650,
        term_days=30,
        start_date=timezone.localdate() - datetime.timedelta(days=31),
        idempotency_key="matured",
    )


def actions_offered(client, model: str) -> set[str]:
    page = client.get(url(f"{model}_changelist"))
    assert page.status_code == 200
    form = page.context["action_form"]  # None when no action is allowed
    return set() if form is None else {name for name, _ in form.fields["action"].choices if name}


def test_each_operation_has_its_own_permission_with_a_spanish_name() -> None:
    for codename, (model, name) in OWN_PERMISSIONS.items():
        permission = Permission.objects.get(content_type__app_label="products", codename=codename)
        assert (permission.content_type.model, permission.name) == (model, name)


@pytest.mark.parametrize("role", [OPERATIONS, SUPPORT])
@pytest.mark.parametrize("model", ["debitcard", "creditcard"])
def test_operations_and_support_block_and_unblock_cards(login, cards, role, model) -> None:
    card = cards[model]
    client = login(role)
    assert {"block", "unblock"} <= actions_offered(client, model)

    run_action(client, model, "block", card)
    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED

    run_action(client, model, "unblock", card)
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


@pytest.mark.parametrize("model", ["debitcard", "creditcard"])
def test_a_teller_cannot_block_or_unblock_cards(login, cards, model) -> None:
    card = cards[model]
    client = login(TELLER)

    assert run_action(client, model, "block", card).status_code == 403
    card_set_status(card=card, status=CardStatus.BLOCKED)
    assert run_action(client, model, "unblock", card).status_code == 403

    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED


def test_a_user_who_may_only_see_cards_is_offered_no_block(
    login, cards, django_user_model, client
) -> None:
    viewer = django_user_model.objects.create_user(
        username="solo-lectura", password=STAFF_PASSWORD, is_staff=True
    )
    viewer.user_permissions.add(Permission.objects.get(codename="view_creditcard"))
    staff_login(client, viewer)
    card = cards["creditcard"]

    assert actions_offered(client, "creditcard") == set()
    run_action(client, "creditcard", "block", card)

    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_operations_cuts_a_statement(login, cards) -> None:
    card = cards["creditcard"]
    client = login(OPERATIONS)
    assert "statement_cut" in actions_offered(client, "creditcard")

    run_action(client, "creditcard", "statement_cut", card)

    card.refresh_from_db()
    assert card.last_statement_date == timezone.localdate()


def test_support_is_not_offered_the_statement_cut_and_cannot_run_it(login, cards) -> None:
    card = cards["creditcard"]
    client = login(SUPPORT)

    assert "statement_cut" not in actions_offered(client, "creditcard")
    run_action(client, "creditcard", "statement_cut", card)

    card.refresh_from_db()
    assert card.last_statement_date is None


def test_a_teller_gets_403_on_the_statement_cut(login, cards) -> None:
    card = cards["creditcard"]

    assert run_action(login(TELLER), "creditcard", "statement_cut", card).status_code == 403
    card.refresh_from_db()
    assert card.last_statement_date is None


def test_operations_pays_a_matured_poliza(login, matured, savings) -> None:
    client = login(OPERATIONS)
    assert "pay_at_maturity" in actions_offered(client, "investment")

    run_action(client, "investment", "pay_at_maturity", matured)

    matured.refresh_from_db()
    assert matured.status == InvestmentStatus.PAID
    assert balance(savings) == 400_000 + matured.capital + matured.interest - matured.withholding


def test_support_is_not_offered_the_poliza_payment_and_cannot_run_it(
    login, matured, savings
) -> None:
    client = login(SUPPORT)

    assert "pay_at_maturity" not in actions_offered(client, "investment")
    run_action(client, "investment", "pay_at_maturity", matured)

    matured.refresh_from_db()
    assert matured.status == InvestmentStatus.CURRENT
    assert balance(savings) == 400_000


def test_a_teller_gets_403_on_the_poliza_payment(login, matured, savings) -> None:
    assert run_action(login(TELLER), "investment", "pay_at_maturity", matured).status_code == 403
    matured.refresh_from_db()
    assert matured.status == InvestmentStatus.CURRENT


def test_the_permissions_these_operations_used_to_borrow_no_longer_allow_them(
    login, cards, matured, django_user_model, client
) -> None:
    user = django_user_model.objects.create_user(
        username="prestado", password=STAFF_PASSWORD, is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="products",
            codename__in=[
                "view_creditcard",
                "change_creditcard",
                "view_investment",
                "change_investment",
                "block_product",
            ],
        )
    )
    staff_login(client, user)

    assert actions_offered(client, "creditcard") == set()
    assert actions_offered(client, "investment") == set()
    run_action(client, "creditcard", "block", cards["creditcard"])
    run_action(client, "creditcard", "statement_cut", cards["creditcard"])
    run_action(client, "investment", "pay_at_maturity", matured)

    cards["creditcard"].refresh_from_db()
    matured.refresh_from_db()
    assert cards["creditcard"].status == CardStatus.ACTIVE
    assert cards["creditcard"].last_statement_date is None
    assert matured.status == InvestmentStatus.CURRENT
