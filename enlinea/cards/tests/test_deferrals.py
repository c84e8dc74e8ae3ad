"""Diferir consumos' service: eligibility, terms, the manual's example, balances, replay,
a race on PostgreSQL, and the billing of installments at the statement cut-offs."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enlinea.cards.deferrals import (
    AUDIT_DEFERRAL,
    allowed_terms,
    eligible_purchases,
    next_cut_date,
    purchases_defer,
)
from enlinea.cards.models import Deferral, DeferralPolicy
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry
from enlinea.ledger.services import chart_ensure, coop_account
from enlinea.ledger.verify import ledger_verify
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.notifications.models import Message
from enlinea.products.models import CardStatus, CreditCard
from enlinea.products.services import (
    card_purchase_record,
    card_set_status,
    credit_card_issue,
    credit_card_statement_cut,
)
from enlinea.security.models import AuditEvent
from tests.support.threads import at_once

pytestmark = pytest.mark.django_db

MANUAL_AMOUNT = 6853  # $ 68.53
MANUAL_INSTALLMENT = 2342  # $ 23.42 over 3 months at 15.20 %


@pytest.fixture
def socio(db):
    chart_ensure()
    return member_create(**member_data())


def _card(member, key: str = "c") -> CreditCard:
    return credit_card_issue(member=member, credit_limit=500_000, idempotency_key=f"dc-{key}")


def _buy(card: CreditCard, amount: int, key: str, *, days_ago: int = 0, installments: int = 1):
    return card_purchase_record(
        card=card,
        amount=amount,
        merchant="COMPRA",
        idempotency_key=f"buy-{key}",
        installments=installments,
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def _fresh(card: CreditCard) -> CreditCard:
    return CreditCard.objects.select_related("ledger_account").get(pk=card.pk)


def _defer(card, purchases, months=3, installment=None, key="k1"):
    return purchases_defer(
        card=card,
        purchase_ids=[p.pk for p in purchases],
        months=months,
        expected_installment=MANUAL_INSTALLMENT if installment is None else installment,
        idempotency_key=key,
    )


def test_the_manuals_example_through_the_service_moves_it_to_the_deferred_balance(socio) -> None:
    card = _card(socio)
    purchase = _buy(card, MANUAL_AMOUNT, "a")
    _buy(card, 80_000, "b")
    before = _fresh(card)
    assert (before.total_debt, before.deferred_balance) == (86_853, 0)

    deferral = _defer(card, [purchase])

    assert deferral.amount == MANUAL_AMOUNT
    assert deferral.installment == 2342
    assert deferral.first_interest == 87
    assert deferral.total_interest == 174
    assert deferral.annual_rate_bp == 1520
    assert deferral.plan[0] == [2342, 2255, 87]
    assert sum(row[1] for row in deferral.plan) == MANUAL_AMOUNT
    assert list(deferral.items.values_list("purchase_id", flat=True)) == [purchase.pk]
    after = _fresh(card)
    assert after.total_debt == before.total_debt  # no money moved
    assert after.deferred_balance == MANUAL_AMOUNT
    assert after.current_balance == 80_000
    assert AuditEvent.objects.filter(kind=AUDIT_DEFERRAL, member=socio).count() == 1
    message = Message.objects.get(kind="diferido_consumos", channel="email")
    assert "$ 68.53" in message.subject
    assert "$ 23.42" in message.body
    assert ledger_verify().ok


def test_ineligible_purchases_are_not_offered_and_are_refused(socio, other_member) -> None:
    card = _card(socio)
    old = _buy(card, 50_000, "old", days_ago=20)
    credit_card_statement_cut(card=card, cut_date=timezone.localdate() - datetime.timedelta(days=5))
    card = _fresh(card)
    small = _buy(card, 1_999, "small")  # below the $ 20.00 minimum
    made_deferred = _buy(card, 30_000, "inst", installments=3)
    ok = _buy(card, MANUAL_AMOUNT, "ok")
    other_card = _card(other_member.member, "other")
    foreign = _buy(other_card, MANUAL_AMOUNT, "foreign")

    assert list(eligible_purchases(card=card)) == [ok]
    for refused in (old, small, made_deferred, foreign):
        with pytest.raises(ValidationError, match="ya no se puede diferir"):
            _defer(card, [ok, refused], key=f"r-{refused.pk}")
    assert not Deferral.objects.exists()

    _defer(card, [ok])
    assert list(eligible_purchases(card=card)) == []
    with pytest.raises(ValidationError, match="ya no se puede diferir"):
        _defer(card, [ok], key="again")  # already deferred
    assert Deferral.objects.count() == 1


def test_a_term_the_policy_does_not_allow_is_refused(socio) -> None:
    card = _card(socio)
    purchase = _buy(card, MANUAL_AMOUNT, "a")
    DeferralPolicy.objects.update_or_create(pk=1, defaults={"terms": "6,12"})
    assert allowed_terms() == [6, 12]
    with pytest.raises(ValidationError, match="6, 12 meses"):
        _defer(card, [purchase], months=3)
    with pytest.raises(ValidationError, match="6, 12 meses"):
        _defer(card, [purchase], months=4)
    assert not Deferral.objects.exists()


def test_a_simulation_that_no_longer_matches_and_an_inactive_card_are_refused(socio) -> None:
    card = _card(socio)
    purchase = _buy(card, MANUAL_AMOUNT, "a")
    CreditCard.objects.filter(pk=card.pk).update(deferral_rate_bp=2000)
    with pytest.raises(ValidationError, match="La simulación cambió"):
        _defer(card, [purchase])
    card_set_status(card=card, status=CardStatus.BLOCKED)
    with pytest.raises(ValidationError, match="BLOQUEADA"):
        _defer(card, [purchase])
    assert not Deferral.objects.exists()
    with pytest.raises(ValidationError, match="al menos un consumo"):
        _defer(card, [])


def test_a_replay_returns_the_same_deferral_and_other_content_is_refused(socio) -> None:
    card = _card(socio)
    purchase = _buy(card, MANUAL_AMOUNT, "a")
    first = _defer(card, [purchase], key="same")
    again = _defer(card, [purchase], key="same")
    assert again.pk == first.pk
    assert Deferral.objects.count() == 1
    assert _fresh(card).deferred_balance == MANUAL_AMOUNT
    with pytest.raises(ValidationError, match="otros datos"):
        _defer(card, [purchase], months=6, key="same")


def test_each_cut_off_bills_one_installment_interest_in_the_ledger(socio) -> None:
    card = _card(socio)
    purchase = _buy(card, MANUAL_AMOUNT, "a")
    deferral = _defer(card, [purchase])
    income = coop_account(LedgerKind.INTEREST_INCOME)
    income_before = income.balance

    # A cut-off the same day the deferral was made bills nothing of it yet.
    today = timezone.localdate()
    credit_card_statement_cut(card=card, cut_date=today)
    assert Deferral.objects.get(pk=deferral.pk).installments_billed == 0

    cut = next_cut_date(card=card, after=today)
    assert cut > today
    credit_card_statement_cut(card=card, cut_date=cut)
    after = _fresh(card)
    assert Deferral.objects.get(pk=deferral.pk).installments_billed == 1
    assert after.total_debt == MANUAL_AMOUNT + 87  # the first installment's interest
    assert after.deferred_balance == MANUAL_AMOUNT - 2255  # its principal left
    assert after.current_balance == 2342  # the installment is due
    assert after.statement_balance == 2342
    income.refresh_from_db()
    assert income.balance - income_before == 87
    entry = JournalEntry.objects.get(idempotency_key=f"deferral:{deferral.pk}:1")
    assert entry.kind == "card_deferral_interest"

    # Cutting the same date again bills nothing twice.
    credit_card_statement_cut(card=card, cut_date=cut)
    assert _fresh(card).total_debt == MANUAL_AMOUNT + 87

    # The next two cut-offs bill the rest; the deferral is then fully billed.
    for n in (2, 3):
        cut = next_cut_date(card=card, after=cut)
        credit_card_statement_cut(card=card, cut_date=cut)
        assert Deferral.objects.get(pk=deferral.pk).installments_billed == n
    final = _fresh(card)
    assert final.deferred_balance == 0
    assert final.total_debt == MANUAL_AMOUNT + 174
    cut = next_cut_date(card=card, after=cut)
    credit_card_statement_cut(card=card, cut_date=cut)
    assert _fresh(card).total_debt == MANUAL_AMOUNT + 174
    assert ledger_verify().ok


def test_next_cut_date_clamps_to_the_months_last_day(socio) -> None:
    card = _card(socio)
    card.statement_day = 31
    assert next_cut_date(card=card, after=datetime.date(2026, 2, 10)) == datetime.date(2026, 2, 28)
    assert next_cut_date(card=card, after=datetime.date(2026, 2, 28)) == datetime.date(2026, 3, 31)
    card.statement_day = 15
    assert next_cut_date(card=card, after=datetime.date(2026, 12, 15)) == datetime.date(2027, 1, 15)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_deferrals_of_one_purchase_make_exactly_one(socio) -> None:
    from django.db import transaction

    card = _card(socio)
    purchase = _buy(card, MANUAL_AMOUNT, "a")

    def attempt(key: str):
        def call() -> Deferral:
            with transaction.atomic(durable=True):
                return _defer(CreditCard.objects.get(pk=card.pk), [purchase], key=key)

        return call

    results, errors = at_once([attempt("race-1"), attempt("race-2")])

    assert len(results) == 1, errors
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "ya no se puede diferir" in " ".join(errors[0].messages)
    assert Deferral.objects.count() == 1
    assert _fresh(card).deferred_balance == MANUAL_AMOUNT
    assert ledger_verify().ok


def test_the_nightly_job_cuts_the_cards_whose_day_it_is_and_bills_their_deferrals(
    socio,
) -> None:
    from enlinea.cards.tasks import statement_cuts_due

    card = _card(socio)
    deferral = _defer(card, [_buy(card, MANUAL_AMOUNT, "a")])
    cut = next_cut_date(card=card)
    other = credit_card_issue(
        member=socio,
        credit_limit=10_000,
        idempotency_key="dc-other",
        statement_day=cut.day % 28 + 1,
    )

    assert statement_cuts_due(today=cut) == 1
    assert statement_cuts_due(today=cut) == 0  # already cut today
    assert _fresh(card).last_statement_date == cut
    assert _fresh(other).last_statement_date is None
    assert Deferral.objects.get(pk=deferral.pk).installments_billed == 1
    assert _fresh(card).total_debt == MANUAL_AMOUNT + 87


def test_on_a_months_last_day_the_job_also_cuts_the_days_the_month_lacks(socio) -> None:
    from enlinea.cards.tasks import statement_cuts_due

    card = credit_card_issue(
        member=socio, credit_limit=10_000, idempotency_key="dc-31", statement_day=31
    )
    assert statement_cuts_due(today=datetime.date(2030, 4, 29)) == 0
    assert statement_cuts_due(today=datetime.date(2030, 4, 30)) == 1
    assert _fresh(card).last_statement_date == datetime.date(2030, 4, 30)


@pytest.mark.parametrize(
    ("terms", "saved"), [("3, 12,6", "3,6,12"), ("36", "36"), ("24,24,3", "3,24")]
)
def test_the_back_office_keeps_only_terms_the_plan_supports(terms, saved) -> None:
    from enlinea.cards.models import DeferralPolicy

    policy = DeferralPolicy.objects.get(pk=1)
    policy.terms = terms
    policy.full_clean()
    assert policy.terms == saved


@pytest.mark.parametrize("terms", ["", "4", "3,5", "tres", "3,-6"])
def test_a_term_the_plan_cannot_make_is_refused_in_spanish(terms) -> None:
    from enlinea.cards.models import DeferralPolicy

    policy = DeferralPolicy.objects.get(pk=1)
    policy.terms = terms
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert "plazo" in " ".join(refused.value.message_dict["terms"])
