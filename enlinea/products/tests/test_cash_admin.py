"""The teller's window and the approvals page: large cash waits for a second staff
member, who approves or rejects it with a POST (CSRF-checked like every admin form)."""

from __future__ import annotations

import pytest
from django.test import Client

from enlinea.access.models import AuditKind
from enlinea.ledger.models import JournalEntry
from enlinea.products.models import CashOperation, CashStatus
from enlinea.products.roles import OPERATIONS, SUPPORT, TELLER
from enlinea.products.services import cash_deposit
from enlinea.products.tests.support import balance, fresh_key, messages_of, run_action, url
from enlinea.security.models import AuditEvent

pytestmark = pytest.mark.django_db


def deposit(client, account, amount: str, *, follow: bool = True):
    deposit_url = url("depositaccount_cash_deposit", account.pk)
    return client.post(
        deposit_url,
        {"amount": amount, "idempotency_key": fresh_key(client, deposit_url)},
        follow=follow,
    )


@pytest.fixture
def pending(login, savings):
    """A $ 20,000.00 deposit the teller asked for, waiting for approval."""
    teller = login(TELLER)
    response = deposit(teller, savings, "20,000.00")
    assert response.status_code == 200
    return CashOperation.objects.get()


def test_a_large_deposit_at_the_window_waits_and_says_so(login, savings) -> None:
    client = login(TELLER)
    entries = JournalEntry.objects.count()

    response = deposit(client, savings, "10,000.01")

    assert response.redirect_chain[0] == (url("depositaccount_change", savings.pk), 302)
    [message] = messages_of(response)
    operation = CashOperation.objects.get()
    assert message.startswith(
        f"Pendiente de aprobación: depósito en efectivo de $ 10,000.01 en la cuenta "
        f"{savings.number} (operación #{operation.pk}). Supera $ 10,000.00: otra persona "
        "autorizada del personal debe aprobarlo en «Operaciones en efectivo»."
    )
    assert message.endswith("No se registra en la cuenta hasta la aprobación.")
    assert balance(savings) == 500_000
    assert JournalEntry.objects.count() == entries
    assert operation.status == CashStatus.PENDING
    assert operation.teller.username == "staff-cajero"
    assert AuditEvent.objects.filter(kind=AuditKind.CASH_PENDING).count() == 1


def test_a_large_withdrawal_tells_the_teller_not_to_pay_out_yet(login, savings) -> None:
    cash_deposit(account=savings, amount=20_000_00, idempotency_key="more")
    client = login(TELLER)
    withdrawal_url = url("depositaccount_cash_withdrawal", savings.pk)

    response = client.post(
        withdrawal_url,
        {"amount": "15000", "idempotency_key": fresh_key(client, withdrawal_url)},
        follow=True,
    )

    [message] = messages_of(response)
    assert message.startswith("Pendiente de aprobación: retiro en efectivo de $ 15,000.00")
    assert message.endswith("no entregues el efectivo antes.")
    assert balance(savings) == 2_500_000


def test_a_small_deposit_at_the_window_posts_at_once(login, savings) -> None:
    response = deposit(login(TELLER), savings, "10,000.00")

    assert "Nuevo saldo contable: $ 15,000.00" in " ".join(messages_of(response))
    assert CashOperation.objects.get().status == CashStatus.POSTED


def test_the_trillion_dollar_deposit_is_refused_at_the_field(login, savings) -> None:
    client = login(TELLER)

    response = deposit(client, savings, "1,000,000,000,000.00", follow=False)

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "El monto no puede superar $ 999,999,999.99."
    ]
    assert balance(savings) == 500_000
    assert not CashOperation.objects.exists()


def test_the_ambiguous_teller_deposit_is_refused_with_the_form_to_use(login, savings) -> None:
    response = deposit(login(TELLER), savings, "0.001", follow=False)

    assert response.context["form"].errors["amount"] == [
        "Escribe el monto con dos decimales como máximo, por ejemplo 1,500.00 o 1500.00."
    ]
    assert balance(savings) == 500_000


def test_the_daily_limit_is_refused_beside_the_amount(login, savings, settings) -> None:
    settings.CASH_TELLER_DAILY_LIMIT = 1_000_00
    client = login(TELLER)
    deposit(client, savings, "600.00")

    response = deposit(client, savings, "400.01", follow=False)

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "El monto supera tu límite diario de efectivo de $ 1,000.00: hoy ya registraste "
        "$ 600.00 entre depósitos y retiros y te quedan $ 400.00."
    ]
    assert balance(savings) == 560_000
    assert AuditEvent.objects.filter(kind=AuditKind.CASH_LIMIT_REFUSED).count() == 1


def test_operations_sees_the_pending_list_with_approve_and_reject(staff, pending) -> None:
    client, _ = staff(OPERATIONS, "supervisora")

    page = client.get(url("cashoperation_changelist") + "?status__exact=PENDIENTE")

    assert page.status_code == 200
    assert url("cashoperation_approve", pending.pk) in page.text
    assert url("cashoperation_reject", pending.pk) in page.text
    assert "$ 20,000.00" in page.text
    assert "PENDIENTE DE APROBACIÓN" in page.text


