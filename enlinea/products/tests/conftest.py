from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from enlinea.ledger.services import chart_ensure
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products.roles import roles_ensure
from enlinea.products.services import account_open, cash_deposit
from enlinea.products.tests.support import STAFF_PASSWORD
from enlinea.staff.testing import staff_login


@pytest.fixture
def socio(db):
    chart_ensure()
    return member_create(**member_data())


@pytest.fixture
def savings(socio):
    account = account_open(member=socio, idempotency_key="savings")
    cash_deposit(account=account, amount=500_000, idempotency_key=f"seed-{account.number}")
    account.ledger_account.refresh_from_db()
    return account


@pytest.fixture
def login(client, django_user_model):
    """Log the test client in as a staff user of a role (or as a superuser)."""
    roles_ensure()

    def _login(role: str | None = None):
        if role is None:
            user = django_user_model.objects.create_superuser(
                username="gerencia", email="gerencia@example.com", password=STAFF_PASSWORD
            )
        else:
            user = django_user_model.objects.create_user(
                username=f"staff-{role.lower()}", password=STAFF_PASSWORD, is_staff=True
            )
            user.groups.add(Group.objects.get(name=role))
        return staff_login(client, user)

    return _login


@pytest.fixture
def staff(django_user_model):
    """Another staff member of a role, logged in on a client of their own:
    ``staff(OPERATIONS, "supervisora")`` returns ``(client, user)``."""
    roles_ensure()

    def _staff(role: str, username: str) -> tuple[Client, object]:
        user = django_user_model.objects.create_user(
            username=username, password=STAFF_PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return staff_login(Client(), user), user

    return _staff
