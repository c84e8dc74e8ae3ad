from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enlinea.ledger.verify import ledger_verify
from enlinea.members.models import Member
from enlinea.members.tests.support import make_cedula, with_wrong_check_digit
from enlinea.products.models import DepositAccount

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
