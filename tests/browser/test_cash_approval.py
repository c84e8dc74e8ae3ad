"""Large cash at the window in a real Chromium: the teller's $ 15,000.00 deposit waits
«pendiente de aprobación», a supervisor approves it, the balance moves once and the
member is told by e-mail."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from enlinea.ledger.models import JournalEntry
from enlinea.ledger.services import chart_ensure
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products.models import CashOperation, CashStatus
from enlinea.products.roles import OPERATIONS, TELLER, roles_ensure
from enlinea.products.services import account_open, cash_deposit
from enlinea.products.tests.support import balance
from enlinea.staff.testing import staff_browser_login
from tests.support.browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Ventanilla#2026-staff"


@pytest.fixture
def cast(django_user_model):
    chart_ensure()
    socio = member_create(**member_data(email="andres.lopez@example.com"))
    savings = account_open(member=socio, idempotency_key="browser-cash-savings")
    cash_deposit(account=savings, amount=5_000_00, idempotency_key="browser-cash-seed")
    roles_ensure()
    people = {}
    for username, role in (("cajera", TELLER), ("supervisora", OPERATIONS)):
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        people[role] = user
    return socio, savings, people


def _messages(page) -> str:
    return page.locator(".messagelist").inner_text()


def test_a_large_deposit_waits_for_the_supervisor_and_posts_once(
    open_page, live_server, cast, smtp_server
) -> None:
    socio, savings, _ = cast
    before, entries = balance(savings), JournalEntry.objects.count()

    # The teller, at the window.
    teller, teller_outside = open_page(DESKTOP)
    staff_browser_login(teller, live_server.url, "cajera", PASSWORD)
    teller.get_by_role("link", name="Cuentas").first.click()
    teller.get_by_role("row").filter(has_text=savings.number).get_by_role(
        "link", name="Depositar"
    ).click()
    expect(teller.get_by_role("heading", name="Depósito en efectivo")).to_be_visible()
    teller.get_by_label("Monto").fill("15,000.00")
    teller.get_by_role("button", name="Registrar depósito").click()

    operation = CashOperation.objects.get()
    expect(teller.locator(".messagelist")).to_contain_text(
        f"Pendiente de aprobación: depósito en efectivo de $ 15,000.00 en la cuenta "
        f"{savings.number} (operación #{operation.pk})."
    )
    assert "No se registra en la cuenta hasta la aprobación." in _messages(teller)
    assert operation.status == CashStatus.PENDING
    assert balance(savings) == before
    assert JournalEntry.objects.count() == entries
    # The teller sees it waiting, and has no way to decide on it.
    teller.get_by_role("link", name="Operaciones en efectivo").first.click()
    row = teller.get_by_role("row").filter(has_text="$ 15,000.00")
    expect(row).to_contain_text("PENDIENTE DE APROBACIÓN")
    expect(row.get_by_role("link", name="Aprobar")).to_have_count(0)

    # The supervisor, at her desk: the pending list, then Aprobar.
    supervisor, supervisor_outside = open_page(DESKTOP)
    staff_browser_login(supervisor, live_server.url, "supervisora", PASSWORD)
    supervisor.get_by_role("link", name="Operaciones en efectivo").first.click()
    supervisor.get_by_role("link", name="PENDIENTE DE APROBACIÓN").click()
    pending = supervisor.get_by_role("row").filter(has_text="$ 15,000.00")
    expect(pending).to_contain_text("cajera")
    pending.get_by_role("link", name="Aprobar").click()
    expect(supervisor.get_by_role("heading", name="Aprobar operación en efectivo")).to_be_visible()
    approve_url = supervisor.url
    supervisor.get_by_role("button", name="Aprobar").click()
    expect(supervisor.locator(".messagelist")).to_contain_text(
        f"Depósito de $ 15,000.00 en la cuenta {savings.number} aprobado y registrado"
    )
    assert balance(savings) == before + 15_000_00
    assert JournalEntry.objects.count() == entries + 1

    # A second Aprobar (the old page, a double click) posts nothing more.
    supervisor.goto(approve_url)
    if supervisor.get_by_role("button", name="Aprobar").count():
        supervisor.get_by_role("button", name="Aprobar").click()
    assert balance(savings) == before + 15_000_00
    assert JournalEntry.objects.count() == entries + 1
    operation.refresh_from_db()
    assert operation.status == CashStatus.APPROVED

    # The member hears of the movement once it has posted.
    received = smtp_server.wait_for(to=socio.email, subject="Depósito en efectivo de $ 15,000.00")
    assert f"terminada en {savings.number[-4:]}" in str(received["Subject"])
    assert re.search(r"Operación: #\d+", smtp_server.body(received))
    assert teller_outside == []
    assert supervisor_outside == []
