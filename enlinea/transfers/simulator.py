"""A local simulator of the SPI (the Banco Central's interbank payment system).

It behaves like the network the clearing job talks to (``enlinea.transfers.network``):
it accepts batches of orders, settles or returns each at the end of its cycle, and
delivers credits other institutions send to members here. Its books are tables
(``SimulatorOrder``, ``SimulatorAttempt``, ``SimulatorCredit``) so the worker and the
web processes share them. It is deterministic: nothing sleeps and nothing is random;
the outcome of an order depends only on its beneficiary's account number (see
``docs/interbank.md``):

==============================  ===================================================
account number ends in          outcome
==============================  ===================================================
``0000``                        returned at the end of the cycle: CUENTA INEXISTENTE
``9999``                        returned at the end of the cycle: CUENTA CERRADA
``8888``                        returned at the end of the cycle: CUENTA BLOQUEADA
``7777``                        the first delivery is lost (the order stays ENVIADA);
                                a resend is accepted and settles at its cycle's end
``6666``                        accepted and never answered (stays ENVIADA: only the
                                back office's Devolver ends it)
anything else                   settled at the end of the cycle
==============================  ===================================================

The cycle lasts ``settings.SPI_SIMULATOR_CYCLE_SECONDS`` (120 by default): an order
received at ``t`` is decided at ``t + cycle`` and reported from then on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from enlinea.receipts.services import Counterpart

from .models import SimulatorAttempt, SimulatorCredit, SimulatorOrder, SimulatorOutcome
from .network import (
    ACCEPTED,
    RETURNED,
    SETTLED,
    Batch,
    IncomingCredit,
    Order,
    OrderResult,
)

DEFAULT_CYCLE_SECONDS = 120

# Beneficiary account number suffix -> (outcome, reason). Documented in docs/interbank.md.
RETURNS = {
    "0000": "CUENTA INEXISTENTE",
    "9999": "CUENTA CERRADA",
    "8888": "CUENTA BLOQUEADA",
}
LOST_FIRST_SEND = "7777"
NEVER_ANSWERED = "6666"


def cycle_seconds() -> int:
    return int(getattr(settings, "SPI_SIMULATOR_CYCLE_SECONDS", DEFAULT_CYCLE_SECONDS))


def simulated_outcome(account_number: str) -> tuple[str, str]:
    """The outcome (and reason) the simulator gives an order to ``account_number``."""
    digits = "".join(ch for ch in account_number if ch.isdigit())
    for suffix, reason in RETURNS.items():
        if digits.endswith(suffix):
            return SimulatorOutcome.RETURNED, reason
    if digits.endswith(NEVER_ANSWERED):
        return SimulatorOutcome.NONE, ""
    return SimulatorOutcome.SETTLED, ""


def _result(order: SimulatorOrder, now: dt.datetime) -> OrderResult:
    if order.outcome == SimulatorOutcome.NONE or order.decided_at > now:
        return OrderResult(order.reference, ACCEPTED)
    if order.outcome == SimulatorOutcome.RETURNED:
        return OrderResult(order.reference, RETURNED, order.reason)
    return OrderResult(order.reference, SETTLED)


class SpiSimulator:
    """The default :class:`~enlinea.transfers.network.InterbankNetwork`."""

    def send(self, batch: Batch, *, now: dt.datetime) -> list[OrderResult]:
        results = []
        for order in batch.orders:
            known = SimulatorOrder.objects.filter(reference=order.reference).first()
            if known is None:
                known = self._receive(batch, order, now)
            if known is not None:
                results.append(_result(known, now))
        return results

    def _receive(self, batch: Batch, order: Order, now: dt.datetime) -> SimulatorOrder | None:
        digits = "".join(ch for ch in order.beneficiary_account if ch.isdigit())
        if digits.endswith(LOST_FIRST_SEND):
            try:
                with transaction.atomic():
                    SimulatorAttempt.objects.create(reference=order.reference, lost_at=now)
                return None  # lost on the way: the network never saw it
            except IntegrityError:
                pass  # lost once already: this delivery arrives
        outcome, reason = simulated_outcome(order.beneficiary_account)
        try:
            with transaction.atomic():
                return SimulatorOrder.objects.create(
                    reference=order.reference,
                    batch_reference=batch.reference,
                    account_number=order.beneficiary_account,
                    institution=order.institution,
                    amount=order.amount,
                    outcome=outcome,
                    reason=reason,
                    received_at=now,
                    decided_at=now + dt.timedelta(seconds=cycle_seconds()),
                )
        except IntegrityError:  # the same reference arrived twice at once: one order
            return SimulatorOrder.objects.get(reference=order.reference)

    def status(self, references: Sequence[str], *, now: dt.datetime) -> list[OrderResult]:
        orders = SimulatorOrder.objects.filter(reference__in=list(references))
        return [_result(order, now) for order in orders]

    def incoming(self, *, now: dt.datetime) -> list[IncomingCredit]:
        due = SimulatorCredit.objects.filter(acknowledged_at__isnull=True, deliver_at__lte=now)
        return [
            IncomingCredit(
                reference=credit.reference,
                account_number=credit.account_number,
                amount=credit.amount,
                originator_name=credit.originator_name,
                originator_identification=credit.originator_identification,
                originator_account=credit.originator_account,
                originator_account_type=credit.originator_account_type,
                institution=credit.institution,
                motive=credit.motive,
            )
            for credit in due.order_by("deliver_at", "id")[:500]
        ]

    def incoming_ack(
        self, reference: str, *, credited: bool, reason: str = "", now: dt.datetime
    ) -> None:
        SimulatorCredit.objects.filter(reference=reference, acknowledged_at__isnull=True).update(
            acknowledged_at=now, credited=credited, return_reason=reason[:200]
        )


def simulator_credit_schedule(
    *,
    account_number: str,
    amount: int,
    originator: Counterpart,
    motive: str = "",
    reference: str = "",
    deliver_at: dt.datetime | None = None,
) -> SimulatorCredit:
    """Have the simulated SPI deliver a credit to ``account_number`` (an account here)
    from ``originator`` at another institution, at its next cycle after ``deliver_at``.
    Idempotent by ``reference`` (made from the row's id when empty)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("A credit is a positive amount of cents")
    if not (originator.name and originator.institution):
        raise ValueError("A credit needs the originator's name and institution")
    fields = {
        "account_number": account_number.strip(),
        "amount": amount,
        "originator_name": originator.name[:160],
        "originator_identification": originator.identification[:20],
        "originator_account": originator.account_number[:34],
        "originator_account_type": originator.account_type[:20],
        "institution": originator.institution[:160],
        "motive": motive[:120],
        "deliver_at": deliver_at or timezone.now(),
    }
    if reference:
        credit, _ = SimulatorCredit.objects.get_or_create(reference=reference, defaults=fields)
        return credit
    with transaction.atomic():
        credit = SimulatorCredit.objects.create(reference=f"tmp-{uuid.uuid4().hex}", **fields)
        credit.reference = f"SPI-IN-{credit.pk:010d}"
        credit.save(update_fields=["reference"])
    return credit
