"""Cash approvals and the teller's daily limit under parallel requests (PostgreSQL,
real threads and connections)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from enlinea.access.models import AuditKind
from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.products.models import CashKind, CashOperation, CashStatus
from enlinea.products.roles import OPERATIONS, TELLER, roles_ensure
from enlinea.products.services import (
    ProductError,
    cash_handled_today,
    cash_operation_approve,
    cash_operation_request,
)
from enlinea.products.tests.support import STAFF_PASSWORD, balance
from enlinea.security.models import AuditEvent
from tests.support.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture
def make_staff(django_user_model):
    roles_ensure()

    def _make(username: str, role: str):
        user = django_user_model.objects.create_user(
            username=username, password=STAFF_PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return django_user_model.objects.get(pk=user.pk)

    return _make


def test_parallel_approvals_post_once(savings, make_staff) -> None:
    teller = make_staff("cajera", TELLER)
    approvers = [make_staff(f"supervisor-{i}", OPERATIONS) for i in range(THREADS)]
    operation = cash_operation_request(
        account=savings,
        kind=CashKind.DEPOSIT,
        amount=20_000_00,
        teller=teller,
        idempotency_key="big",
    )
    entries = JournalEntry.objects.count()

    results, errors = at_once(
        [
            lambda approver=approver: cash_operation_approve(operation=operation, approver=approver)
            for approver in approvers
        ]
    )

    assert errors == [], errors[:3]
    assert len({result.entry_id for result in results}) == 1
    assert JournalEntry.objects.count() == entries + 1
    assert balance(savings) == 500_000 + 20_000_00
    operation.refresh_from_db()
    assert operation.status == CashStatus.APPROVED
    assert ledger_verify().ok


def test_parallel_submits_of_one_teller_cannot_pass_the_daily_limit(savings, make_staff) -> None:
    teller = make_staff("cajera", TELLER)
    # Sixteen deposits of $ 9,000.00 (each below the approval threshold) at once against
    # the $ 50,000.00 limit: five fit ($ 45,000.00), the other eleven must be refused.
    results, errors = at_once(
        [
            lambda i=i: cash_operation_request(
                account=savings,
                kind=CashKind.DEPOSIT,
                amount=9_000_00,
                teller=teller,
                idempotency_key=f"window-{i}",
            )
            for i in range(2 * THREADS)
        ]
    )

    assert len(results) == 5
    assert len(errors) == 11
    assert all(isinstance(e, ProductError) for e in errors), errors[:3]
    assert all("límite diario de efectivo" in e.messages[0] for e in errors)
    assert cash_handled_today(teller=teller) == 45_000_00
    assert CashOperation.objects.filter(status=CashStatus.POSTED).count() == 5
    assert balance(savings) == 500_000 + 45_000_00
    assert AuditEvent.objects.filter(kind=AuditKind.CASH_LIMIT_REFUSED).count() == 11
    assert ledger_verify().ok
