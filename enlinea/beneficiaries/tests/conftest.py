"""A small cast built through the real services: a member with an account, another
member with accounts in every state, and card numbers with a valid check digit."""

from __future__ import annotations

import pytest
from stdnum import luhn

from enlinea.institutions.models import Institution
from enlinea.ledger.services import chart_ensure
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products.models import AccountKind, AccountStatus, DepositAccount
from enlinea.products.services import account_open, account_set_status


def card_number(prefix: str = "411111111111111") -> str:
    """A card number whose last digit is its Luhn check digit."""
    return prefix + luhn.calc_check_digit(prefix)


@pytest.fixture
def socio(db):
    chart_ensure()
    return member_create(**member_data())


@pytest.fixture
def otro(db):
    chart_ensure()
    return member_create(
        **member_data(
            first_names="Maria Fernanda",
            last_names="Perez Guaman",
            email="maria.perez@example.com",
            mobile_phone="0987654321",
        )
    )


@pytest.fixture
def own_account(socio) -> DepositAccount:
    return account_open(member=socio, idempotency_key=f"b-own-{socio.pk}")


@pytest.fixture
def other_account(otro) -> DepositAccount:
    return account_open(member=otro, idempotency_key=f"b-savings-{otro.pk}")


@pytest.fixture
def other_accounts(otro) -> dict[str, DepositAccount]:
    """The other member's accounts: one of each state, and a certificate."""

    def opened(key: str, kind: str = AccountKind.SAVINGS) -> DepositAccount:
        return account_open(member=otro, idempotency_key=f"b-{key}-{otro.pk}", kind=kind)

    return {
        "checking": opened("checking", AccountKind.CHECKING),
        "blocked": account_set_status(account=opened("blocked"), status=AccountStatus.BLOCKED),
        "inactive": account_set_status(account=opened("inactive"), status=AccountStatus.INACTIVE),
        "certificates": opened("certificates", AccountKind.CERTIFICATES),
    }


@pytest.fixture
def pichincha(db) -> Institution:
    return Institution.objects.get(name="BANCO PICHINCHA")


@pytest.fixture
def diners(db) -> Institution:
    return Institution.objects.get(name="BANCO DINERS CLUB DEL ECUADOR S.A.")