def test_another_staff_member_approves_with_a_post_and_it_posts_once(
    staff, pending, savings
) -> None:
    client, supervisor = staff(OPERATIONS, "supervisora")
    approve_url = url("cashoperation_approve", pending.pk)

    page = client.get(approve_url)
    assert page.status_code == 200
    assert "Aprobar" in page.text
    assert balance(savings) == 500_000  # a GET changes nothing

    response = client.post(approve_url, follow=True)
    again = client.post(approve_url, follow=True)

    assert "aprobado y registrado" in " ".join(messages_of(response))
    assert "ya estaba aprobado" in " ".join(messages_of(again))
    assert balance(savings) == 2_500_000
    pending.refresh_from_db()
    assert pending.status == CashStatus.APPROVED
    assert pending.approver == supervisor
    assert JournalEntry.objects.filter(kind="cash_deposit").count() == 2  # seed + this


def test_the_approval_post_needs_the_csrf_token(staff, pending, savings) -> None:
    _, supervisor = staff(OPERATIONS, "supervisora")
    from enlinea.staff.testing import staff_login

    strict = staff_login(Client(enforce_csrf_checks=True), supervisor)

    response = strict.post(url("cashoperation_approve", pending.pk))

    assert response.status_code == 403
    assert balance(savings) == 500_000


def test_the_teller_cannot_open_the_approval_page(client, pending, savings) -> None:
    # ``client`` is the teller who asked (``pending`` logged it in).

    assert client.get(url("cashoperation_approve", pending.pk)).status_code == 403
    assert client.post(url("cashoperation_approve", pending.pk)).status_code == 403
    assert balance(savings) == 500_000


def test_a_superuser_cannot_approve_their_own_deposit(login, savings) -> None:
    client = login()  # a superuser has every permission, approve_cash included
    deposit(client, savings, "20,000.00")
    operation = CashOperation.objects.get()

    response = client.post(url("cashoperation_approve", operation.pk))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Otra persona del personal debe aprobar o rechazar esta operación: no puedes "
        "decidir sobre una operación que registraste tú."
    ]
    operation.refresh_from_db()
    assert operation.status == CashStatus.PENDING
    assert balance(savings) == 500_000


def test_support_gets_403_on_the_approval(staff, pending) -> None:
    client, _ = staff(SUPPORT, "soporte")

    assert client.post(url("cashoperation_approve", pending.pk)).status_code == 403


def test_a_rejection_with_a_reason_posts_nothing(staff, pending, savings) -> None:
    client, _ = staff(OPERATIONS, "supervisora")

    response = client.post(
        url("cashoperation_reject", pending.pk),
        {"reason": "No justificó el origen de los fondos."},
        follow=True,
    )

    assert "rechazado: no se registró nada" in " ".join(messages_of(response))
    pending.refresh_from_db()
    assert pending.status == CashStatus.REJECTED
    assert pending.reason == "No justificó el origen de los fondos."
    assert balance(savings) == 500_000
    assert AuditEvent.objects.filter(kind=AuditKind.CASH_REJECTED).count() == 1


def test_the_bulk_actions_approve_and_reject(staff, login, savings) -> None:
    teller = login(TELLER)
    deposit(teller, savings, "11,000.00")
    deposit(teller, savings, "12,000.00")
    first, second = CashOperation.objects.order_by("id")
    client, _ = staff(OPERATIONS, "supervisora")

    run_action(client, "cashoperation", "approve", first)
    run_action(client, "cashoperation", "reject", second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (CashStatus.APPROVED, CashStatus.REJECTED)
    assert balance(savings) == 500_000 + 11_000_00


def test_a_teller_sees_the_list_without_the_decisions(client, pending) -> None:

    page = client.get(url("cashoperation_changelist"))

    assert page.status_code == 200
    assert "$ 20,000.00" in page.text
    assert url("cashoperation_approve", pending.pk) not in page.text
    assert page.context["action_form"] is None


def test_the_operation_page_renders_and_links_its_entry(staff, pending) -> None:
    client, _ = staff(OPERATIONS, "supervisora")
    client.post(url("cashoperation_approve", pending.pk))
    pending.refresh_from_db()

    page = client.get(url("cashoperation_change", pending.pk))

    assert page.status_code == 200
    assert "APROBADA" in page.text
    assert f"#{pending.entry_id}" in page.text
    assert "supervisora" in page.text


def test_a_bulk_action_on_nothing_pending_says_so(staff, pending) -> None:
    client, _ = staff(OPERATIONS, "supervisora")
    run_action(client, "cashoperation", "reject", pending)

    response = run_action(client, "cashoperation", "approve", pending)

    assert "Ninguna de las operaciones seleccionadas está pendiente." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == CashStatus.REJECTED
