"""Diferir consumos: which purchases may be deferred, the simulation, the deferral itself
and the billing of its installments at each statement cut-off.

The rules are the institution's (``DeferralPolicy``: allowed terms, smallest purchase)
and are checked here, by the service that acts, whatever a form offered:

* a purchase is eligible when it is the card's, current (made after the card's last
  statement cut-off, any if it has none), not deferred before (neither when it was made
  nor by an earlier deferral) and at least the policy's minimum amount;
* the term is one of the policy's terms;
* the card is ACTIVA.

A deferral moves no money when it is made: the purchases' amount leaves the Saldo
corriente and enters the Saldo diferido (``CreditCard.deferred_balance`` reads the
deferrals' unbilled principal). At each cut-off (``deferral_installments_bill``, called
by ``products.services.credit_card_statement_cut``) the next installment is billed: its
interest is posted to the card's receivable (the total debt grows by it) and its
principal leaves the Saldo diferido.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.money import format_cents
from enlinea.notifications.services import member_notify
from enlinea.products.finance import DEFERRAL_MONTHS, DeferralSimulation, deferral_simulation
from enlinea.products.locking import row_lock
from enlinea.products.models import CardPurchase, CardStatus, CreditCard
from enlinea.security.audit import audit_record
from enlinea.security.audit_kinds import audit_kind_register

from .models import Deferral, DeferralPolicy, DeferralPurchase

AUDIT_DEFERRAL = audit_kind_register("card_deferral", "Diferido de consumos")
NOTICE_DEFERRED = "diferido_consumos"
INTEREST_ENTRY_KIND = "card_deferral_interest"

MSG_NO_PURCHASES = "Selecciona al menos un consumo para diferir."
MSG_TERM = "Selecciona un plazo de los que ofrece la cooperativa: {terms} meses."
MSG_NOT_ELIGIBLE = (
    "Uno de los consumos elegidos ya no se puede diferir (ya fue diferido, es de un "
    "periodo anterior o no llega al monto mínimo): vuelve a empezar."
)
MSG_CARD_NOT_ACTIVE = "La tarjeta está {status}: no se pueden diferir sus consumos."
MSG_SIMULATION_CHANGED = (
    "La simulación cambió desde que la revisaste (la tasa o los consumos): vuelve a simular."
)
MSG_CONFLICT = (
    "Esta solicitud de diferido ya se registró con otros datos; no se aplicó de nuevo. "
    "Vuelve a empezar."
)


# --------------------------------------------------------------------------- reads


def deferral_policy() -> DeferralPolicy:
    """The institution's policy (its one row; the defaults if it is missing, e.g. after
    a test database's flush emptied what the migration created)."""
    return DeferralPolicy.objects.filter(pk=1).first() or DeferralPolicy(pk=1)


def allowed_terms(policy: DeferralPolicy | None = None) -> list[int]:
    """The terms (months) a member may choose, ascending: the policy's, among those the
    French plan supports (``finance.DEFERRAL_MONTHS``)."""
    policy = policy or deferral_policy()
    terms: set[int] = set()
    for part in policy.terms.split(","):
        part = part.strip()
        if part.isdigit() and int(part) in DEFERRAL_MONTHS:
            terms.add(int(part))
    return sorted(terms)


def eligible_purchases(
    *, card: CreditCard, policy: DeferralPolicy | None = None
) -> QuerySet[CardPurchase]:
    """The card's purchases that may be deferred now, oldest first."""
    policy = policy or deferral_policy()
    purchases = CardPurchase.objects.filter(
        credit_card_id=card.pk,
        installments=1,
        deferral_item__isnull=True,
        amount__gte=policy.minimum_amount,
    )
    if card.last_statement_date is not None:
        purchases = purchases.filter(occurred_at__gte=_day_after_start(card.last_statement_date))
    return purchases.order_by("occurred_at", "id")


def _day_after_start(day: datetime.date) -> datetime.datetime:
    """The first instant (local time) after ``day``: purchases from then on are current."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def deferral_simulate(*, card: CreditCard, amount: int, months: int) -> DeferralSimulation:
    """ "Simulación de diferido" at the card's annual deferral rate."""
    return deferral_simulation(
        amount_cents=amount, months=months, annual_rate_bp=card.deferral_rate_bp
    )


def next_cut_date(*, card: CreditCard, after: datetime.date | None = None) -> datetime.date:
    """The card's next statement cut-off strictly after ``after`` (today): the day of the
    month its ``statement_day`` says, the month's last day if the month is shorter.
    A deferral made today is billed first at this cut-off."""
    after = after or timezone.localdate()
    year, month = after.year, after.month
    for _ in range(3):
        day = min(card.statement_day, calendar.monthrange(year, month)[1])
        candidate = datetime.date(year, month, day)
        if candidate > after:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable: a cut-off falls in every month")  # pragma: no cover


def rate_label(annual_rate_bp: int) -> str:
    """15.20 % a year, as the simulation states it."""
    return f"{annual_rate_bp // 100}.{annual_rate_bp % 100:02d} %"


# --------------------------------------------------------------------------- writes


def _same_deferral(
    existing: Deferral, *, card: CreditCard, purchase_ids: Sequence[int], months: int
) -> Deferral:
    items = sorted(existing.items.values_list("purchase_id", flat=True))
    if (existing.credit_card_id, existing.months, items) != (
        card.pk,
        months,
        sorted(purchase_ids),
    ):
        raise ValidationError(MSG_CONFLICT)
    return existing


