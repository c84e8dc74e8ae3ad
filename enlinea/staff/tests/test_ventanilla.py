"""La Ventanilla: search, member page, «Nuevo socio» and cash with a confirmation step."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from enlinea.access.models import AuditKind
from enlinea.ledger.errors import LedgerError
from enlinea.ledger.models import JournalEntry, LedgerAccount, Posting
from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member
from enlinea.members.services import member_create
from enlinea.members.tests.support import make_cedula, member_data, with_wrong_check_digit
from enlinea.products import services as product_services
from enlinea.products.models import AccountKind, CashKind, CashOperation, CashStatus, DepositAccount
from enlinea.products.roles import OPERATIONS, SUPPORT, TELLER, roles_ensure
from enlinea.products.services import account_open, cash_deposit, cash_operation_approve
from enlinea.receipts.models import Receipt
from enlinea.receipts.selectors import receipt_for_cash_operation
from enlinea.security.models import AuditEvent
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

PASSWORD = "Ventanilla#2026-tests"
INDEX = reverse("admin:ventanilla")
ONBOARD = reverse("admin:ventanilla_nuevo_socio")


def member_url(member: Member) -> str:
    return reverse("admin:ventanilla_socio", args=[member.pk])


def deposit_url(account: DepositAccount) -> str:
    return reverse("admin:ventanilla_deposito", args=[account.number])


def withdrawal_url(account: DepositAccount) -> str:
    return reverse("admin:ventanilla_retiro", args=[account.number])


def receipt_url(operation: CashOperation) -> str:
    return reverse("admin:ventanilla_comprobante", args=[operation.pk])


def balance(account: DepositAccount) -> int:
    account.ledger_account.refresh_from_db()
    return account.ledger_account.balance


@pytest.fixture
def people(django_user_model):
    roles_ensure()

    def make(role: str, username: str):
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, is_staff=True, first_name=username.title()
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def teller(people):
    return people(TELLER, "cajera")


@pytest.fixture
def counter(client, teller) -> Client:
    return staff_login(client, teller)


@pytest.fixture
def rosa(db):
    chart_ensure()
    member = member_create(
        **member_data(first_names="Rosa", last_names="Quishpe", email="rosa@example.com")
    )
    account = account_open(member=member, idempotency_key="rosa-savings")
    cash_deposit(account=account, amount=1_000_00, idempotency_key="rosa-seed")
    return member, account


def confirm_data(response) -> dict[str, str]:
    """The hidden fields of the confirmation page, as the browser sends them back."""
    html = response.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# ---------------------------------------------------------------- access


def test_the_index_links_the_ventanilla_for_tellers_only(client, counter, people) -> None:
    page = counter.get(reverse("admin:index"))
    assert f'href="{INDEX}"' in page.content.decode()
    assert f'href="{ONBOARD}"' in page.content.decode()

    support = staff_login(Client(), people(SUPPORT, "soporte1"))
    assert f'href="{INDEX}"' not in support.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("role", [SUPPORT, OPERATIONS])
def test_staff_without_the_teller_permissions_get_403_everywhere(people, rosa, role) -> None:
    member, account = rosa
    client = staff_login(Client(), people(role, "otra"))
    for url in (
        INDEX,
        f"{INDEX}?q=ROSA",
        ONBOARD,
        member_url(member),
        deposit_url(account),
        withdrawal_url(account),
        reverse("admin:ventanilla_comprobante", args=[1]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(deposit_url(account), {"amount": "10.00"})
    assert response.status_code == 403
    assert balance(account) == 1_000_00


def test_a_session_without_the_second_factor_is_sent_to_the_login(client, teller) -> None:
    client.force_login(teller)
    response = client.get(INDEX)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_unknown_ids_and_numbers_are_404(counter) -> None:
    for url in (
        reverse("admin:ventanilla_socio", args=[999_999]),
        reverse("admin:ventanilla_socio", args=[99_999_999_999_999_999_999]),
        reverse("admin:ventanilla_deposito", args=["4100000000"]),
        reverse("admin:ventanilla_retiro", args=["no-existe"]),
        reverse("admin:ventanilla_comprobante", args=[999_999]),
        reverse("admin:ventanilla_comprobante", args=[99_999_999_999_999_999_999]),
        reverse("admin:ventanilla_comprobante_pdf", args=[999_999]),
    ):
        assert counter.get(url).status_code == 404, url


# ---------------------------------------------------------------- search and member page


def test_search_finds_a_member_by_cedula_name_or_account_number(counter, rosa) -> None:
    member, account = rosa
    other = member_create(**member_data(first_names="Luis", last_names="Tene"))
    for query in (member.identification, "rosa quish", "QUISHPE", account.number):
        page = counter.get(INDEX, {"q": query})
        assert page.status_code == 200
        assert page.context["results"] == [member], query
        assert member_url(member) in page.content.decode()
        assert member_url(other) not in page.content.decode()


def test_search_without_results_or_too_short_says_so(counter, rosa) -> None:
    page = counter.get(INDEX, {"q": "Zambrano"})
    assert page.context["results"] == []
    assert "No encontramos socios con «Zambrano»." in text(page)

    page = counter.get(INDEX, {"q": "ab"})
    assert page.status_code == 200
    assert "Ingresa al menos 3 caracteres." in text(page)
    assert page.context["results"] is None


def test_member_page_shows_products_and_balances_from_the_ledger(counter, rosa) -> None:
    member, account = rosa
    page = counter.get(member_url(member))
    assert page.status_code == 200
    assert page.context["accounts"] == [account]
    body = text(page)
    assert "ROSA QUISHPE" in body
    assert account.number in body
    assert "$ 1,000.00" in body
    assert deposit_url(account) in body
    assert withdrawal_url(account) in body


# ---------------------------------------------------------------- nuevo socio


def onboard_data(**overrides: str) -> dict[str, str]:
    data = {
        "identification": make_cedula(),
        "first_names": "Maria Elena",
        "last_names": "Quishpe Tene",
        "email": "maria@example.com",
        "mobile_phone": "0991112233",
        "birth_date": "24/05/1985",
        "address": "Av. Amazonas N24, Quito",
        "account_kind": AccountKind.SAVINGS,
        "deposit": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_nuevo_socio_without_deposit_registers_member_and_account(counter) -> None:
    data = onboard_data()
    response = counter.post(ONBOARD, data)

    member = Member.objects.get(identification=data["identification"])
    assert response.status_code == 302
    assert response["Location"] == member_url(member)
    assert member.full_name == "MARIA ELENA QUISHPE TENE"
    assert member.birth_date.isoformat() == "1985-05-24"
    account = DepositAccount.objects.get(member=member)
    assert account.kind == AccountKind.SAVINGS
    assert balance(account) == 0
    assert not CashOperation.objects.exists()
    page = counter.get(response["Location"])
    assert (
        f"Se registró a MARIA ELENA QUISHPE TENE y se abrió su CUENTA DE AHORROS {account.number}."
        in text(page)
    )


def test_nuevo_socio_with_opening_deposit_posts_it_at_the_window_with_a_receipt(
    counter, teller
) -> None:
    data = onboard_data(deposit="250.00", account_kind=AccountKind.PROGRESAR)
    response = counter.post(ONBOARD, data)

    operation = CashOperation.objects.get()
    assert response["Location"] == receipt_url(operation)
    assert operation.kind == CashKind.DEPOSIT
    assert operation.status == CashStatus.POSTED
    assert operation.teller == teller
    assert operation.account.kind == AccountKind.PROGRESAR
    assert balance(operation.account) == 250_00
    receipt = receipt_for_cash_operation(operation)
    page = counter.get(response["Location"])
    assert f"data-receipt-number>{receipt.number}<" in text(page)
    assert "Depósito en efectivo" in text(page)
    assert page.context["receipt"].receipt_number == receipt.number

    # The same form sent again (a double click) registers nothing more.
    again = counter.post(ONBOARD, data)
    assert again["Location"] == receipt_url(operation)
    assert Member.objects.count() == 1
    assert DepositAccount.objects.count() == 1
    assert CashOperation.objects.count() == 1
    assert balance(operation.account) == 250_00


def test_nuevo_socio_with_a_bad_cedula_shows_the_error_at_the_field_and_writes_nothing(
    counter,
) -> None:
    response = counter.post(
        ONBOARD, onboard_data(identification=with_wrong_check_digit(make_cedula()), deposit="50")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "identification" in form.errors
    assert "dígito verificador" in " ".join(form.errors["identification"])
    assert not Member.objects.exists()
    assert not DepositAccount.objects.exists()
    assert not JournalEntry.objects.filter(kind="cash_deposit").exists()


def test_nuevo_socio_bad_input_never_answers_500(counter, rosa) -> None:
    member, _ = rosa
    cases = [
        ({"identification": member.identification}, "identification"),  # already a member
        ({"mobile_phone": "12"}, "mobile_phone"),
        ({"email": "no-es-correo"}, "email"),
        ({"birth_date": "31/02/1990"}, "birth_date"),
        ({"birth_date": "01/01/99999"}, "birth_date"),
        ({"deposit": "cien"}, "deposit"),
        ({"deposit": "-5"}, "deposit"),
        ({"deposit": "9" * 30}, "deposit"),
        ({"account_kind": "oro"}, "account_kind"),
        ({"idempotency_key": "x"}, "idempotency_key"),
    ]
    for overrides, field in cases:
        response = counter.post(ONBOARD, onboard_data(**overrides))
        assert response.status_code == 200, overrides
        assert field in response.context["form"].errors, overrides
    assert Member.objects.count() == 1


# ---------------------------------------------------------------- cash


def test_deposit_asks_for_confirmation_then_posts_once_with_a_comprobante(counter, rosa) -> None:
    _, account = rosa
    form = counter.get(deposit_url(account))
    assert form.status_code == 200
    assert "Monto" in text(form)

    confirm = counter.post(deposit_url(account), {"amount": "250"})
    assert confirm.status_code == 200
    assert (
        f"¿Confirmas el depósito de $ 250.00 en la cuenta …{account.number[-4:]} de "
        "ROSA QUISHPE?" in text(confirm)
    )
    assert balance(account) == 1_000_00  # nothing happens before «Confirmar»
    assert not CashOperation.objects.exists()

    data = confirm_data(confirm)
    assert data["amount"] == "25000"
    done = counter.post(deposit_url(account), data)
    operation = CashOperation.objects.get()
    assert done.status_code == 302
    assert done["Location"] == receipt_url(operation)
    assert balance(account) == 1_250_00
    assert operation.status == CashStatus.POSTED

    # A double submit of the confirmation is the same operation.
    again = counter.post(deposit_url(account), data)
    assert again["Location"] == receipt_url(operation)
    assert CashOperation.objects.count() == 1
    assert balance(account) == 1_250_00

    page = counter.get(receipt_url(operation))
    body = text(page)
    receipt = receipt_for_cash_operation(operation)
    assert page.context["receipt"].receipt_number == receipt.number
    assert f"data-receipt-number>{receipt.number}<" in body
    assert "$ 250.00" in body
    assert f"…{account.number[-4:]}" in body
    assert "ROSA QUISHPE" in body
    assert "Cajera" in body
    assert "REGISTRADA" in body
    assert "Imprimir" in body


def test_withdrawal_posts_after_confirmation(counter, rosa) -> None:
    _, account = rosa
    confirm = counter.post(withdrawal_url(account), {"amount": "300.50"})
    assert "¿Confirmas el retiro de $ 300.50" in text(confirm)

    done = counter.post(withdrawal_url(account), confirm_data(confirm))

    operation = CashOperation.objects.get()
    assert done["Location"] == receipt_url(operation)
    assert operation.kind == CashKind.WITHDRAWAL
    assert balance(account) == 1_000_00 - 300_50


def test_a_withdrawal_beyond_the_available_balance_is_refused_at_the_field(counter, rosa) -> None:
    _, account = rosa
    confirm = counter.post(withdrawal_url(account), {"amount": "1,500.00"})
    response = counter.post(withdrawal_url(account), confirm_data(confirm))

    assert response.status_code == 200
    errors = response.context["form"].errors["amount"]
    assert "Saldo disponible insuficiente" in " ".join(errors)
    assert not CashOperation.objects.exists()
    assert balance(account) == 1_000_00


def test_a_bad_amount_is_shown_at_the_field(counter, rosa) -> None:
    _, account = rosa
    for amount, message in (
        ("", "Ingresa un monto."),
        ("cien", "Ingresa un monto válido"),
        ("0", "Ingresa un monto mayor a cero."),
    ):
        response = counter.post(deposit_url(account), {"amount": amount})
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors["amount"]), amount
    tampered = counter.post(
        deposit_url(account), {"confirmar": "1", "amount": "abc", "idempotency_key": "x"}
    )
    assert tampered.status_code == 200
    assert "El formulario caducó: vuelve a abrirlo." in text(tampered)
    huge = counter.post(
        deposit_url(account),
        {"confirmar": "1", "amount": "9" * 25, "idempotency_key": str(uuid.uuid4())},
    )
    assert huge.status_code == 200
    assert not CashOperation.objects.exists()


def test_over_the_threshold_it_waits_for_approval_and_the_teller_cannot_approve_it(
    counter, teller, rosa, people, settings
) -> None:
    settings.CASH_APPROVAL_THRESHOLD = 500_00
    _, account = rosa
    confirm = counter.post(deposit_url(account), {"amount": "600.00"})
    assert "quedará pendiente de aprobación" in text(confirm)

    done = counter.post(deposit_url(account), confirm_data(confirm))

    operation = CashOperation.objects.get()
    assert operation.status == CashStatus.PENDING
    assert balance(account) == 1_000_00
    page = counter.get(done["Location"])
    assert "Pendiente de aprobación" in text(page)
    assert "PENDIENTE DE APROBACIÓN" in text(page)
    assert page.context["receipt"].receipt_number is None
    assert AuditEvent.objects.filter(kind=AuditKind.CASH_PENDING).count() == 1
    # The teller's own operation: the admin's approval page refuses them (no permission).
    approve = reverse("admin:products_cashoperation_approve", args=[operation.pk])
    assert counter.post(approve).status_code == 403

    # A supervisor approves; the comprobante then carries its number.
    cash_operation_approve(operation=operation, approver=people(OPERATIONS, "supervisora"))
    operation.refresh_from_db()
    page = counter.get(receipt_url(operation))
    assert page.context["receipt"].receipt_number == receipt_for_cash_operation(operation).number
    assert "APROBADA" in text(page)


def test_the_daily_limit_refusal_is_shown_at_the_field(counter, rosa, settings) -> None:
    settings.CASH_TELLER_DAILY_LIMIT = 100_00
    _, account = rosa
    confirm = counter.post(deposit_url(account), {"amount": "150.00"})
    response = counter.post(deposit_url(account), confirm_data(confirm))
    assert response.status_code == 200
    assert "límite diario de efectivo" in " ".join(response.context["form"].errors["amount"])
    assert not CashOperation.objects.exists()


def test_a_support_user_cannot_post_the_confirmation(people, rosa) -> None:
    _, account = rosa
    client = staff_login(Client(), people(SUPPORT, "soporte2"))
    response = client.post(
        deposit_url(account),
        {"confirmar": "1", "amount": "10000", "idempotency_key": str(uuid.uuid4())},
    )
    assert response.status_code == 403
    assert not CashOperation.objects.exists()


def test_posts_without_the_csrf_token_are_refused(teller, rosa) -> None:
    _, account = rosa
    client = staff_login(Client(enforce_csrf_checks=True), teller)
    response = client.post(
        deposit_url(account),
        {"confirmar": "1", "amount": "10000", "idempotency_key": str(uuid.uuid4())},
    )
    assert response.status_code == 403
    assert not CashOperation.objects.exists()


def test_the_comprobante_pdf_reads_back_with_its_number_and_amount(counter, rosa) -> None:
    import io

    from pypdf import PdfReader

    _, account = rosa
    confirm = counter.post(deposit_url(account), {"amount": "250.00"})
    operation_page = counter.get(
        counter.post(deposit_url(account), confirm_data(confirm))["Location"]
    )
    operation = CashOperation.objects.get()
    pdf_url = reverse("admin:ventanilla_comprobante_pdf", args=[operation.pk])
    assert pdf_url in operation_page.content.decode()

    response = counter.get(pdf_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf_text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert str(receipt_for_cash_operation(operation).number) in pdf_text
    assert "$ 250.00" in pdf_text


def test_a_pending_operation_has_no_pdf_yet(counter, rosa, settings) -> None:
    settings.CASH_APPROVAL_THRESHOLD = 100_00
    _, account = rosa
    confirm = counter.post(deposit_url(account), {"amount": "200.00"})
    counter.post(deposit_url(account), confirm_data(confirm))
    operation = CashOperation.objects.get()
    assert (
        counter.get(reverse("admin:ventanilla_comprobante_pdf", args=[operation.pk])).status_code
        == 404
    )


# ---------------------------------------------------------------- nuevo socio: one transaction


def _nothing_of_the_onboarding(ledger_accounts: int, entries: int) -> None:
    assert not Member.objects.exists()
    assert not DepositAccount.objects.exists()
    assert not CashOperation.objects.exists()
    assert not Receipt.objects.exists()
    assert LedgerAccount.objects.count() == ledger_accounts
    assert JournalEntry.objects.count() == entries
    assert not Posting.objects.exists()


def test_an_opening_deposit_over_the_daily_limit_registers_nothing_and_says_so_at_the_field(
    counter, teller, settings
) -> None:
    chart_ensure()
    settings.CASH_TELLER_DAILY_LIMIT = 100_00
    data = onboard_data(deposit="150.00")
    ledger_accounts, entries = LedgerAccount.objects.count(), JournalEntry.objects.count()

    response = counter.post(ONBOARD, data)

    assert response.status_code == 200
    [message] = response.context["form"].errors["deposit"]
    assert message == (
        "El monto supera tu límite diario de efectivo de $ 100.00: hoy ya registraste "
        "$ 0.00 entre depósitos y retiros y te quedan $ 100.00. No se registró al socio ni "
        "se abrió su cuenta: cambia el depósito inicial o déjalo en blanco para registrarlo "
        "sin depósito."
    )
    body = text(response)
    assert "Corrige el dato indicado." in body
    for typed in (data["identification"], "Maria Elena", "Quishpe Tene", "maria@example.com"):
        assert f'value="{typed}"' in body, typed
    assert 'value="150.00"' in body
    _nothing_of_the_onboarding(ledger_accounts, entries)
    # The refusal itself is on record, though nothing else of the request is.
    [audit] = AuditEvent.objects.filter(kind=AuditKind.CASH_LIMIT_REFUSED)
    assert audit.user == teller
    assert audit.member is None
    assert audit.detail["amount"] == 150_00
    assert audit.detail["limit"] == 100_00

    # The same form with the deposit corrected registers the socio, once.
    fixed = counter.post(ONBOARD, {**data, "deposit": "80.00"})
    operation = CashOperation.objects.get()
    assert fixed["Location"] == receipt_url(operation)
    assert Member.objects.get().identification == data["identification"]
    assert balance(operation.account) == 80_00


def test_a_deposit_refused_by_the_ledger_after_the_socio_was_written_leaves_nothing(
    counter, monkeypatch
) -> None:
    chart_ensure()
    ledger_accounts, entries = LedgerAccount.objects.count(), JournalEntry.objects.count()
    written: list[int] = []

    def refused(**kwargs: object) -> None:
        # By now the socio, the account and its ledger account are written.
        written.append(Member.objects.count() + DepositAccount.objects.count())
        raise LedgerError("El libro mayor no está disponible; intenta de nuevo.")

    monkeypatch.setattr(product_services, "entry_record", refused)
    data = onboard_data(deposit="250.00")

    response = counter.post(ONBOARD, data)

    assert written == [2]
    assert response.status_code == 200
    [message] = response.context["form"].errors["deposit"]
    assert message.startswith("El libro mayor no está disponible; intenta de nuevo. No se registró")
    assert f'value="{data["identification"]}"' in text(response)
    _nothing_of_the_onboarding(ledger_accounts, entries)


def test_a_failure_after_the_deposit_was_posted_undoes_the_whole_onboarding(
    counter, monkeypatch
) -> None:
    chart_ensure()
    ledger_accounts, entries = LedgerAccount.objects.count(), JournalEntry.objects.count()

    def broken(**kwargs: object) -> None:
        assert JournalEntry.objects.filter(kind="cash_deposit").count() == 1  # posted
        raise RuntimeError("receipt store down")

    monkeypatch.setattr(product_services, "receipt_issue", broken)

    with pytest.raises(RuntimeError, match="receipt store down"):
        counter.post(ONBOARD, onboard_data(deposit="250.00"))

    _nothing_of_the_onboarding(ledger_accounts, entries)
    assert not AuditEvent.objects.filter(kind=AuditKind.CASH_PENDING).exists()


def test_an_opening_deposit_above_the_approval_threshold_waits_with_the_new_socio(
    counter, settings
) -> None:
    settings.CASH_APPROVAL_THRESHOLD = 100_00
    data = onboard_data(deposit="150.00")

    response = counter.post(ONBOARD, data)

    # Not a refusal: the socio, the account and the pending deposit are one whole.
    operation = CashOperation.objects.get()
    assert response["Location"] == receipt_url(operation)
    assert operation.status == CashStatus.PENDING
    assert operation.account.member.identification == data["identification"]
    assert balance(operation.account) == 0
    assert "Pendiente de aprobación" in text(counter.get(response["Location"]))
    assert AuditEvent.objects.filter(kind=AuditKind.CASH_PENDING).count() == 1
