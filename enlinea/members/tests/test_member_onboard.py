from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enlinea.access.models import AuditKind
from enlinea.ledger.errors import LedgerError
from enlinea.ledger.models import JournalEntry, LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.ledger.verify import ledger_verify
from enlinea.members.models import Member
from enlinea.members.services import member_onboard
from enlinea.members.tests.support import make_cedula, with_wrong_check_digit
from enlinea.products import services as product_services
from enlinea.products.models import CashOperation, DepositAccount
from enlinea.products.services import ProductError
from enlinea.receipts.models import Receipt
from enlinea.security.models import AuditEvent

pytestmark = pytest.mark.django_db

ARGS = [
    "--nombres",
    "Rosa Elena",
    "--apellidos",
    "Quispe Tene",
    "--email",
    "rosa@example.com",
    "--celular",
    "0991112233",
]


def test_onboard_prints_member_and_account_with_opening_deposit() -> None:
    out = io.StringIO()
    cedula = make_cedula()
    call_command("member_onboard", "--cedula", cedula, *ARGS, "--deposito", "100.00", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    member = Member.objects.get(pk=int(lines["socio_id"]))
    assert member.identification == cedula
    assert member.full_name == "ROSA ELENA QUISPE TENE"
    account = DepositAccount.objects.get(number=lines["cuenta"], member=member)
    assert account.ledger_account.balance == 10_000
    assert lines["saldo"] == "$ 100.00"
    assert ledger_verify().ok


def test_onboard_refuses_a_bad_cedula_in_spanish_and_creates_nothing() -> None:
    with pytest.raises(CommandError, match="dígito verificador"):
        call_command("member_onboard", "--cedula", with_wrong_check_digit(make_cedula()), *ARGS)
    assert not Member.objects.exists()


def test_onboard_refuses_a_bad_amount_before_creating_anything() -> None:
    with pytest.raises(CommandError, match="--deposito: Ingresa un monto válido"):
        call_command("member_onboard", "--cedula", make_cedula(), *ARGS, "--deposito", "cien")
    assert not Member.objects.exists()


def test_onboard_whose_deposit_the_ledger_refuses_registers_nobody(monkeypatch) -> None:
    chart_ensure()

    def refused(**kwargs: object) -> None:
        raise LedgerError("Cuenta contable inexistente.")

    monkeypatch.setattr(product_services, "entry_record", refused)
    with pytest.raises(CommandError, match="No se registró al socio ni se abrió su cuenta"):
        call_command("member_onboard", "--cedula", make_cedula(), *ARGS, "--deposito", "100.00")
    assert not Member.objects.exists()
    assert not DepositAccount.objects.exists()


# ---------------------------------------------------------------- the service: one transaction


@pytest.fixture
def teller(django_user_model):
    from django.contrib.auth.models import Group

    from enlinea.products.roles import TELLER, roles_ensure

    roles_ensure()
    user = django_user_model.objects.create_user(username="cajera", is_staff=True)
    user.groups.add(Group.objects.get(name=TELLER))
    return user


def _socio(**overrides: object) -> dict[str, object]:
    return {
        "identification": make_cedula(),
        "first_names": "Rosa Elena",
        "last_names": "Quispe Tene",
        "email": "rosa@example.com",
        "mobile_phone": "0991112233",
        "idempotency_key": "form-1",
        **overrides,
    }


def _rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Member, DepositAccount, LedgerAccount, JournalEntry, CashOperation, Receipt)
    }


def test_a_deposit_over_the_tellers_limit_is_refused_before_the_socio_is_written(
    teller, settings
) -> None:
    chart_ensure()
    settings.CASH_TELLER_DAILY_LIMIT = 100_00
    before = _rows()

    with pytest.raises(ProductError, match=r"límite diario de efectivo de \$ 100\.00"):
        member_onboard(**_socio(), deposit=100_01, teller=teller)

    assert _rows() == before
    [audit] = AuditEvent.objects.filter(kind=AuditKind.CASH_LIMIT_REFUSED)
    assert audit.member is None
    assert audit.detail["amount"] == 100_01


@pytest.mark.parametrize("with_teller", [True, False], ids=["window", "script"])
def test_a_deposit_the_ledger_refuses_leaves_no_socio_and_no_account(
    teller, monkeypatch, with_teller
) -> None:
    chart_ensure()
    before = _rows()
    seen: list[dict[str, int]] = []

    def refused(**kwargs: object) -> None:
        seen.append(_rows())  # the socio, the account and its ledger account exist here
        raise LedgerError("Cuenta contable inexistente.")

    monkeypatch.setattr(product_services, "entry_record", refused)

    with pytest.raises((ProductError, LedgerError), match="Cuenta contable inexistente"):
        member_onboard(**_socio(), deposit=250_00, teller=teller if with_teller else None)

    assert [(s["Member"], s["DepositAccount"]) for s in seen] == [(1, 1)]
    assert _rows() == before


def test_a_replay_after_the_limit_was_reached_returns_the_first_onboarding(
    teller, settings
) -> None:
    chart_ensure()
    settings.CASH_TELLER_DAILY_LIMIT = 250_00
    data = _socio()
    first = member_onboard(**data, deposit=250_00, teller=teller)  # the whole day's limit

    again = member_onboard(**data, deposit=250_00, teller=teller)

    assert again.account == first.account
    assert again.cash == first.cash
    assert _rows()["CashOperation"] == 1
    assert not AuditEvent.objects.filter(kind=AuditKind.CASH_LIMIT_REFUSED).exists()