def purchases_defer(
    *,
    card: CreditCard,
    purchase_ids: Sequence[int],
    months: int,
    expected_installment: int,
    idempotency_key: str,
    request: HttpRequest | None = None,
) -> Deferral:
    """Defer the card's current purchases ``purchase_ids`` over ``months`` installments.

    Runs in ``transaction.atomic()`` (a savepoint inside the confirmation flow's
    transaction, never durable). Locks the card, then the purchases (ascending id), so
    two deferrals of one purchase run one after the other and the second is refused.
    Refuses (``ValidationError``, Spanish) a term the policy does not allow, a card not
    ACTIVA, a purchase not eligible, and a plan whose installment is no longer
    ``expected_installment`` (what the member saw in the simulation). A replay of
    ``idempotency_key`` returns the deferral it made. Audited and notified.
    """
    if not idempotency_key:
        raise ValueError("An idempotency key is required")
    ids = sorted({int(pk) for pk in purchase_ids})
    if not ids:
        raise ValidationError(MSG_NO_PURCHASES)
    policy = deferral_policy()
    terms = allowed_terms(policy)
    with transaction.atomic():
        card = row_lock(card)
        existing = Deferral.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_deferral(existing, card=card, purchase_ids=ids, months=months)
        if months not in terms:
            raise ValidationError(MSG_TERM.format(terms=", ".join(map(str, terms))))
        if card.status != CardStatus.ACTIVE:
            raise ValidationError(MSG_CARD_NOT_ACTIVE.format(status=card.get_status_display()))
        locked = list(
            CardPurchase.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, credit_card_id=card.pk)
            .order_by("pk")
        )
        eligible = set(
            eligible_purchases(card=card, policy=policy)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        if len(locked) != len(ids) or eligible != set(ids):
            raise ValidationError(MSG_NOT_ELIGIBLE)
        amount = sum(purchase.amount for purchase in locked)
        plan = deferral_simulate(card=card, amount=amount, months=months)
        if plan.installment != expected_installment:
            raise ValidationError(MSG_SIMULATION_CHANGED)
        try:
            with transaction.atomic():
                deferral = Deferral.objects.create(
                    credit_card=card,
                    amount=amount,
                    months=months,
                    annual_rate_bp=card.deferral_rate_bp,
                    installment=plan.installment,
                    first_interest=plan.first_interest,
                    total_interest=plan.total_interest,
                    plan=[list(row) for row in plan.rows],
                    idempotency_key=idempotency_key,
                )
                DeferralPurchase.objects.bulk_create(
                    DeferralPurchase(deferral=deferral, purchase=purchase) for purchase in locked
                )
        except IntegrityError as exc:
            # The one-to-one on the purchase (or the key) caught what the locks let by.
            raise ValidationError(MSG_NOT_ELIGIBLE) from exc
        audit_record(
            kind=AUDIT_DEFERRAL,
            request=request,
            member=card.member,
            card=card.masked_number,
            deferral=deferral.pk,
            amount=amount,
            months=months,
            purchases=ids,
            installment=plan.installment,
        )
        _notify(card, deferral)
    return deferral


def _notify(card: CreditCard, deferral: Deferral) -> None:
    member_notify(
        member=card.member,
        kind=NOTICE_DEFERRED,
        context={
            "card": card.masked_number,
            "card_last4": card.last4,
            "amount": format_cents(deferral.amount),
            "months": deferral.months,
            "installment": format_cents(deferral.installment),
            "first_interest": format_cents(deferral.first_interest),
            "total_interest": format_cents(deferral.total_interest),
            "rate": rate_label(deferral.annual_rate_bp),
            "first_cut": next_cut_date(card=card, after=timezone.localdate(deferral.created_at)),
            "when": deferral.created_at,
        },
    )


def deferral_installments_bill(*, card: CreditCard, cut_date: datetime.date) -> list[Any]:
    """Bill the next installment of each of the card's deferrals made before
    ``cut_date`` and not fully billed: its interest is posted to the card's receivable
    (key ``deferral:<id>:<n>``: never twice) and its principal leaves the Saldo
    diferido. The caller holds the card's row lock (the statement cut-off)."""
    billed = []
    income = None
    deferrals = Deferral.objects.select_for_update(of=("self",)).filter(credit_card_id=card.pk)
    for deferral in deferrals.order_by("pk"):
        if deferral.installments_billed >= deferral.months:
            continue
        if timezone.localdate(deferral.created_at) >= cut_date:
            continue
        number = deferral.installments_billed + 1
        _payment, _principal, interest = deferral.plan[number - 1]
        if interest > 0:
            income = income or coop_account(LedgerKind.INTEREST_INCOME)
            entry_record(
                idempotency_key=f"deferral:{deferral.pk}:{number}",
                kind=INTEREST_ENTRY_KIND,
                lines=[Line(card.ledger_account_id, -interest), Line(income.pk, interest)],
                description=f"Interés diferido cuota {number}/{deferral.months}",
                metadata={"card": card.masked_number, "deferral": deferral.pk, "cuota": number},
            )
        deferral.installments_billed = number
        deferral.save(update_fields=["installments_billed"])
        billed.append(deferral)
    return billed
