"""Cambiar PIN and Generar PIN's services: the current PIN checked against its hash and
counted under the card's lock (3 wrong lock it, Generar PIN unlocks), the rules of the
new PIN, a generated PIN set as a hash and shown once through its link, and no PIN or
link in the audit log or (once delivered) the outbox."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.utils import timezone

from enlinea.cards import pins
from enlinea.cards.log_filters import mask
from enlinea.cards.models import PinReveal
from enlinea.notifications.models import Message
from enlinea.notifications.services import REDACTED_BODY, message_deliver
from enlinea.products.models import CardStatus
from enlinea.products.pins import MSG_BIRTH_DATE, MSG_CONSECUTIVE, MSG_REPEATED, pin_problem
from enlinea.products.services import card_pin_set, card_set_status
from enlinea.security.models import AuditEvent
from tests.support.threads import at_once

from .support import PIN, cardholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    return cardholder()


def _fresh(card):
    return type(card).objects.select_related("member").get(pk=card.pk)


def _change(card, current=PIN, new="2580"):
    prepared = pins.pin_change_prepare(card=card, current=current, new=new)
    pins.pin_change_apply(card=card, new_hash=prepared.new_hash, replaces=prepared.replaces)


def test_a_pin_changed_is_checked_against_its_hash(holder) -> None:
    _, debit, _ = holder
    _change(debit)
    card = _fresh(debit)
    assert check_password("2580", card.pin_hash)
    assert not check_password(PIN, card.pin_hash)
    assert "2580" not in card.pin_hash
    assert Message.objects.filter(kind="tarjeta_pin_cambiado", channel="email").count() == 1


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("2345", MSG_CONSECUTIVE),
        ("9876", MSG_CONSECUTIVE),
        ("1111", MSG_REPEATED),
        ("1212", MSG_REPEATED),
        ("1407", MSG_BIRTH_DATE),
        ("0714", MSG_BIRTH_DATE),
        ("1985", MSG_BIRTH_DATE),
        ("0785", MSG_BIRTH_DATE),
        (PIN, pins.MSG_SAME),
    ],
)
def test_every_rule_is_the_services(holder, new, message) -> None:
    _, debit, _ = holder
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_change_prepare(card=debit, current=PIN, new=new)
    assert refused.value.messages == [message]
    assert refused.value.field == "new"
    assert check_password(PIN, _fresh(debit).pin_hash)


def test_three_wrong_current_pins_lock_it_until_generar_pin(holder) -> None:
    _, _, credit = holder
    for left in (2, 1):
        with pytest.raises(pins.PinRefused) as refused:
            pins.pin_change_prepare(card=credit, current="0000", new="2580")
        assert refused.value.messages == [pins.MSG_WRONG.format(left=left)]
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_change_prepare(card=credit, current="0000", new="2580")
    assert refused.value.messages == [pins.MSG_LOCKED]
    # Locked: even the right PIN is refused now.
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_change_prepare(card=credit, current=PIN, new="2580")
    assert refused.value.messages == [pins.MSG_LOCKED]
    assert _fresh(credit).pin_failures == 3
    assert Message.objects.filter(kind="tarjeta_pin_bloqueado", channel="email").count() == 1
    assert AuditEvent.objects.filter(kind=pins.AUDIT_PIN_WRONG).count() == 3
    assert AuditEvent.objects.filter(kind=pins.AUDIT_PIN_LOCKED).count() == 1

    reveal = pins.pin_generate(card=_fresh(credit), link=lambda token: token)
    card = _fresh(credit)
    assert card.pin_failures == 0
    assert not check_password(PIN, card.pin_hash)
    assert reveal.opened_at is None


def test_a_right_pin_clears_earlier_failures(holder) -> None:
    _, debit, _ = holder
    with pytest.raises(pins.PinRefused):
        pins.pin_change_prepare(card=debit, current="0000", new="2580")
    pins.pin_change_prepare(card=debit, current=PIN, new="2580")
    assert _fresh(debit).pin_failures == 0


def test_a_pin_changed_elsewhere_after_the_form_is_refused_at_the_code(holder) -> None:
    _, debit, _ = holder
    prepared = pins.pin_change_prepare(card=debit, current=PIN, new="2580")
    _change(_fresh(debit), new="3690")  # another tab finished first
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_change_apply(
            card=_fresh(debit), new_hash=prepared.new_hash, replaces=prepared.replaces
        )
    assert refused.value.messages == [pins.MSG_PIN_MOVED]
    assert check_password("3690", _fresh(debit).pin_hash)


def test_a_card_blocked_by_staff_cannot_change_its_pin(holder) -> None:
    _, debit, _ = holder
    card_set_status(card=debit, status=CardStatus.BLOCKED)
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_change_prepare(card=_fresh(debit), current=PIN, new="2580")
    assert refused.value.messages == [pins.MSG_CARD_NOT_ACTIVE.format(status="BLOQUEADA")]


def _link_token(reveal: PinReveal) -> str:
    """The token as the e-mail carries it (the database only has its digest)."""
    message = Message.objects.filter(kind="tarjeta_pin_generado", channel="email").latest("id")
    token = message.body.split("/tarjetas/pin/")[1].split("/")[0]
    assert pins._token_digest(token) == reveal.token_digest
    return token


def _generate(card) -> tuple[PinReveal, str]:
    reveal = pins.pin_generate(
        card=card, link=lambda token: f"https://banca.example/tarjetas/pin/{token}/"
    )
    return reveal, _link_token(reveal)


def test_a_generated_pin_is_shown_once_and_is_the_cards(holder) -> None:
    member, debit, _ = holder
    reveal, token = _generate(debit)
    shown_reveal, pin = pins.pin_reveal_open(member=member, token=token)
    assert shown_reveal.pk == reveal.pk
    assert check_password(pin, _fresh(debit).pin_hash)
    assert pin_problem(pin, birth_date=member.birth_date) is None
    with pytest.raises(pins.PinRefused) as again:
        pins.pin_reveal_open(member=member, token=token)
    assert again.value.messages == [pins.MSG_LINK_USED]


def test_the_link_answers_only_its_member_and_only_in_time(holder) -> None:
    _, debit, _ = holder
    other, _, _ = cardholder("mariaperez", first_names="Maria", email="maria@example.com")
    reveal, token = _generate(debit)
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_reveal_open(member=other, token=token)
    assert refused.value.messages == [pins.MSG_LINK_INVALID]
    PinReveal.objects.filter(pk=reveal.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_reveal_open(member=debit.member, token=token)
    assert refused.value.messages == [pins.MSG_LINK_EXPIRED]


def test_a_newer_generar_pin_voids_the_older_link(holder) -> None:
    member, debit, _ = holder
    _, first = _generate(debit)
    _, second = _generate(_fresh(debit))
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_reveal_open(member=member, token=first)
    assert refused.value.messages == [pins.MSG_LINK_EXPIRED]
    _, pin = pins.pin_reveal_open(member=member, token=second)
    assert check_password(pin, _fresh(debit).pin_hash)


def test_a_pin_changed_after_generating_is_not_shown(holder) -> None:
    member, debit, _ = holder
    _, token = _generate(debit)
    card_pin_set(card=_fresh(debit), pin="3690")  # at the branch, say
    with pytest.raises(pins.PinRefused) as refused:
        pins.pin_reveal_open(member=member, token=token)
    assert refused.value.messages == [pins.MSG_LINK_REPLACED]
    assert PinReveal.objects.get().opened_at is not None


def test_every_generated_pin_follows_the_rules(holder) -> None:
    member, debit, _ = holder
    for _ in range(200):
        token, pin = pins._new_token(debit)
        assert pins._pin_from_token(token) == pin
        assert pin_problem(pin, birth_date=member.birth_date) is None


def test_no_pin_or_link_in_the_audit_log_or_the_delivered_outbox(holder, mailoutbox) -> None:
    member, debit, _ = holder
    _, token = _generate(debit)
    _, pin = pins.pin_reveal_open(member=member, token=token)
    audit = " ".join(str(event.detail) for event in AuditEvent.objects.all())
    assert token not in audit
    assert pin not in audit
    for message in Message.objects.filter(kind="tarjeta_pin_generado"):
        message_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert message.body == REDACTED_BODY
        assert token not in message.html_body
    assert any(token in mail.body for mail in mailoutbox)  # it did go out, by e-mail
    assert not any(token in sms.body for sms in Message.objects.filter(channel="sms"))


def test_the_link_is_masked_in_the_server_and_request_logs(caplog) -> None:
    token = "Zq3_secret-Token"
    assert mask(f"GET /tarjetas/pin/{token}/ HTTP/1.1") == "GET /tarjetas/pin/…/ HTTP/1.1"
    with caplog.at_level(logging.INFO, logger="django.server"):
        logging.getLogger("django.server").info('"%s" %s', f"GET /tarjetas/pin/{token}/", 302)
        logging.getLogger("django.request").warning("Not Found: /tarjetas/pin/%s/", token)
    assert caplog.records
    assert token not in caplog.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_are_all_counted_and_lock_once() -> None:
    assert connection.vendor == "postgresql"
    _, debit, _ = cardholder()

    def attempt() -> str:
        try:
            pins.pin_change_prepare(card=debit, current="0000", new="2580")
        except pins.PinRefused as exc:
            return exc.messages[0]
        return "ok"

    answers, errors = at_once([attempt] * 6)
    assert errors == []
    assert _fresh(debit).pin_failures == 3
    assert answers.count(pins.MSG_LOCKED) == 4
    assert sorted(set(answers) - {pins.MSG_LOCKED}) == sorted(
        pins.MSG_WRONG.format(left=left) for left in (2, 1)
    )
    assert AuditEvent.objects.filter(kind=pins.AUDIT_PIN_LOCKED).count() == 1
