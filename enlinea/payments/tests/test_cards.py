"""Pago de tarjetas' services: the card saved with only its last four digits, a credit
card of this cooperative paid at once (its debt drops, the books balance), another
institution's card through the interbank clearing (settled or returned), a replay
that pays once, and another member's card a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from stdnum import luhn

from enlinea.beneficiaries import destinations
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.beneficiaries.services import beneficiary_create
from enlinea.institutions.models import Institution
from enlinea.institutions.selectors import home_institution
from enlinea.ledger.models import JournalEntry
from enlinea.ledger.verify import ledger_verify
from enlinea.members.tests.support import make_cedula
from enlinea.payments import cards
from enlinea.products.models import CreditCard
from enlinea.products.selectors.cards import credit_card_reference
from enlinea.products.services import (
    ProductError,
    account_open,
    card_purchase_record,
    credit_card_issue,
)
from enlinea.receipts.models import Receipt, ReceiptKind
from enlinea.tariff.models import Fee
from enlinea.transfers.clearing import clearing_cycle
from enlinea.transfers.models import InterbankTransfer, TransferStatus
from enlinea.transfers.tests.conftest import OPENING, balance

pytestmark = pytest.mark.django_db

CYCLE = dt.timedelta(seconds=120)
DEBT = 30_000  # $ 300.00 bought with the card


@pytest.fixture(autouse=True)
def _network(settings) -> None:
    settings.SPI_SIMULATOR_CYCLE_SECONDS = int(CYCLE.total_seconds())
    settings.INTERBANK_NETWORK = "enlinea.transfers.simulator.SpiSimulator"


@pytest.fixture
def card_fee(db) -> None:
    """The institution charges $ 0.50 (+ IVA) for a card payment in its tariff."""
    Fee.objects.update_or_create(
        operation="card_payment", biller=None, defaults={"commission": 50, "iva_rate_bp": 1500}
    )


def card_number(last4: str = "", prefix: str = "45178012") -> str:
    """A 16-digit card number with a valid Luhn check digit (ending in ``last4`` if given:
    the SPI simulator decides by the last digits)."""
    if not last4:
        body = prefix + "1234567"
        return body + luhn.calc_check_digit(body)
    for middle in range(10_000):
        number = f"{prefix}{middle:04d}{last4}"
        if luhn.is_valid(number):
            return number
    raise AssertionError("no Luhn-valid number")


def _saved_card(member, institution: Institution, number: str, **fields) -> Beneficiary:
    return beneficiary_create(
        member=member,
        kind=BeneficiaryKind.CARD,
        institution_id=institution.pk,
        card_number=number,
        name=fields.pop("name", "Yajaira Ibarra"),
        identification_type="CEDULA",
        identification=fields.pop("identification", make_cedula()),
        **fields,
    )


def _credit_card(member, key: str = "c1") -> CreditCard:
    card = credit_card_issue(member=member, credit_limit=100_000, idempotency_key=f"cc-{key}")
    card_purchase_record(card=card, amount=DEBT, merchant="SUPERMAXI", idempotency_key=f"buy-{key}")
    return CreditCard.objects.select_related("ledger_account", "member").get(pk=card.pk)


def _fresh(card: CreditCard) -> CreditCard:
    return CreditCard.objects.select_related("ledger_account").get(pk=card.pk)


def _books_ok() -> None:
    report = ledger_verify()
    assert report.ok, report.problems


@pytest.fixture
def diners(db) -> Institution:
    return Institution.objects.get(name="BANCO DINERS CLUB DEL ECUADOR S.A.")


# ------------------------------------------------------------------ saving a card


def test_a_card_number_that_fails_luhn_is_refused_in_spanish(socio, diners) -> None:
    good = card_number()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as refused:
        _saved_card(socio, diners, bad)
    assert refused.value.message_dict == {"card_number": [destinations.MSG_CARD_CHECK]}
    assert not Beneficiary.objects.exists()


def test_a_saved_card_keeps_only_its_last_four_digits(socio, diners) -> None:
    number = card_number()
    saved = _saved_card(socio, diners, f"{number[:4]} {number[4:8]}-{number[8:]}")
    row = Beneficiary.objects.filter(pk=saved.pk).values().get()
    assert row["card_last4"] == number[-4:]
    assert row["card_digest"] == destinations.card_digest(number)
    assert not any(number in str(value) for value in row.values())
    assert not any(number[:12] in str(value) for value in row.values())
    target = cards.target_for_beneficiary(saved)
    assert target.masked_number == f"XXXXXXXXXXXX{number[-4:]}"


def test_the_same_card_twice_is_refused(socio, diners) -> None:
    number = card_number()
    _saved_card(socio, diners, number)
    with pytest.raises(ValidationError) as refused:
        _saved_card(socio, diners, number)
    assert "card_number" in refused.value.message_dict


def test_buscar_tarjeta_finds_by_name_bank_digits_or_alias_ignoring_accents(
    socio, savings, diners
) -> None:
    number = card_number()
    _saved_card(socio, diners, number, name="José Muñoz", alias="Tarjeta Mamá")
    own = _credit_card(socio)
    everything = cards.card_targets_for_member(member=socio)
    assert [t.last4 for t in everything] == [number[-4:], own.last4]
    for search in ("jose", "MUNOZ", "diners", number[-4:], "mama"):
        found = cards.card_targets_for_member(member=socio, search=search)
        assert [t.last4 for t in found] == [number[-4:]], search
    assert cards.card_targets_for_member(member=socio, search="pichincha") == []


# ------------------------------------------------------------ a card of this coop


def test_paying_an_own_card_lowers_its_debt_at_once_with_the_tariff_fee(
    socio, savings, card_fee
) -> None:
    card = _credit_card(socio)
    assert (card.total_debt, card.available_credit) == (DEBT, 100_000 - DEBT)
    receipt = cards.card_payment_record(
        source=savings,
        target=cards.target_for_credit_card(card),
        amount=12_000,
        motive="Pago mensual",
        idempotency_key="pay-own",
    )
    card = _fresh(card)
    assert card.total_debt == DEBT - 12_000
    assert card.available_credit == 100_000 - DEBT + 12_000
    assert receipt.kind == ReceiptKind.CARD_PAYMENT
    assert (receipt.amount, receipt.commission, receipt.iva) == (12_000, 50, 8)
    assert receipt.counterpart_account == f"XXXXXXXXXXXX{card.last4}"
    assert balance(savings) == OPENING - 12_000 - 58
    assert not InterbankTransfer.objects.exists()
    _books_ok()


def test_a_saved_card_of_this_cooperative_pays_that_members_card(socio, savings, otro) -> None:
    card = _credit_card(otro)
    home = home_institution()
    saved = beneficiary_create(
        member=socio,
        kind=BeneficiaryKind.CARD,
        institution_id=home.pk,
        card_last4=card.last4,
        card_digest="ab" * 32,
        name=otro.full_name,
        identification_type=otro.identification_type,
        identification=otro.identification,
    )
    cards.card_payment_record(
        source=savings,
        target=cards.target_for_beneficiary(saved),
        amount=5_000,
        motive="",
        idempotency_key="pay-otro",
    )
    assert _fresh(card).total_debt == DEBT - 5_000
    _books_ok()


@pytest.mark.parametrize("amount", [0, -100, DEBT + 1])
def test_an_amount_not_above_zero_or_above_the_debt_is_refused(socio, savings, amount) -> None:
    card = _credit_card(socio)
    with pytest.raises(ProductError):
        cards.card_payment_record(
            source=savings,
            target=cards.target_for_credit_card(card),
            amount=amount,
            motive="",
            idempotency_key=f"pay-{amount}",
        )
    assert _fresh(card).total_debt == DEBT
    assert balance(savings) == OPENING
    assert not Receipt.objects.filter(kind=ReceiptKind.CARD_PAYMENT).exists()


def test_funds_must_cover_the_amount_and_the_fee(socio, card_fee) -> None:
    empty = account_open(member=socio, idempotency_key="empty")
    card = _credit_card(socio)
    with pytest.raises(ProductError, match="Saldo disponible insuficiente"):
        cards.card_payment_record(
            source=empty,
            target=cards.target_for_credit_card(card),
            amount=100,
            motive="",
            idempotency_key="pay-empty",
        )
    assert _fresh(card).total_debt == DEBT


def test_a_replayed_payment_is_one_payment(socio, savings) -> None:
    card = _credit_card(socio)
    target = cards.target_for_credit_card(card)
    first = cards.card_payment_record(
        source=savings, target=target, amount=1_000, motive="", idempotency_key="same"
    )
    again = cards.card_payment_record(
        source=savings, target=target, amount=1_000, motive="", idempotency_key="same"
    )
    assert again.pk == first.pk
    assert _fresh(card).total_debt == DEBT - 1_000
    assert balance(savings) == OPENING - 1_000


# ------------------------------------------------------- another institution's card


@pytest.mark.parametrize(
    ("last4", "status"), [("4521", TransferStatus.SETTLED), ("0000", TransferStatus.RETURNED)]
)
def test_another_institutions_card_goes_through_the_clearing(
    socio, savings, diners, card_fee, last4, status
) -> None:
    saved = _saved_card(socio, diners, card_number(last4))
    receipt = cards.card_payment_record(
        source=savings,
        target=cards.target_for_beneficiary(saved),
        amount=2_000,
        motive="Diners",
        idempotency_key=f"ib-{last4}",
    )
    again = cards.card_payment_record(
        source=savings,
        target=cards.target_for_beneficiary(saved),
        amount=2_000,
        motive="Diners",
        idempotency_key=f"ib-{last4}",
    )
    assert again.pk == receipt.pk
    order = InterbankTransfer.objects.get()
    assert order.receipt_id == receipt.pk
    assert receipt.kind == ReceiptKind.CARD_PAYMENT
    assert (order.status, order.amount, order.commission) == (TransferStatus.PENDING, 2_000, 50)
    assert order.institution == diners.name
    assert order.beneficiary_account == f"XXXXXXXXXXXX{last4}"
    assert balance(savings) == OPENING - 2_058
    t0 = timezone.now() + dt.timedelta(seconds=1)
    clearing_cycle(now=t0)
    clearing_cycle(now=t0 + CYCLE)
    order.refresh_from_db()
    assert order.status == status
    expected = OPENING if status == TransferStatus.RETURNED else OPENING - 2_058
    assert balance(savings) == expected
    if status == TransferStatus.RETURNED:
        # The fees come back named after what was paid: a card payment.
        refunds = set(
            JournalEntry.objects.filter(
                kind__in=["fee_commission_refund", "fee_iva_refund"]
            ).values_list("description", flat=True)
        )
        assert refunds == {
            "NC DEVOLUCIÓN COMISIÓN PAGO DE TARJETA",
            "NC DEVOLUCIÓN IVA PAGO DE TARJETA",
        }
    _books_ok()


# ---------------------------------------------------------------- owner-scoped


def test_another_members_card_is_a_404(socio, otro, diners) -> None:
    saved = _saved_card(socio, diners, card_number())
    own = _credit_card(socio)
    with pytest.raises(Http404):
        cards.card_target_for_member(member=otro, beneficiary_id=saved.pk)
    with pytest.raises(Http404):
        cards.card_target_for_member(member=otro, reference=credit_card_reference(own))
    with pytest.raises(Http404):
        cards.card_target_for_member(member=otro, beneficiary_id=str(own.pk))
    other_source = account_open(member=otro, idempotency_key="otro-src")
    with pytest.raises(Http404):
        cards.card_payment_record(
            source=other_source,
            target=cards.target_for_beneficiary(saved),
            amount=100,
            motive="",
            idempotency_key="stolen",
        )


def test_a_typed_card_is_paid_with_its_masked_number_by_its_member_only(
    socio, otro, savings, diners
) -> None:
    """A card typed on the spot (never saved) pays like a saved one, through the
    clearing with only its masked number; another member's account cannot pay it."""
    destination = destinations.card_destination_clean(
        member=socio,
        institution_id=diners.pk,
        card_number=card_number("4521"),
        name="Yajaira Ibarra",
        identification_type="CEDULA",
        identification=make_cedula(),
    )
    target = cards.target_for_new_card(member=socio, destination=destination)
    other_source = account_open(member=otro, idempotency_key="otro-typed")
    with pytest.raises(Http404):
        cards.card_payment_record(
            source=other_source, target=target, amount=100, motive="", idempotency_key="x"
        )
    receipt = cards.card_payment_record(
        source=savings, target=target, amount=1_500, motive="", idempotency_key="typed"
    )
    order = InterbankTransfer.objects.get(receipt=receipt)
    assert order.beneficiary_account == "XXXXXXXXXXXX4521"
    assert receipt.counterpart_account == "XXXXXXXXXXXX4521"
    assert not Beneficiary.objects.exists()
    _books_ok()
