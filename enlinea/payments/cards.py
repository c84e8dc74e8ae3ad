"""Pago de tarjetas (manual 4): the cards a member pays and the payment itself.

A member pays two kinds of card:

* a **saved card** (a ``Beneficiary`` of kind CARD: institution, holder, last four
  digits and a keyed digest, never the number), at another institution or at this
  cooperative;
* one of **their own credit cards of this cooperative** (``products.CreditCard``),
  listed without saving anything;
* a card **typed in "Agregar nueva tarjeta"** and paid at once, saved or not
  (:func:`target_for_new_card`: like a saved card, only its last four digits).

A payment to a credit card of this cooperative lowers its debt at once: the member's
account is debited and the card's own ledger account (its receivable: ``total_debt``
is minus its balance) credited in the same entry, with the tariff's ``card_payment``
fee and one receipt (``transfers.operations.operation_record``). A saved card of this
cooperative is found among the cooperative's credit cards by its last four digits and
its holder's identification. A card of another institution goes through the interbank
clearing (``transfers.services.interbank_transfer_record``, receipt kind CARD_PAYMENT):
debited at once, settled or returned by the clearing job.

Lock order (``enlinea.products.locking``): the cupo row (a card of another member),
then the card row, then the deposit account, then the ledger accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404

from enlinea.beneficiaries.destinations import CardDestination, search_fold
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.beneficiaries.selectors import beneficiaries_for_member, beneficiary_for_member
from enlinea.ledger.models import LedgerAccount
from enlinea.limits.models import Scope
from enlinea.limits.services import limit_reserve
from enlinea.members.models import Member
from enlinea.money import format_cents
from enlinea.products.locking import row_lock
from enlinea.products.models import CardStatus, CreditCard, DepositAccount
from enlinea.products.selectors.cards import (
    credit_card_for_member,
    credit_card_reference,
    credit_cards_for_member,
)
from enlinea.products.services import ProductError
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.receipts.services import Counterpart
from enlinea.tariff.models import Operation as TariffOperation
from enlinea.transfers.operations import (
    Operation,
    amount_check,
    limit_reference,
    online_check,
    operation_record,
)
from enlinea.transfers.services import interbank_transfer_record

MSG_CARD_NOT_FOUND = "No encontramos esa tarjeta."
MSG_HOME_CARD_UNKNOWN = (
    "No encontramos una tarjeta de crédito de {institution} terminada en {last4} a nombre "
    "de esa identificación: revisa los datos de la tarjeta."
)
MSG_CARD_INACTIVE = "La tarjeta terminada en {last4} está {status}: no admite pagos."
MSG_OVER_DEBT = (
    "El monto supera la deuda total de la tarjeta terminada en {last4} ({debt}): ingresa "
    "un monto menor o igual."
)
MSG_NO_DEBT = "La tarjeta terminada en {last4} no tiene deuda por pagar."
CARD_TYPE_CREDIT = "TARJETA DE CRÉDITO"
DESCRIPTION = "PAGO DE TARJETA"
INTERBANK_DESCRIPTION = "ND PAGO DE TARJETA INTERBANCARIO"


def masked_card(last4: str) -> str:
    """``XXXXXXXXXXXX4521``: all a card number ever shows (the manual's tiles)."""
    return f"XXXXXXXXXXXX{last4}"


@dataclass(frozen=True)
class CardTarget:
    """A card the member may pay, as the tiles and the receipt show it."""

    key: str  # "b<id>" (saved card) or "c<reference>" (own credit card)
    institution: str
    alias: str
    last4: str
    holder: str
    identification: str
    card_type: str
    is_home: bool
    beneficiary: Beneficiary | None = None
    credit_card: CreditCard | None = None
    # A card typed on the spot ("Agregar nueva tarjeta" paid at once): the member who typed it.
    typed_by: int | None = None

    @property
    def masked_number(self) -> str:
        return masked_card(self.last4)

    @property
    def member_id(self) -> int | None:
        """The member whose card this is to pay: who saved it, holds it or typed it."""
        if self.beneficiary is not None:
            return self.beneficiary.member_id
        if self.credit_card is not None:
            return self.credit_card.member_id
        return self.typed_by

    @property
    def label(self) -> str:
        return " - ".join(p for p in (self.alias, self.holder, self.institution) if p) + (
            f" - {self.masked_number}"
        )


def _home_name() -> str:
    return settings.INSTITUTION["name"]


def target_for_beneficiary(beneficiary: Beneficiary) -> CardTarget:
    institution = beneficiary.institution
    return CardTarget(
        key=f"b{beneficiary.pk}",
        institution=institution.name if institution is not None else "",
        alias=beneficiary.alias,
        last4=beneficiary.card_last4,
        holder=beneficiary.name,
        identification=beneficiary.identification,
        card_type=CARD_TYPE_CREDIT,
        is_home=bool(institution is not None and institution.is_home),
        beneficiary=beneficiary,
    )


def target_for_credit_card(card: CreditCard) -> CardTarget:
    return CardTarget(
        key=f"c{credit_card_reference(card)}",
        institution=_home_name(),
        alias=card.card_type,
        last4=card.last4,
        holder=card.holder_name,
        identification=card.member.identification,
        card_type=CARD_TYPE_CREDIT,
        is_home=True,
        credit_card=card,
    )


NEW_KEY = "n"


def target_for_new_card(
    *, member: Member, destination: CardDestination, alias: str = ""
) -> CardTarget:
    """A card typed in "Agregar nueva tarjeta" (checked by ``card_destination_clean`` or
    ``card_checked_clean``) to be paid without being saved first: only its last four
    digits, never its number, like a saved card."""
    institution = destination.institution
    return CardTarget(
        key=NEW_KEY,
        institution=institution.name,
        alias=alias,
        last4=destination.card_last4,
        holder=destination.name,
        identification=destination.identification,
        card_type=CARD_TYPE_CREDIT,
        is_home=institution.is_home,
        typed_by=member.pk,
    )


# ------------------------------------------------------------------------ reads


def card_targets_for_member(*, member: Member, search: str = "") -> list[CardTarget]:
    """ "Pago de tarjetas": the member's saved cards, then their own credit cards of this
    cooperative. ``search`` ("Buscar tarjeta (Opcional)": beneficiary name, bank, last
    digits or alias) ignores case and accents; every word must match."""
    saved = [
        target_for_beneficiary(b)
        for b in beneficiaries_for_member(member=member, kind=BeneficiaryKind.CARD, search=search)
    ]
    own = [target_for_credit_card(card) for card in credit_cards_for_member(member=member)]
    terms = search_fold(search).split()
    if terms:
        own = [
            t
            for t in own
            if all(
                term in search_fold(f"{t.holder} {t.alias} {t.institution} {t.last4}")
                for term in terms
            )
        ]
    return saved + own


def card_target_for_member(
    *, member: Member, beneficiary_id: Any = None, reference: str | None = None
) -> CardTarget:
    """One card the member may pay: a saved card by id or an own credit card by its
    reference; Http404 for anyone else's, a deleted or an unknown one."""
    if reference is not None:
        return target_for_credit_card(credit_card_for_member(member=member, reference=reference))
    beneficiary = beneficiary_for_member(member=member, beneficiary_id=beneficiary_id)
    if beneficiary.kind != BeneficiaryKind.CARD:
        raise Http404(MSG_CARD_NOT_FOUND)
    return target_for_beneficiary(beneficiary)


def home_credit_card(target: CardTarget) -> CreditCard:
    """The cooperative's credit card a target pays: the member's own, or the one whose
    last four digits and holder's identification a saved card of this cooperative
    names. ``ProductError`` when there is none (or more than one to choose from)."""
    if target.credit_card is not None:
        return target.credit_card
    cards = list(
        CreditCard.objects.filter(
            last4=target.last4, member__identification=target.identification
        ).select_related("member", "ledger_account")[:2]
    )
    if len(cards) != 1:
        raise ProductError(
            MSG_HOME_CARD_UNKNOWN.format(institution=target.institution, last4=target.last4)
        )
    return cards[0]


# ------------------------------------------------------------------------ writes


def _counterpart(target: CardTarget) -> Counterpart:
    return Counterpart(
        name=target.holder,
        identification=target.identification,
        account_number=target.masked_number,
        account_type=target.card_type,
        institution=target.institution,
    )


def credit_card_payment_record(
    *,
    source: DepositAccount,
    card: CreditCard,
    amount: int,
    motive: str,
    idempotency_key: str,
    counterpart: Counterpart,
    channel: str = Channel.WEB,
    occurred_at: dt.datetime | None = None,
) -> Receipt:
    """Pay ``amount`` cents from ``source`` to a credit card of this cooperative.

    The card's debt drops at once: one entry debits the account and credits the card's
    receivable account (its Deuda total and Cupo disponible change in the same
    transaction), with the tariff's ``card_payment`` fee and one receipt. Refused: an
    amount not above zero or above the card's total debt, a card not ACTIVA, a source
    that may not pay (inactive, blocked, joint signature) or without funds for the
    amount and the fee. A card of another member uses the payer's INTERNAL cupo. A
    replay of ``idempotency_key`` returns the first receipt and posts nothing.
    """
    amount_check(amount)
    online_check(source, channel, "pagar")
    with transaction.atomic():
        if (
            replayed := Receipt.objects.filter(idempotency_key=idempotency_key).first()
        ) is not None:
            if replayed.kind != ReceiptKind.CARD_PAYMENT or replayed.amount != amount:
                raise ProductError(
                    f"Esta solicitud ya se registró con otros datos (comprobante N.º "
                    f"{replayed.number}); no se aplicó de nuevo."
                )
            return replayed
        if card.member_id != source.member_id:  # step 3: the payer's cupo row
            limit_reserve(
                member=source.member,
                scope=Scope.INTERNAL,
                amount=amount,
                reference=limit_reference(idempotency_key),
                at=occurred_at,
            )
        locked = row_lock(card)  # step 4: the card, before the account and the books
        if locked.status != CardStatus.ACTIVE:
            raise ProductError(
                MSG_CARD_INACTIVE.format(last4=locked.last4, status=locked.get_status_display())
            )
        debt = -LedgerAccount.objects.get(pk=locked.ledger_account_id).balance
        if debt <= 0:
            raise ProductError(MSG_NO_DEBT.format(last4=locked.last4))
        if amount > debt:
            raise ProductError(MSG_OVER_DEBT.format(last4=locked.last4, debt=format_cents(debt)))
        return operation_record(  # steps 5 and 6: the account, then the books
            Operation(
                receipt_kind=ReceiptKind.CARD_PAYMENT,
                entry_kind="card_payment",
                description=f"{DESCRIPTION} {locked.card_type} …{locked.last4}".upper(),
                channel=channel,
                amount=amount,
                idempotency_key=idempotency_key,
                receipt_account=source,
                debit=source,
                coop_account_id=locked.ledger_account_id,
                tariff_operation=TariffOperation.CARD_PAYMENT,
                fee_concept=DESCRIPTION,
                motive=motive,
                counterpart=counterpart,
                metadata={"from": source.number, "card": locked.masked_number},
                occurred_at=occurred_at,
            )
        )


def card_payment_record(
    *,
    source: DepositAccount,
    target: CardTarget,
    amount: int,
    motive: str,
    idempotency_key: str,
    channel: str = Channel.WEB,
    occurred_at: dt.datetime | None = None,
) -> Receipt:
    """Pay a card the member chose (``card_target_for_member``) or typed on the spot
    (``target_for_new_card``): a credit card of this
    cooperative at once (:func:`credit_card_payment_record`), another institution's
    through the interbank clearing (phase one: debited now, settled or returned by the
    clearing job). The fee is the tariff's ``card_payment``; the receipt's kind is
    CARD_PAYMENT either way. A replay of the key returns the first receipt."""
    amount_check(amount)
    if target.member_id is None or target.member_id != source.member_id:
        raise Http404(MSG_CARD_NOT_FOUND)  # a card chosen by another member
    if target.is_home:
        return credit_card_payment_record(
            source=source,
            card=home_credit_card(target),
            amount=amount,
            motive=motive,
            idempotency_key=idempotency_key,
            counterpart=_counterpart(target),
            channel=channel,
            occurred_at=occurred_at,
        )
    return interbank_transfer_record(
        source=source,
        amount=amount,
        beneficiary=_counterpart(target),
        motive=motive,
        idempotency_key=idempotency_key,
        channel=channel,
        occurred_at=occurred_at,
        receipt_kind=ReceiptKind.CARD_PAYMENT,
        tariff_operation=TariffOperation.CARD_PAYMENT,
        description=f"{INTERBANK_DESCRIPTION} {target.institution}",
        fee_concept=DESCRIPTION,
    )
