"""The books in the back office are read-only for everyone, superusers included."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enlinea.ledger.models import AccountKind, Hold, JournalEntry, LedgerAccount, Posting
from enlinea.ledger.services import Line, chart_ensure, coop_account, entry_record, hold_place
from enlinea.ledger.verify import ledger_verify
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products.roles import OPERATIONS, SUPPORT, TELLER, roles_ensure
from enlinea.products.services import account_open, cash_deposit
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

MODELS = ("ledgeraccount", "journalentry", "posting", "hold")


@pytest.fixture
def books(db):
    """A member's account with a deposit and a hold, and two commission entries."""
    chart_ensure()
    account = account_open(member=member_create(**member_data()), idempotency_key="ledger-admin")
    cash_deposit(account=account, amount=100_000, idempotency_key="books-deposit")
    hold_place(
        account_id=account.ledger_account_id,
        amount=2_500,
        reason="Orden judicial",
        idempotency_key="books-hold",
    )
    cash = coop_account(AccountKind.CASH).pk
    commissions = coop_account(AccountKind.COMMISSION_INCOME).pk
    for key, amount in (("books-fee-1", 1_000), ("books-fee-2", 500)):
        entry_record(
            idempotency_key=key,
            kind="commission",
            lines=[Line(cash, -amount), Line(commissions, amount)],
        )
    return account


@pytest.fixture
def staff(client, django_user_model):
    roles_ensure()

    def _login(role: str | None = None):
        if role is None:
            user = django_user_model.objects.create_superuser(
                username="gerencia", email="gerencia@example.com", password="Progreso#2026-x"
            )
        else:
            user = django_user_model.objects.create_user(
                username=role.lower(), password="Progreso#2026-x", is_staff=True
            )
            user.groups.add(Group.objects.get(name=role))
        staff_login(client, user)
        return client

    return _login


def one_of_each(account) -> dict[str, int]:
    return {
        "ledgeraccount": account.ledger_account_id,
        "journalentry": JournalEntry.objects.get(idempotency_key="books-deposit").pk,
        "posting": Posting.objects.filter(account_id=account.ledger_account_id).first().pk,
        "hold": Hold.objects.get().pk,
    }


def admin_url(model: str, action: str, *args: object) -> str:
    return reverse(f"admin:ledger_{model}_{action}", args=args)


def test_not_even_a_superuser_can_add_change_or_delete_ledger_rows(staff, books) -> None:
    client = staff()
    rows = one_of_each(books)
    counts = {
        "ledgeraccount": LedgerAccount.objects.count(),
        "journalentry": JournalEntry.objects.count(),
        "posting": Posting.objects.count(),
        "hold": Hold.objects.count(),
    }
    balance = LedgerAccount.objects.get(pk=books.ledger_account_id).balance

    for model, pk in rows.items():
        changelist = client.get(admin_url(model, "changelist"))
        assert changelist.status_code == 200, model
        assert admin_url(model, "add") not in changelist.text, model
        assert "delete_selected" not in changelist.text, model
        assert client.get(admin_url(model, "add")).status_code == 403, model
        assert client.post(admin_url(model, "add"), {"amount": 1}).status_code == 403, model
        detail = client.get(admin_url(model, "change", pk))
        assert detail.status_code == 200, model
        assert 'name="_save"' not in detail.text, model
        assert client.post(admin_url(model, "change", pk), {"balance": 0}).status_code == 403
        assert client.get(admin_url(model, "delete", pk)).status_code == 403, model
        assert client.post(admin_url(model, "delete", pk), {"post": "yes"}).status_code == 403

    assert LedgerAccount.objects.count() == counts["ledgeraccount"]
    assert JournalEntry.objects.count() == counts["journalentry"]
    assert Posting.objects.count() == counts["posting"]
    assert Hold.objects.count() == counts["hold"]
    assert LedgerAccount.objects.get(pk=books.ledger_account_id).balance == balance
    assert ledger_verify().ok


def test_a_hot_group_account_shows_the_total_of_its_shards(staff, books) -> None:
    client = staff()
    group = coop_account(AccountKind.COMMISSION_INCOME)
    assert group.balance == 0
    assert sum(group.shards.values_list("balance", flat=True)) == 1_500

    listing = client.get(admin_url("ledgeraccount", "changelist"), {"is_group__exact": "1"})
    detail = client.get(admin_url("ledgeraccount", "change", group.pk))

    assert "$ 15.00 (total de subcuentas)" in listing.text
    assert "$ 15.00 (total de subcuentas)" in detail.text


def test_balances_read_on_the_accounts_normal_side(staff, books) -> None:
    client = staff()
    cash = coop_account(AccountKind.CASH)

    detail = client.get(admin_url("ledgeraccount", "change", cash.pk))

    # Cash took in $ 1,015.00: stored as a debit (negative), shown as a positive asset.
    assert cash.balance == -101_500
    assert "$ 1,015.00" in detail.text
    assert "-$ 1,015.00" in detail.text  # and with the ledger's own sign, labelled as such


def test_a_journal_entry_shows_its_postings_and_holds_inline(staff, books) -> None:
    client = staff()
    entry = JournalEntry.objects.get(idempotency_key="books-deposit")

    page = client.get(admin_url("journalentry", "change", entry.pk))

    assert page.status_code == 200
    assert books.ledger_account.code in page.text
    assert "$ 1,000.00" in page.text
    assert 'name="postings-TOTAL_FORMS"' in page.text


def test_searching_a_number_finds_the_entry_by_id(staff, books) -> None:
    client = staff()
    entry = JournalEntry.objects.get(idempotency_key="books-fee-2")

    page = client.get(admin_url("journalentry", "changelist"), {"q": f"#{entry.pk}"})

    assert list(page.context["cl"].result_list) == [entry]


def test_support_and_operations_see_the_books_and_tellers_do_not(staff, books) -> None:
    rows = one_of_each(books)
    for role in (SUPPORT, OPERATIONS):
        client = staff(role)
        for model, pk in rows.items():
            assert client.get(admin_url(model, "changelist")).status_code == 200, (role, model)
            assert client.get(admin_url(model, "change", pk)).status_code == 200, (role, model)
            assert client.get(admin_url(model, "add")).status_code == 403, (role, model)
    client = staff(TELLER)
    for model, pk in rows.items():
        assert client.get(admin_url(model, "changelist")).status_code == 403, model
        assert client.get(admin_url(model, "change", pk)).status_code == 403, model


def test_postings_filter_by_account_and_by_group(staff, books) -> None:
    client = staff()
    group = coop_account(AccountKind.COMMISSION_INCOME)

    by_account = client.get(
        admin_url("posting", "changelist"), {"account__id__exact": books.ledger_account_id}
    )
    by_group = client.get(admin_url("posting", "changelist"), {"grupo": group.pk})

    assert {p.account_id for p in by_account.context["cl"].result_list} == {books.ledger_account_id}
    assert sorted(p.amount for p in by_group.context["cl"].result_list) == [500, 1_000]
