"""Bloquear / Desbloquear tarjeta and Aviso de viaje: the services and the card
processor simulator that applies them (a locked card's purchase refused, a purchase
abroad refused without a travel notice and approved with one), each rule refused, the
audit rows (no secret in them) and the member's e-mails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enlinea.access.tests.profile_support import enrolled_member
from enlinea.cards import lock
from enlinea.cards.models import TravelNotice
from enlinea.ledger.services import chart_ensure
from enlinea.notifications.models import Channel, Message
from enlinea.products.card_processor import (
    REASON_ABROAD,
    REASON_LOCKED,
    SimulatedCardProcessor,
    processor_card_ref,
)
from enlinea.products.models import CardPurchase, CardStatus, DebitCard, ProcessorSimulatorCard
from enlinea.products.services import (
    ProductError,
    account_open,
    card_pin_set,
    card_purchase_record,
    card_set_status,
    cash_deposit,
    credit_card_issue,
    debit_card_issue,
)
from enlinea.security.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def socio(db):
    chart_ensure()
    return enrolled_member("andreslopez")


@pytest.fixture
def debit(socio) -> DebitCard:
    savings = account_open(member=socio, idempotency_key="lk-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="lk-fund")
    return debit_card_issue(account=savings, idempotency_key="lk-debit")


@pytest.fixture
def credit(socio):
    return credit_card_issue(member=socio, credit_limit=100_000, idempotency_key="lk-credit")


def buy(card, key: str, **extra):
    return card_purchase_record(
        card=card, amount=1_500, merchant="SUPERMAXI", idempotency_key=key, **extra
    )


def mails(socio, kind: str) -> list[Message]:
    return list(Message.objects.filter(channel=Channel.EMAIL, recipient=socio.email, kind=kind))


def fresh(card):
    return type(card).objects.get(pk=card.pk)


# ------------------------------------------------------------------------ lock


@pytest.mark.parametrize("which", ["debit", "credit"])
def test_a_locked_card_is_refused_by_the_processor_and_approved_again_once_unlocked(
    request, socio, which
) -> None:
    card = request.getfixturevalue(which)
    buy(card, f"{which}-before")
    lock.card_lock(card=card)
    assert fresh(card).locked_by_member
    assert fresh(card).status == CardStatus.ACTIVE  # the status stays the institution's
    assert ProcessorSimulatorCard.objects.get(card=processor_card_ref(card)).locked
    with pytest.raises(ProductError, match=REASON_LOCKED):
        buy(card, f"{which}-locked")
    assert not CardPurchase.objects.filter(entry__idempotency_key=f"{which}-locked").exists()

    lock.card_unlock(card=fresh(card))
    assert not fresh(card).locked_by_member
    assert not ProcessorSimulatorCard.objects.get(card=processor_card_ref(card)).locked
    purchase = buy(card, f"{which}-after")
    assert purchase.authorization


def test_locking_twice_is_refused(debit) -> None:
    lock.card_lock(card=debit)
    with pytest.raises(ValidationError, match="ya está bloqueada"):
        lock.card_lock(card=debit)
    assert AuditEvent.objects.filter(kind=lock.AUDIT_LOCKED).count() == 1


def test_unlocking_a_card_that_is_not_locked_is_refused(debit) -> None:
    with pytest.raises(ValidationError, match="no está bloqueada"):
        lock.card_unlock(card=debit)
    assert not AuditEvent.objects.filter(kind=lock.AUDIT_UNLOCKED).exists()
    assert not ProcessorSimulatorCard.objects.exists()


def test_only_an_active_card_may_be_locked(debit) -> None:
    card_set_status(card=debit, status=CardStatus.BLOCKED)
    with pytest.raises(ValidationError, match="BLOQUEADA"):
        lock.card_lock(card=debit)
    assert not fresh(debit).locked_by_member


def test_unlocking_leaves_a_card_the_institution_blocked_blocked(debit) -> None:
    lock.card_lock(card=debit)
    card_set_status(card=debit, status=CardStatus.BLOCKED)
    lock.card_unlock(card=fresh(debit))
    card = fresh(debit)
    assert (card.locked_by_member, card.status) == (False, CardStatus.BLOCKED)
    with pytest.raises(ProductError, match="BLOQUEADA"):
        buy(card, "still-blocked")


def test_lock_and_unlock_are_audited_and_e_mailed_without_any_secret(socio, debit) -> None:
    card_pin_set(card=debit, pin="4826")
    lock.card_lock(card=debit)
    lock.card_unlock(card=fresh(debit))
    events = list(AuditEvent.objects.filter(member=socio, kind__startswith="card_").order_by("id"))
    assert [e.kind for e in events] == [lock.AUDIT_LOCKED, lock.AUDIT_UNLOCKED]
    for event in events:
        assert event.detail == {
            "card": debit.masked_number,
            "card_kind": "debito",
            "card_id": debit.pk,
        }
        text = str(event.detail)
        assert "4826" not in text
        assert fresh(debit).pin_hash not in text
    (locked,) = mails(socio, lock.NOTICE_LOCKED)
    assert debit.last4 in locked.subject
    assert "Bloqueaste temporalmente" in locked.subject
    assert "Desbloquear tarjeta" in locked.body
    (unlocked,) = mails(socio, lock.NOTICE_UNLOCKED)
    assert "Desbloqueaste" in unlocked.subject
    sms = Message.objects.filter(channel=Channel.SMS, kind=lock.NOTICE_LOCKED).get()
    assert debit.last4 in sms.body


def test_a_refused_lock_writes_nothing(debit) -> None:
    lock.card_lock(card=debit)
    before = (AuditEvent.objects.count(), Message.objects.count())
    with pytest.raises(ValidationError):
        lock.card_lock(card=fresh(debit))
    assert (AuditEvent.objects.count(), Message.objects.count()) == before


# ------------------------------------------------------------------------ travel


def test_a_purchase_abroad_is_refused_without_a_travel_notice_and_approved_with_one(
    socio, credit
) -> None:
    buy(credit, "home", country="EC")  # at home no notice is needed
    with pytest.raises(ProductError, match=REASON_ABROAD):
        buy(credit, "bogota-1", country="CO")
    notice = lock.travel_notice_add(
        card=credit, starts=TODAY(), ends=TODAY() + dt.timedelta(days=9), countries=["CO", "PE"]
    )
    assert notice.countries == ["CO", "PE"]
    assert buy(credit, "bogota-2", country="CO").authorization
    assert buy(credit, "lima", country="pe").authorization
    with pytest.raises(ProductError, match=REASON_ABROAD):
        buy(credit, "madrid", country="ES")  # a country the notice does not name
    controls = ProcessorSimulatorCard.objects.get(card=processor_card_ref(credit))
    assert controls.travel == [
        {
            "starts": TODAY().isoformat(),
            "ends": (TODAY() + dt.timedelta(days=9)).isoformat(),
            "countries": ["CO", "PE"],
        }
    ]


def test_a_future_travel_notice_does_not_cover_today(debit) -> None:
    lock.travel_notice_add(
        card=debit,
        starts=TODAY() + dt.timedelta(days=3),
        ends=TODAY() + dt.timedelta(days=10),
        countries=["US"],
    )
    with pytest.raises(ProductError, match=REASON_ABROAD):
        buy(debit, "miami", country="US")


def test_the_simulator_judges_travel_by_todays_date(socio) -> None:
    processor = SimulatedCardProcessor()
    day = TODAY()
    processor.card_controls_set(
        card="debito:99",
        locked=False,
        travel=[
            {"starts": day.isoformat(), "ends": day.isoformat(), "countries": ["es"]},
        ],
    )
    ok = processor.authorize(
        last4="1234", amount=100, merchant="X", key="k", card="debito:99", country="ES"
    )
    assert ok.approved
    elsewhere = processor.authorize(
        last4="1234", amount=100, merchant="X", key="k", card="debito:98", country="ES"
    )
    assert (elsewhere.approved, elsewhere.reason) == (False, REASON_ABROAD)
    # Callers that name no card or country keep the old behaviour.
    assert processor.authorize(last4="1234", amount=100, merchant="X", key="k").approved


def test_a_locked_card_is_refused_even_inside_a_travel_notice(debit) -> None:
    lock.travel_notice_add(card=debit, starts=TODAY(), ends=TODAY(), countries=["CO"])
    lock.card_lock(card=fresh(debit))
    with pytest.raises(ProductError, match=REASON_LOCKED):
        buy(debit, "co-locked", country="CO")
    # Unlocking keeps the notice the processor knows.
    lock.card_unlock(card=fresh(debit))
    assert buy(debit, "co-open", country="CO").authorization


@pytest.mark.parametrize(
    ("starts", "ends", "countries", "field", "message"),
    [
        (-1, 3, ["CO"], "starts", lock.MSG_STARTS_PAST),
        (2, 1, ["CO"], "ends", lock.MSG_ENDS_BEFORE),
        (0, 180, ["CO"], "ends", lock.MSG_TOO_LONG),
        (366, 370, ["CO"], "starts", lock.MSG_TOO_FAR),
        (0, 3, [], "countries", lock.MSG_NO_COUNTRY),
        (0, 3, ["CO", "XX"], "countries", lock.MSG_UNKNOWN_COUNTRY),
        (0, 3, ["EC"], "countries", lock.MSG_UNKNOWN_COUNTRY),
    ],
)
def test_travel_notice_rules_are_the_services(
    debit, starts, ends, countries, field, message
) -> None:
    with pytest.raises(ValidationError) as refused:
        lock.travel_notice_add(
            card=debit,
            starts=TODAY() + dt.timedelta(days=starts),
            ends=TODAY() + dt.timedelta(days=ends),
            countries=countries,
        )
    assert refused.value.message_dict[field] == [message]
    assert not TravelNotice.objects.exists()
    assert not ProcessorSimulatorCard.objects.exists()


def test_the_longest_and_farthest_trips_allowed(debit) -> None:
    longest = lock.travel_notice_add(
        card=debit, starts=TODAY(), ends=TODAY() + dt.timedelta(days=179), countries=["US"]
    )
    farthest = lock.travel_notice_add(
        card=debit,
        starts=TODAY() + dt.timedelta(days=365),
        ends=TODAY() + dt.timedelta(days=365),
        countries=["JP"],
    )
    assert [n.pk for n in lock.travel_notices_current(card=debit)] == [longest.pk, farthest.pk]


def test_a_card_not_active_takes_no_travel_notice(credit) -> None:
    card_set_status(card=credit, status=CardStatus.INACTIVE)
    with pytest.raises(ValidationError, match="INACTIVA"):
        lock.travel_notice_add(card=credit, starts=TODAY(), ends=TODAY(), countries=["CO"])


def test_at_most_ten_current_travel_notices(debit) -> None:
    for n in range(lock.MAX_ACTIVE_NOTICES):
        lock.travel_notice_add(
            card=debit,
            starts=TODAY() + dt.timedelta(days=n),
            ends=TODAY() + dt.timedelta(days=n),
            countries=["CO"],
        )
    with pytest.raises(ValidationError, match="anula uno"):
        lock.travel_notice_add(card=debit, starts=TODAY(), ends=TODAY(), countries=["PE"])


def test_travel_notice_is_audited_and_e_mailed(socio, debit) -> None:
    ends = TODAY() + dt.timedelta(days=5)
    notice = lock.travel_notice_add(card=debit, starts=TODAY(), ends=ends, countries=["US", "CO"])
    event = AuditEvent.objects.get(kind=lock.AUDIT_TRAVEL)
    assert event.member == socio
    assert event.detail == {
        "card": debit.masked_number,
        "card_kind": "debito",
        "card_id": debit.pk,
        "notice": notice.pk,
        "starts": TODAY().isoformat(),
        "ends": ends.isoformat(),
        "countries": ["CO", "US"],  # in the list's order
    }
    (mail,) = mails(socio, lock.NOTICE_TRAVEL)
    assert "aviso de viaje" in mail.subject
    assert "Países: Colombia, Estados Unidos" in mail.body


def test_cancelling_a_travel_notice_refuses_purchases_it_covered(socio, debit) -> None:
    notice = lock.travel_notice_add(card=debit, starts=TODAY(), ends=TODAY(), countries=["AR"])
    assert buy(debit, "baires-1", country="AR").authorization
    lock.travel_notice_cancel(card=fresh(debit), notice=notice)
    assert TravelNotice.objects.get(pk=notice.pk).cancelled_at is not None
    assert lock.travel_notices_current(card=debit) == []
    with pytest.raises(ProductError, match=REASON_ABROAD):
        buy(debit, "baires-2", country="AR")
    with pytest.raises(ValidationError, match="ya fue anulado"):
        lock.travel_notice_cancel(card=fresh(debit), notice=notice)
    assert AuditEvent.objects.filter(kind=lock.AUDIT_TRAVEL_CANCELLED).count() == 1
    assert len(mails(socio, lock.NOTICE_TRAVEL_CANCELLED)) == 1


def test_a_notice_of_another_card_is_not_cancelled_through_this_one(debit, credit) -> None:
    notice = lock.travel_notice_add(card=credit, starts=TODAY(), ends=TODAY(), countries=["AR"])
    with pytest.raises(ValidationError):
        lock.travel_notice_cancel(card=debit, notice=notice)
    assert TravelNotice.objects.get(pk=notice.pk).cancelled_at is None
