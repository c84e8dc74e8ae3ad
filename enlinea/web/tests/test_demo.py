from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import F

from enlinea.demo.identity import cedula
from enlinea.demo.realistic import ANDRES, MARIA, PEOPLE, demo_member_cedula
from enlinea.ledger.models import JournalEntry, Posting
from enlinea.ledger.verify import ledger_verify
from enlinea.members.models import Member
from enlinea.products.models import AccountStatus, CreditCard, DepositAccount, Loan
from enlinea.receipts.models import Receipt, ReceiptKind

pytestmark = pytest.mark.django_db


def test_realistic_demo_has_a_year_of_history_and_verifies(capsys) -> None:
    call_command("seed_demo")
    entries = JournalEntry.objects.count()
    call_command("seed_demo")  # idempotent
    assert JournalEntry.objects.count() == entries
    assert "Datos de demostración listos." in capsys.readouterr().out

    andres = Member.objects.get(identification=demo_member_cedula(ANDRES))
    assert andres.user.username == "andreslopez"
    assert Member.objects.get(identification=demo_member_cedula(MARIA)).user is None
    kinds = {a.get_kind_display(): a for a in andres.deposit_accounts.all()}
    assert set(kinds) == {
        "CUENTA DE AHORROS",
        "CERTIFICADOS DE APORTACION",
        "CUENTA PROGRESAR CLIENTES",
    }
    assert kinds["CUENTA PROGRESAR CLIENTES"].status == AccountStatus.INACTIVE
    savings = kinds["CUENTA DE AHORROS"]
    postings = Posting.objects.filter(account_id=savings.ledger_account_id)
    assert postings.count() > 60
    months = {p.created_at.strftime("%Y-%m") for p in postings}
    assert len(months) >= 12
    assert savings.ledger_account.balance > 0
    loan = Loan.objects.get(member=andres)
    assert 0 < loan.installments_paid < loan.term_months
    assert CreditCard.objects.get(member=andres).purchases.filter(installments__gt=1).exists()
    # The interbank fee is the tariff's (manual: COMISIÓN $ 0.36, IVA $ 0.05), each its
    # own movement on the member's account, and on the transfer's comprobante.
    interbank = Receipt.objects.filter(kind=ReceiptKind.TRANSFER_INTERBANK, member=andres)
    assert interbank.count() >= 12
    for receipt in interbank:
        assert (receipt.commission, receipt.iva) == (36, 5)
        assert receipt.counterpart_institution == "BANCO PICHINCHA C.A."
        legs = sorted(
            Posting.objects.filter(
                entry__receipt_link__receipt=receipt, account_id=savings.ledger_account_id
            ).values_list("entry__description", "amount")
        )
        assert legs == [
            ("COMISIÓN TRANSFERENCIA INTERBANCARIA", -36),
            ("IVA TRANSFERENCIA INTERBANCARIA", -5),
            ("ND TRANSFERENCIA INTERBANCARIA BANCO PICHINCHA C.A.", -receipt.amount),
        ]
    salary = Receipt.objects.filter(kind=ReceiptKind.TRANSFER_RECEIVED, member=andres).first()
    assert salary.counterpart_institution == "BANCO PICHINCHA C.A."
    assert salary.counterpart_name.startswith("EMPRESA ")
    report = ledger_verify()
    assert report.ok, report.problems


def test_every_demo_movement_opens_a_comprobante() -> None:
    call_command("seed_demo")
    receipts = Receipt.objects.count()
    call_command("seed_demo")  # idempotent: no second receipt either
    assert Receipt.objects.count() == receipts
    demo_accounts = DepositAccount.objects.filter(
        member__identification__in=[demo_member_cedula(p) for p in PEOPLE]
    ).values_list("ledger_account_id", flat=True)
    postings = Posting.objects.filter(account_id__in=demo_accounts)
    assert postings.count() > 200
    without = postings.filter(entry__receipt_link__isnull=True)
    assert sorted(set(without.values_list("entry__kind", flat=True))) == []
    # Each receipt is its member's, on that member's account.
    assert (
        not Receipt.objects.exclude(account__isnull=True)
        .exclude(account__member=F("member"))
        .exists()
    )
    report = ledger_verify()
    assert report.ok, report.problems


