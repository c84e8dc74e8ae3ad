"""A form sent twice (double click, reload, back and resend) is applied once."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.utils import timezone

from enlinea.ledger.models import LedgerAccount
from enlinea.products.models import CreditCard, DebitCard
from enlinea.products.roles import OPERATIONS
from enlinea.products.services import card_purchase_record, credit_card_issue
from enlinea.products.tests.support import fresh_key, messages_of, run_action, url

pytestmark = pytest.mark.django_db

AGAIN = "Este formulario ya se había enviado"


def additions() -> int:
    return LogEntry.objects.filter(action_flag=ADDITION).count()


@pytest.mark.parametrize("model", ["depositaccount", "debitcard", "creditcard"])
def test_the_opening_and_issuing_forms_carry_a_hidden_key(login, model) -> None:
    client = login(OPERATIONS)

    page = client.get(url(f"{model}_add"))

    assert page.status_code == 200
    key = page.context["form"]["idempotency_key"].value()
    assert f'type="hidden" name="idempotency_key" value="{key}"' in page.text
    assert fresh_key(client, url(f"{model}_add")) != fresh_key(client, url(f"{model}_add"))


def form_data(model: str, socio, savings) -> dict[str, object]:
    """What staff type in the opening and issuing forms."""
    return {
        "depositaccount": {"member": socio.pk, "kind": "savings", "signature": "unica"},
        "debitcard": {"account": savings.pk, "card_type": "MC Débito"},
        "creditcard": {
            "member": socio.pk,
            "credit_limit": "1,500.00",
            "card_type": "Mastercard Estándar",
            "statement_day": "15",
        },
    }[model]


@pytest.mark.parametrize(
    ("model", "operation", "ledger_accounts_added", "again"),
    [
        ("depositaccount", "account_open", 1, "ya estaba abierta y no se abrió otra."),
        ("debitcard", "debit_card_issue", 0, "ya estaba emitida y no se emitió otra."),
        ("creditcard", "credit_card_issue", 1, "ya estaba emitida y no se emitió otra."),
    ],
)
def test_a_double_submitted_opening_or_issue_creates_one_row(
    login, socio, savings, model, operation, ledger_accounts_added, again
) -> None:
    client = login(OPERATIONS)
    key = fresh_key(client, url(f"{model}_add"))
    data = {**form_data(model, socio, savings), "idempotency_key": key}
    ledger_accounts = LedgerAccount.objects.count()

    first = client.post(url(f"{model}_add"), data)
    second = client.post(url(f"{model}_add"), data, follow=True)

    made = apps.get_model("products", model).objects.filter(
        idempotency_key__startswith="backoffice:"
    )
    obj = made.get()  # exactly one, with the form's key
    assert obj.idempotency_key == f"backoffice:{operation}:{key}"
    assert first.status_code == 302
    assert first.url == second.redirect_chain[0][0] == url(f"{model}_change", obj.pk)
    assert LedgerAccount.objects.count() == ledger_accounts + ledger_accounts_added
    [warning] = [m for m in messages_of(second) if m.startswith(AGAIN)]
    assert warning.endswith(again)
    assert additions() == 1


def test_an_old_form_resent_with_other_data_is_refused_beside_the_field(
    login, socio, savings
) -> None:
    client = login(OPERATIONS)
    data = {
        **form_data("creditcard", socio, savings),
        "idempotency_key": fresh_key(client, url("creditcard_add")),
    }
    client.post(url("creditcard_add"), data)
    card = CreditCard.objects.get()

    response = client.post(url("creditcard_add"), {**data, "credit_limit": "3,000.00"})

    assert response.status_code == 200
    assert response.context["form"].errors["credit_limit"] == [
        f"Esta solicitud ya se registró con otros datos ({card}); no se aplicó de nuevo. "
        "Para una operación nueva, vuelve a abrir el formulario."
    ]
    assert CreditCard.objects.count() == 1


def test_an_issuing_form_without_its_key_is_refused(login, savings) -> None:
    client = login(OPERATIONS)

    response = client.post(url("debitcard_add"), {"account": savings.pk, "card_type": "MC Débito"})

    assert response.status_code == 200
    assert "El formulario caducó: vuelve a abrirlo." in response.text
    assert not DebitCard.objects.exists()


def test_a_double_submitted_statement_cut_bills_a_deferred_purchase_once(login, socio) -> None:
    card = credit_card_issue(member=socio, credit_limit=150_000, idempotency_key="credit")
    card_purchase_record(
        card=card,
        amount=60_000,
        merchant="ALMACENES JAPON",
        idempotency_key="deferred",
        installments=3,
        occurred_at=timezone.now() - datetime.timedelta(days=2),
    )
    client = login(OPERATIONS)

    run_action(client, "creditcard", "statement_cut", card)
    second = run_action(client, "creditcard", "statement_cut", card)

    assert card.purchases.get().installments_billed == 1
    card.refresh_from_db()
    assert card.statement_balance == 20_000
    today = timezone.localdate()
    assert (
        f"La tarjeta {card.masked_number} ya tenía corte al {today:%d/%m/%Y}; no se facturó "
        "otra vez." in messages_of(second)
    )
