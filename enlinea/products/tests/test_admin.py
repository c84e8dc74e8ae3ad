"""The back office for products: every money action goes through the services."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products import admin as products_admin
from enlinea.products.card_processor import SimulatedCardProcessor
from enlinea.products.forms import AnnualRateField
from enlinea.products.models import (
    AccountStatus,
    CardPurchase,
    CardStatus,
    CreditCard,
    DebitCard,
    DepositAccount,
    Investment,
    InvestmentStatus,
    Loan,
)
from enlinea.products.roles import OPERATIONS, SUPPORT, TELLER
from enlinea.products.services import (
    account_open,
    account_set_status,
    card_pin_set,
    credit_card_issue,
    debit_card_issue,
)
from enlinea.products.tests.support import balance, fresh_key, messages_of, url

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- cash at the window


def test_teller_deposits_and_withdraws_and_the_balance_moves_by_exactly_that(login, savings):
    client = login(TELLER)
    before = balance(savings)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)

    response = client.post(
        deposit_url,
        {"amount": "1,255.02", "idempotency_key": fresh_key(client, deposit_url)},
        follow=True,
    )

    assert response.redirect_chain[0] == (url("depositaccount_change", savings.pk), 302)
    assert balance(savings) == before + 125_502
    assert "Nuevo saldo contable: $ 6,255.02" in " ".join(messages_of(response))

    withdrawal_url = url("depositaccount_cash_withdrawal", savings.pk)
    response = client.post(
        withdrawal_url,
        {"amount": "255.02", "idempotency_key": fresh_key(client, withdrawal_url)},
        follow=True,
    )

    assert balance(savings) == before + 100_000
    assert "Nuevo saldo contable: $ 6,000.00" in " ".join(messages_of(response))
    assert ledger_verify().ok


def test_cash_deposit_view_calls_the_service(login, savings, monkeypatch) -> None:
    calls = []
    real = products_admin.cash_operation_request

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(products_admin, "cash_operation_request", spy)
    client = login(TELLER)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)
    key = fresh_key(client, deposit_url)

    client.post(deposit_url, {"amount": "10", "idempotency_key": key})

    assert len(calls) == 1
    assert calls[0]["amount"] == 1_000
    assert calls[0]["kind"] == "deposit"
    assert calls[0]["account"].pk == savings.pk
    assert calls[0]["teller"].username == "staff-cajero"
    assert calls[0]["idempotency_key"] == f"backoffice:cash_deposit:{key}"


def test_a_double_submitted_deposit_posts_once(login, savings) -> None:
    client = login(TELLER)
    before = balance(savings)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)
    data = {"amount": "300.00", "idempotency_key": fresh_key(client, deposit_url)}
    entries = JournalEntry.objects.count()

    first = client.post(deposit_url, data)
    second = client.post(deposit_url, data, follow=True)

    assert first.status_code == 302
    assert balance(savings) == before + 30_000
    assert JournalEntry.objects.count() == entries + 1
    assert any("ya estaba registrada" in m for m in messages_of(second))
    assert ledger_verify().ok


def test_each_time_the_form_is_shown_it_carries_a_new_key(login, savings) -> None:
    client = login(TELLER)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)

    assert fresh_key(client, deposit_url) != fresh_key(client, deposit_url)


def test_withdrawing_more_than_available_shows_the_spanish_error_and_moves_nothing(
    login, savings
) -> None:
    client = login(TELLER)
    before = balance(savings)
    entries = JournalEntry.objects.count()
    withdrawal_url = url("depositaccount_cash_withdrawal", savings.pk)

    response = client.post(
        withdrawal_url,
        {"amount": "5,000.01", "idempotency_key": fresh_key(client, withdrawal_url)},
    )

    assert response.status_code == 200
    message = (
        "Saldo disponible insuficiente: la cuenta tiene $ 5,000.00 disponibles "
        "y la operación requiere $ 5,000.01."
    )
    assert response.context["form"].errors["amount"] == [message]
    assert message in response.text
    assert balance(savings) == before
    assert JournalEntry.objects.count() == entries
    assert ledger_verify().ok


def test_a_refused_form_can_be_corrected_and_sent_with_the_same_key(login, savings) -> None:
    client = login(TELLER)
    withdrawal_url = url("depositaccount_cash_withdrawal", savings.pk)
    key = fresh_key(client, withdrawal_url)
    refused = client.post(withdrawal_url, {"amount": "9,000.00", "idempotency_key": key})
    assert refused.context["form"]["idempotency_key"].value() == key

    accepted = client.post(withdrawal_url, {"amount": "1,000.00", "idempotency_key": key})

    assert accepted.status_code == 302
    assert balance(savings) == 400_000


def test_a_bad_amount_shows_the_parse_error(login, savings) -> None:
    client = login(TELLER)
    before = balance(savings)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)

    response = client.post(
        deposit_url, {"amount": "abc", "idempotency_key": fresh_key(client, deposit_url)}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "Ingresa un monto válido, por ejemplo 1,255.02."
    ]
    assert balance(savings) == before


def test_a_zero_amount_is_refused_at_the_field(login, savings) -> None:
    client = login(TELLER)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)

    response = client.post(
        deposit_url, {"amount": "0.00", "idempotency_key": fresh_key(client, deposit_url)}
    )

    assert response.context["form"].errors["amount"] == ["Ingresa un monto mayor a cero."]


def test_a_deposit_into_a_blocked_account_shows_the_service_refusal(login, savings) -> None:
    account_set_status(account=savings, status=AccountStatus.BLOCKED)
    client = login(TELLER)
    before = balance(savings)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)

    response = client.post(
        deposit_url, {"amount": "10.00", "idempotency_key": fresh_key(client, deposit_url)}
    )

    assert response.context["form"].errors["amount"] == [
        "La cuenta está bloqueada: no admite depósitos."
    ]
    assert balance(savings) == before


def test_a_tampered_key_is_refused(login, savings) -> None:
    client = login(TELLER)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)

    response = client.post(deposit_url, {"amount": "10.00", "idempotency_key": "x"})

    assert response.status_code == 200
    assert "El formulario caducó: vuelve a abrirlo." in response.text
    assert balance(savings) == 500_000


def test_teller_sees_the_deposit_links_and_no_add_button(login, savings) -> None:
    client = login(TELLER)

    page = client.get(url("depositaccount_changelist"))

    assert page.status_code == 200
    assert url("depositaccount_cash_deposit", savings.pk) in page.text
    assert url("depositaccount_cash_withdrawal", savings.pk) in page.text
    assert url("depositaccount_add") not in page.text
    assert client.get(url("loan_add")).status_code == 403
    assert client.get(url("loan_changelist")).status_code == 403


def test_support_gets_403_on_the_deposit_view_and_sees_no_add_buttons(login, savings) -> None:
    client = login(SUPPORT)
    before = balance(savings)
    deposit_url = url("depositaccount_cash_deposit", savings.pk)

    assert client.get(deposit_url).status_code == 403
    refused = client.post(
        deposit_url, {"amount": "10.00", "idempotency_key": "8d5d0d3c-3a4b-4b0e-9f43-07a3d1f1b9e1"}
    )
    assert refused.status_code == 403
    assert balance(savings) == before

    for model in ("depositaccount", "loan", "investment", "debitcard", "creditcard"):
        page = client.get(url(f"{model}_changelist"))
        assert page.status_code == 200
        assert url(f"{model}_add") not in page.text
        assert client.get(url(f"{model}_add")).status_code == 403
    detail = client.get(url("depositaccount_change", savings.pk))
    assert detail.status_code == 200
    assert deposit_url not in detail.text
    assert 'name="_save"' not in detail.text


def test_an_unknown_account_answers_404(login, savings) -> None:
    client = login(TELLER)

    assert client.get(url("depositaccount_cash_deposit", 987_654)).status_code == 404


# ---------------------------------------------------------------- operations


def test_operations_opens_an_account_through_the_service(login, socio) -> None:
    client = login(OPERATIONS)

    response = client.post(
        url("depositaccount_add"),
        {
            "member": socio.pk,
            "kind": "checking",
            "signature": "unica",
            "idempotency_key": fresh_key(client, url("depositaccount_add")),
        },
    )

    account = DepositAccount.objects.get(member=socio, kind="checking")
    assert response.status_code == 302
    assert response.url == url("depositaccount_change", account.pk)
    assert account.number.startswith("44")
    assert account.ledger_account.code == f"2101-{account.number}"
    assert account.ledger_balance == 0


def test_opening_an_account_requires_choosing_a_member(login, socio) -> None:
    client = login(OPERATIONS)

    response = client.post(url("depositaccount_add"), {"kind": "savings", "signature": "unica"})

    assert response.context["form"].errors["member"] == ["Elige el socio."]
    assert not DepositAccount.objects.exists()


def test_operations_blocks_and_unblocks_an_account(login, savings) -> None:
    client = login(OPERATIONS)
    changelist = url("depositaccount_changelist")

    client.post(changelist, {"action": "block", "_selected_action": [savings.pk], "index": 0})
    savings.refresh_from_db()
    assert savings.status == AccountStatus.BLOCKED

    client.post(changelist, {"action": "unblock", "_selected_action": [savings.pk], "index": 0})
    savings.refresh_from_db()
    assert savings.status == AccountStatus.ACTIVE


def test_a_teller_cannot_block_an_account(login, savings) -> None:
    client = login(TELLER)

    client.post(
        url("depositaccount_changelist"),
        {"action": "block", "_selected_action": [savings.pk], "index": 0},
    )

    savings.refresh_from_db()
    assert savings.status == AccountStatus.ACTIVE


def loan_form(client, socio, account, **overrides: object) -> dict[str, object]:
    data = {
        "member": socio.pk,
        "account": account.pk,
        "product_name": "CREDITO DE CONSUMO",
        "amount": "10,000.00",
        "annual_rate_bp": "15.75",
        "term_months": "12",
        "disbursed_on": timezone.localdate().isoformat(),
        "idempotency_key": fresh_key(client, url("loan_add")),
    }
    data.update(overrides)
    return data


def test_operations_disburses_a_loan_with_its_schedule_and_credits_the_account(
    login, socio, savings
) -> None:
    client = login(OPERATIONS)
    before = balance(savings)
    data = loan_form(client, socio, savings)

    response = client.post(url("loan_add"), data)
    replay = client.post(url("loan_add"), data)

    loan = Loan.objects.get()
    assert response.status_code == 302
    assert replay.status_code == 302
    assert loan.annual_rate_bp == 1575
    assert loan.principal == 1_000_000
    assert loan.installments.count() == 12
    assert sum(i.principal for i in loan.installments.all()) == 1_000_000
    assert balance(savings) == before + 1_000_000
    assert ledger_verify().ok
    detail = client.get(url("loan_change", loan.pk))
    assert detail.status_code == 200
    assert "15.75 %" in detail.text
    assert "tabla de amortización" in detail.text.lower()


def test_a_loan_into_another_members_account_is_refused_at_the_account(
    login, socio, savings
) -> None:
    client = login(OPERATIONS)
    other = member_create(**member_data(first_names="Maria", last_names="Perez"))

    response = client.post(url("loan_add"), loan_form(client, other, savings))

    assert response.context["form"].errors["account"] == [
        "La cuenta de desembolso debe ser del mismo socio."
    ]
    assert not Loan.objects.exists()
    assert balance(savings) == 500_000


@pytest.mark.parametrize(
    ("typed", "basis_points"),
    [("15.75", 1575), ("15,75", 1575), ("16", 1600), ("0.01", 1), ("9.1 %", 910), ("100", 10_000)],
)
def test_the_annual_rate_becomes_exact_basis_points(typed: str, basis_points: int) -> None:
    assert AnnualRateField().clean(typed) == basis_points


@pytest.mark.parametrize("typed", ["15.755", "abc", "-1", "1e2", "NaN", "100.01"])
def test_a_rate_that_is_not_a_percentage_with_two_decimals_is_refused(typed: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        AnnualRateField().clean(typed)


def test_support_and_tellers_cannot_disburse(login, socio, savings) -> None:
    for role in (SUPPORT, TELLER):
        client = login(role)
        assert client.get(url("loan_add")).status_code == 403


def investment_form(client, socio, account, start: datetime.date) -> dict[str, object]:
    return {
        "member": socio.pk,
        "source_account": account.pk,
        "capital": "1,000.00",
        "annual_rate_bp": "6.50",
        "term_days": "90",
        "start_date": start.isoformat(),
        "idempotency_key": fresh_key(client, url("investment_add")),
    }


def test_operations_opens_an_investment_and_pays_it_at_maturity(login, socio, savings) -> None:
    client = login(OPERATIONS)
    start = timezone.localdate() - datetime.timedelta(days=120)

    response = client.post(url("investment_add"), investment_form(client, socio, savings, start))

    investment = Investment.objects.get()
    assert response.status_code == 302
    assert investment.annual_rate_bp == 650
    assert balance(savings) == 400_000

    client.post(
        url("investment_changelist"),
        {"action": "pay_at_maturity", "_selected_action": [investment.pk], "index": 0},
    )

    investment.refresh_from_db()
    assert investment.status == InvestmentStatus.PAID
    net = investment.capital + investment.interest - investment.withholding
    assert balance(savings) == 400_000 + net
    assert ledger_verify().ok


def test_an_investment_is_not_paid_before_maturity(login, socio, savings) -> None:
    client = login(OPERATIONS)
    client.post(
        url("investment_add"), investment_form(client, socio, savings, timezone.localdate())
    )
    investment = Investment.objects.get()

    response = client.post(
        url("investment_changelist"),
        {"action": "pay_at_maturity", "_selected_action": [investment.pk], "index": 0},
        follow=True,
    )

    investment.refresh_from_db()
    assert investment.status == InvestmentStatus.CURRENT
    assert any("aún no se puede pagar" in m for m in messages_of(response))
    assert balance(savings) == 400_000


def test_an_investment_larger_than_the_balance_is_refused_at_the_capital(
    login, socio, savings
) -> None:
    client = login(OPERATIONS)
    data = investment_form(client, socio, savings, timezone.localdate())
    data["capital"] = "6,000.00"

    response = client.post(url("investment_add"), data)

    assert response.context["form"].errors["capital"][0].startswith("Saldo disponible insuficiente")
    assert not Investment.objects.exists()


class RecordingProcessor(SimulatedCardProcessor):
    """The simulator, remembering the full numbers it issued (the app never stores them)."""

    issued: list[str] = []

    def issue_number(self, *, bin6: str) -> str:
        number = super().issue_number(bin6=bin6)
        self.issued.append(number)
        return number


@pytest.fixture
def processor(settings):
    settings.CARD_PROCESSOR = f"{__name__}.RecordingProcessor"
    RecordingProcessor.issued = []
    return RecordingProcessor


def test_operations_issues_cards_and_pages_show_only_masked_numbers(
    login, socio, savings, processor
) -> None:
    client = login(OPERATIONS)

    debit = client.post(
        url("debitcard_add"),
        {
            "account": savings.pk,
            "card_type": "MC Débito",
            "idempotency_key": fresh_key(client, url("debitcard_add")),
        },
    )
    credit = client.post(
        url("creditcard_add"),
        {
            "member": socio.pk,
            "credit_limit": "2,000.00",
            "card_type": "Mastercard Estándar",
            "statement_day": "15",
            "idempotency_key": fresh_key(client, url("creditcard_add")),
        },
    )

    assert debit.status_code == 302
    assert credit.status_code == 302
    debit_card, credit_card = DebitCard.objects.get(), CreditCard.objects.get()
    assert credit_card.credit_limit == 200_000
    card_pin_set(card=debit_card, pin="2580")
    debit_card.refresh_from_db()
    assert len(processor.issued) == 2
    pages = [
        client.get(url("debitcard_changelist")),
        client.get(url("creditcard_changelist")),
        client.get(url("debitcard_change", debit_card.pk)),
        client.get(url("creditcard_change", credit_card.pk)),
    ]
    for page in pages:
        assert page.status_code == 200
        for number in processor.issued:
            assert number not in page.text
            assert f"{number[:4]} {number[4:8]} {number[8:12]}" not in page.text
        assert not re.search(r"\b\d{4} ?\d{4} ?\d{4} ?\d{4}\b", page.text)
        assert debit_card.pin_hash not in page.text
    assert debit_card.masked_number in pages[0].text
    assert credit_card.masked_number in pages[1].text


def test_a_credit_card_purchase_is_recorded_once_and_lowers_the_available_credit(
    login, socio
) -> None:
    card = credit_card_issue(member=socio, credit_limit=200_000, idempotency_key="credit")
    client = login(OPERATIONS)
    purchase_url = url("creditcard_purchase", card.pk)
    data = {
        "merchant": "SUPERMAXI",
        "amount": "150.00",
        "installments": "3",
        "idempotency_key": fresh_key(client, purchase_url),
    }

    first = client.post(purchase_url, data)
    second = client.post(purchase_url, data)

    assert first.status_code == second.status_code == 302
    purchase = CardPurchase.objects.get()
    assert purchase.amount == 15_000
    assert purchase.installments == 3
    card.ledger_account.refresh_from_db()
    assert card.total_debt == 15_000
    assert ledger_verify().ok


def test_a_credit_card_purchase_over_the_limit_is_refused_at_the_amount(login, socio) -> None:
    card = credit_card_issue(member=socio, credit_limit=10_000, idempotency_key="credit")
    client = login(OPERATIONS)
    purchase_url = url("creditcard_purchase", card.pk)

    response = client.post(
        purchase_url,
        {
            "merchant": "SUPERMAXI",
            "amount": "100.01",
            "installments": "1",
            "idempotency_key": fresh_key(client, purchase_url),
        },
    )

    assert response.context["form"].errors["amount"] == ["Cupo insuficiente: disponible $ 100.00."]
    assert not CardPurchase.objects.exists()


def test_a_debit_card_purchase_is_paid_from_the_account(login, savings) -> None:
    card = debit_card_issue(account=savings, idempotency_key="debit")
    client = login(OPERATIONS)
    purchase_url = url("debitcard_purchase", card.pk)

    page = client.get(purchase_url)
    assert "installments" not in page.context["form"].fields
    client.post(
        purchase_url,
        {
            "merchant": "FARMACIAS CRUZ AZUL",
            "amount": "12.50",
            "idempotency_key": str(page.context["form"]["idempotency_key"].value()),
        },
    )

    assert balance(savings) == 500_000 - 1_250
    assert ledger_verify().ok


def test_operations_blocks_and_unblocks_a_card_and_cuts_a_statement(login, socio) -> None:
    card = credit_card_issue(member=socio, credit_limit=200_000, idempotency_key="credit")
    client = login(OPERATIONS)
    changelist = url("creditcard_changelist")

    client.post(changelist, {"action": "block", "_selected_action": [card.pk], "index": 0})
    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED
    client.post(changelist, {"action": "unblock", "_selected_action": [card.pk], "index": 0})
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE

    client.post(changelist, {"action": "statement_cut", "_selected_action": [card.pk], "index": 0})
    card.refresh_from_db()
    assert card.last_statement_date == timezone.localdate()
    assert card.payment_due_date == timezone.localdate() + datetime.timedelta(days=20)


def test_support_cannot_record_purchases(login, socio) -> None:
    card = credit_card_issue(member=socio, credit_limit=200_000, idempotency_key="credit")
    client = login(SUPPORT)

    assert client.get(url("creditcard_purchase", card.pk)).status_code == 403
    assert not CardPurchase.objects.exists()


# ---------------------------------------------------------------- every page renders


@pytest.fixture
def every_product(socio, savings):
    """One row of each product model, made through the services."""
    from enlinea.ledger.services import hold_place
    from enlinea.products.services import (
        card_purchase_record,
        investment_open,
        loan_disburse,
    )

    today = timezone.localdate()
    loan = loan_disburse(
        member=socio,
        account=savings,
        product_name="CREDITO DE CONSUMO",
        principal=300_000,
        annual_rate_bp=1575,
        term_months=6,
        disbursed_on=today,
        idempotency_key="every-loan",
    )
    investment = investment_open(
        member=socio,
        source_account=savings,
        capital=100_000,
        annual_rate_bp=650,
        term_days=90,
        start_date=today,
        idempotency_key="every-investment",
    )
    debit = debit_card_issue(account=savings, idempotency_key="every-debit")
    credit = credit_card_issue(member=socio, credit_limit=100_000, idempotency_key="every-credit")
    purchase = card_purchase_record(
        card=credit, amount=5_000, merchant="KFC", idempotency_key="every-purchase"
    )
    hold_place(
        account_id=savings.ledger_account_id,
        amount=1_000,
        reason="Orden judicial",
        idempotency_key="h",
    )
    account_open(member=socio, idempotency_key="every-account")
    return {
        "depositaccount": savings,
        "loan": loan,
        "investment": investment,
        "debitcard": debit,
        "creditcard": credit,
        "cardpurchase": purchase,
    }


def test_every_products_page_renders_for_a_superuser(login, every_product) -> None:
    client = login()

    for model, obj in every_product.items():
        changelist = client.get(url(f"{model}_changelist"))
        assert changelist.status_code == 200, model
        assert changelist.context["cl"].result_count >= 1, model
        detail = client.get(url(f"{model}_change", obj.pk))
        assert detail.status_code == 200, model
        assert 'name="_save"' not in detail.text, model
        assert client.post(url(f"{model}_delete", obj.pk)).status_code == 403, model
    for model in ("depositaccount", "loan", "investment", "debitcard", "creditcard"):
        assert client.get(url(f"{model}_add")).status_code == 200, model
    assert client.get(url("cardpurchase_add")).status_code == 403
    assert (
        client.get(
            url("depositaccount_cash_deposit", every_product["depositaccount"].pk)
        ).status_code
        == 200
    )
    assert client.get(url("creditcard_purchase", every_product["creditcard"].pk)).status_code == 200


def test_the_account_page_links_to_the_member_and_the_ledger_account(login, savings) -> None:
    client = login()

    page = client.get(url("depositaccount_change", savings.pk))

    assert reverse("admin:members_member_change", args=[savings.member_id]) in page.text
    assert (
        reverse("admin:ledger_ledgeraccount_change", args=[savings.ledger_account_id]) in page.text
    )
    assert "$ 5,000.00" in page.text


def test_the_member_and_account_pickers_search_through_the_admin(login, socio, savings) -> None:
    client = login(OPERATIONS)
    autocomplete = reverse("admin:autocomplete")

    members = client.get(
        autocomplete,
        {"app_label": "products", "model_name": "loan", "field_name": "member", "term": "LOPEZ"},
    )
    accounts = client.get(
        autocomplete,
        {
            "app_label": "products",
            "model_name": "loan",
            "field_name": "disbursement_account",
            "term": socio.identification,
        },
    )

    assert [r["id"] for r in members.json()["results"]] == [str(socio.pk)]
    assert [r["id"] for r in accounts.json()["results"]] == [str(savings.pk)]