def test_bulk_demo_data_is_ledger_valid() -> None:
    call_command("seed_demo", members=40, movements=1_000)
    assert Member.objects.filter(identification__startswith="09").count() == 40
    assert DepositAccount.objects.filter(member__identification__startswith="09").count() == 40
    bulk_postings = Posting.objects.filter(entry__idempotency_key__startswith="bulk:").count()
    assert bulk_postings == 1_000
    report = ledger_verify()
    assert report.ok, report.problems
    # Running it again adds nothing.
    call_command("seed_demo", members=40, movements=1_000)
    assert Member.objects.filter(identification=cedula("09", 41)).count() == 0
    assert Posting.objects.filter(entry__idempotency_key__startswith="bulk:").count() == 1_000


@pytest.mark.django_db
def test_the_demo_member_has_finished_the_first_login_and_maria_can_register():
    from django.contrib.auth.hashers import check_password

    from enlinea.access.models import Consent, OnlineProfile, SecurityAnswer
    from enlinea.demo.online import DEMO_ANSWERS, DEMO_IMAGE
    from enlinea.demo.realistic import DEMO_MEMBER, demo_seed
    from enlinea.members.models import Member

    demo_seed()
    demo_seed()  # idempotent
    profile = OnlineProfile.objects.get(user__username=DEMO_MEMBER[0])
    assert profile.security_image == DEMO_IMAGE
    assert not profile.temporary
    assert not profile.is_locked
    answers = dict(
        SecurityAnswer.objects.filter(user=profile.user).values_list("question", "answer_hash")
    )
    assert set(answers) == set(DEMO_ANSWERS)
    assert all(check_password(DEMO_ANSWERS[q], h) for q, h in answers.items())
    assert Consent.objects.filter(member__user=profile.user).count() == 2
    maria = Member.objects.get(identification="1700001025")
    assert maria.user is None


@pytest.mark.django_db
def test_seed_demo_creates_one_staff_user_per_role_idempotently() -> None:
    from pathlib import Path

    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from enlinea.access.policy import validate_username
    from enlinea.demo.staff import DEMO_ROLE_USERS
    from enlinea.products.roles import ROLES

    User = get_user_model()
    call_command("seed_demo")
    first = {u.username: u.pk for u in User.objects.filter(is_staff=True)}
    call_command("seed_demo")  # idempotent: no new users, same rows
    assert {u.username: u.pk for u in User.objects.filter(is_staff=True)} == first

    assert {demo.role for demo in DEMO_ROLE_USERS} == set(ROLES)
    serve = (Path(__file__).resolve().parents[3] / "scripts" / "serve").read_text()
    assert "el primer ingreso pide registrar una app autenticadora" in serve
    for demo in DEMO_ROLE_USERS:
        user = User.objects.get(username=demo.username)
        assert user.is_staff
        assert user.is_active
        assert not user.is_superuser
        assert [g.name for g in user.groups.all()] == [demo.role]
        assert user.check_password(demo.password)
        assert user.password.startswith("argon2")
        validate_password(demo.password, user)  # a strong password by the site's own rules
        # No socio can ever choose this username, so seeding never makes a socio staff.
        with pytest.raises(ValidationError):
            validate_username(demo.username)
        # `make run` prints each login.
        assert demo.username in serve
        assert demo.password in serve


@pytest.mark.django_db
def test_seed_demo_puts_a_drifted_role_user_back_in_its_group_and_keeps_its_password() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from enlinea.demo.staff import DEMO_ROLE_USERS
    from enlinea.products.roles import OPERATIONS, TELLER

    call_command("seed_demo")
    teller = get_user_model().objects.get(username=DEMO_ROLE_USERS[0].username)
    assert DEMO_ROLE_USERS[0].role == TELLER
    teller.set_password("Cambiada#20261")
    teller.is_superuser = True
    teller.save()
    teller.groups.set([Group.objects.get(name=OPERATIONS)])

    call_command("seed_demo")
    teller.refresh_from_db()
    assert not teller.is_superuser
    assert [g.name for g in teller.groups.all()] == [TELLER]
    assert teller.check_password("Cambiada#20261")
