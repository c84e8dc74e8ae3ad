"""«Nuevo socio» with an opening deposit under parallel submits of one teller (PostgreSQL,
real threads and connections, through the view): one transaction per socio, the daily
limit counted one submit after another, a double submit answered as one."""

from __future__ import annotations

import pytest
from django.test import Client

from enlinea.access.models import AuditKind
from enlinea.ledger.services import chart_ensure
from enlinea.ledger.verify import ledger_verify
from enlinea.members.models import Member
from enlinea.products.models import CashOperation, CashStatus, DepositAccount
from enlinea.products.services import cash_handled_today
from enlinea.security.models import AuditEvent
from enlinea.staff.testing import staff_login
from enlinea.staff.tests.test_ventanilla import ONBOARD, onboard_data, receipt_url
from tests.support.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _posts(cajero, forms: list[dict[str, str]]) -> list:
    """Each form posted from its own logged-in browser, all at the same moment."""
    clients = [staff_login(Client(), cajero) for _ in forms]
    results, errors = at_once(
        [
            lambda c=client, f=form: c.post(ONBOARD, f)
            for client, form in zip(clients, forms, strict=True)
        ]
    )
    assert errors == [], errors[:3]
    return results


def test_parallel_onboardings_of_one_teller_cannot_pass_the_daily_limit(cajero, settings) -> None:
    chart_ensure()
    settings.CASH_TELLER_DAILY_LIMIT = 50_000_00
    # Six socios with $ 9,000.00 each (below the approval threshold): five fit.
    forms = [onboard_data(deposit="9000.00", email=f"socio{i}@example.com") for i in range(6)]

    responses = _posts(cajero, forms)

    registered = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code == 200]
    assert len(registered) == 5
    assert len(refused) == 1
    assert "límite diario de efectivo" in " ".join(refused[0].context["form"].errors["deposit"])
    # The refused socio left nothing; each registered one is whole.
    assert Member.objects.count() == DepositAccount.objects.count() == 5
    assert CashOperation.objects.filter(status=CashStatus.POSTED).count() == 5
    assert {r["Location"] for r in registered} == {
        receipt_url(operation) for operation in CashOperation.objects.all()
    }
    assert cash_handled_today(teller=cajero) == 45_000_00
    assert AuditEvent.objects.filter(kind=AuditKind.CASH_LIMIT_REFUSED).count() == 1
    assert ledger_verify().ok


def test_the_same_form_sent_four_times_at_once_registers_one_socio(cajero) -> None:
    chart_ensure()
    form = onboard_data(deposit="250.00")

    responses = _posts(cajero, [form] * 4)

    operation = CashOperation.objects.get()
    assert [r.status_code for r in responses] == [302] * 4
    assert {r["Location"] for r in responses} == {receipt_url(operation)}
    assert Member.objects.get().identification == form["identification"]
    assert DepositAccount.objects.count() == 1
    assert operation.account.ledger_account.balance == 250_00
    assert ledger_verify().ok
