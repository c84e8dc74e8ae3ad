"""A local simulator of the billers' collection network (``enlinea.payments.network``).

It behaves like the billers the cooperative collects for: it answers bill inquiries,
authorizes and confirms payments (each once per payment reference, however often it is
asked), refuses some, is down for others, and issues new bills over time. Its books are
tables (``SimulatorBill``, ``SimulatorPayment``) so the worker and the web processes
share them. It is deterministic: nothing sleeps and nothing is random; what happens
depends only on the last three digits of the customer's reference (see
``docs/billers.md``):

=========================  ========================================================
reference's digits end in  outcome
=========================  ========================================================
``001``                    inquiry: no debt (SIN VALORES PENDIENTES)
``002``                    inquiry and payment: reference not found
``003``                    the biller is down: inquiry and payment cannot be made
``004``                    the bill is shown and authorized, the member is debited,
                           then the biller refuses the payment at confirmation: the
                           money is returned
anything else              a bill (amount from $ 5.00 to $ 80.00, due in 15 days)
                           that is paid and confirmed
=========================  ========================================================

Bills: the first inquiry of a reference issues its bill for the current period; from
then on :func:`bills_publish` (a periodic job, ``enlinea.payments.tasks``) issues one
new bill per period (``settings.BILLER_SIMULATOR_PERIOD_SECONDS``) for every reference
the simulator knows. An inquiry answers the oldest bill not paid yet.
:func:`simulator_bill_publish` issues a bill of a chosen amount (tests, demos).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SimulatorBill, SimulatorPayment, SimulatorPaymentStatus
from .network import (
    Authorization,
    Bill,
    BillerUnavailable,
    Confirmation,
    NoDebt,
    PaymentRefused,
    PaymentRequest,
    ReferenceNotFound,
)

DEFAULT_PERIOD_SECONDS = 30 * 24 * 3600
DUE_DAYS = 15
NO_DEBT = "001"
NOT_FOUND = "002"
DOWN = "003"
REFUSED_AFTER_DEBIT = "004"
HOLDERS = (
    "QUISHPE TENE ROSA ELENA",
    "LOPEZ MAYA ANDRES DAVID",
    "GUAMAN CHILUISA LUIS ALBERTO",
    "PEREZ ZAMBRANO MARIA FERNANDA",
    "TORRES VERA JORGE LUIS",
)


def period_seconds() -> int:
    return int(getattr(settings, "BILLER_SIMULATOR_PERIOD_SECONDS", DEFAULT_PERIOD_SECONDS))


def period_of(now: dt.datetime) -> int:
    return int(now.timestamp()) // max(period_seconds(), 1)


def _suffix(reference: str) -> str:
    return "".join(ch for ch in reference if ch.isdigit())[-3:]


def _digest(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def _bill_fields(
    biller_code: str, reference: str, period: int, now: dt.datetime, amount: int | None = None
) -> dict[str, object]:
    seed = _digest(biller_code, reference, period)
    return {
        "biller_code": biller_code,
        "reference": reference,
        "period": period,
        "bill_id": f"F{period}-{_digest(biller_code, reference):012x}",
        "amount": amount if amount is not None else 500 + seed % 7_501,
        "holder_name": HOLDERS[_digest(biller_code, reference) % len(HOLDERS)],
        "published_at": now,
        "due_date": timezone.localdate(now) + dt.timedelta(days=DUE_DAYS),
    }


def _as_bill(row: SimulatorBill) -> Bill:
    return Bill(
        biller_code=row.biller_code,
        reference=row.reference,
        bill_id=row.bill_id,
        amount=row.amount,
        due_date=row.due_date,
        holder_name=row.holder_name,
    )


def simulator_bill_publish(
    *,
    biller_code: str,
    reference: str,
    amount: int | None = None,
    now: dt.datetime | None = None,
    period: int | None = None,
) -> SimulatorBill:
    """Issue the bill of ``reference`` for ``period`` (the current one by default), of
    ``amount`` cents when given; idempotent per (biller, reference, period)."""
    now = now or timezone.now()
    period = period_of(now) if period is None else period
    fields = _bill_fields(biller_code, reference, period, now, amount)
    try:
        with transaction.atomic():
            return SimulatorBill.objects.create(**fields)
    except IntegrityError:  # already issued (or issued at the same moment elsewhere)
        return SimulatorBill.objects.get(
            biller_code=biller_code, reference=reference, period=period
        )


def bills_publish(*, now: dt.datetime | None = None) -> int:
    """Issue this period's bill for every reference the simulator knows that has none
    yet; how many were issued. Safe to run twice or on two workers at once."""
    now = now or timezone.now()
    period = period_of(now)
    known = set(SimulatorBill.objects.values_list("biller_code", "reference").distinct())
    issued = set(
        SimulatorBill.objects.filter(period=period).values_list("biller_code", "reference")
    )
    rows = [
        SimulatorBill(**_bill_fields(code, reference, period, now))
        for code, reference in sorted(known - issued)
    ]
    this_period = SimulatorBill.objects.filter(period=period)
    before = this_period.count()
    # A bill another worker issued meanwhile is skipped (unique per reference and period).
    SimulatorBill.objects.bulk_create(rows, batch_size=1_000, ignore_conflicts=True)
    return this_period.count() - before


class BillerSimulator:
    """The default :class:`~enlinea.payments.network.BillerNetwork`."""

    def inquiry(self, biller_code: str, reference: str, *, now: dt.datetime) -> Bill:
        suffix = _suffix(reference)
        if suffix == DOWN:
            raise BillerUnavailable(
                "La empresa no responde en este momento. Intenta de nuevo en unos minutos."
            )
        if suffix == NOT_FOUND:
            raise ReferenceNotFound(
                f"La empresa no encuentra la referencia {reference}. Revísala e intenta de nuevo."
            )
        if suffix == NO_DEBT:
            raise NoDebt(f"La referencia {reference} no tiene valores pendientes de pago.")
        bills = SimulatorBill.objects.filter(biller_code=biller_code, reference=reference)
        due = bills.filter(paid_by="", published_at__lte=now).order_by("published_at", "id")
        row = due.first()
        if row is None and not bills.exists():  # a reference never seen: its first bill
            simulator_bill_publish(biller_code=biller_code, reference=reference, now=now)
            row = due.first()
        if row is None:
            raise NoDebt(f"La referencia {reference} no tiene valores pendientes de pago.")
        return _as_bill(row)

    def authorize(self, request: PaymentRequest, *, now: dt.datetime) -> Authorization:
        known = SimulatorPayment.objects.filter(reference=request.reference).first()
        if known is None:
            suffix = _suffix(request.customer_reference)
            if suffix == DOWN:
                raise BillerUnavailable("La empresa no responde en este momento.")
            reason = self._refusal(request, suffix)
            known = self._record(request, now, reason)
        if known.status == SimulatorPaymentStatus.REFUSED:
            raise PaymentRefused(
                f"La empresa rechazó el pago: {known.reason}.", reason=known.reason
            )
        return Authorization(request.reference, f"A{known.pk:09d}")

    def _refusal(self, request: PaymentRequest, suffix: str) -> str:
        """Why the biller will not take the payment; empty when it will (the bill is
        then reserved for it)."""
        if suffix == NOT_FOUND:
            return ReferenceNotFound.reason
        if not request.bill_id:
            return ""  # a recarga
        bill = SimulatorBill.objects.filter(
            bill_id=request.bill_id,
            biller_code=request.biller_code,
            reference=request.customer_reference,
        ).first()
        if bill is None:
            return "FACTURA NO EXISTE"
        if bill.amount != request.amount:
            return "VALOR NO COINCIDE CON LA FACTURA"
        taken = SimulatorBill.objects.filter(pk=bill.pk, paid_by="").update(
            paid_by=request.reference
        )
        if not taken and bill.paid_by != request.reference:
            refreshed = SimulatorBill.objects.get(pk=bill.pk)
            if refreshed.paid_by != request.reference:
                return "FACTURA YA PAGADA"
        return ""

    def _record(self, request: PaymentRequest, now: dt.datetime, reason: str) -> SimulatorPayment:
        try:
            with transaction.atomic():
                return SimulatorPayment.objects.create(
                    reference=request.reference,
                    biller_code=request.biller_code,
                    customer_reference=request.customer_reference,
                    bill_id=request.bill_id,
                    amount=request.amount,
                    status=(
                        SimulatorPaymentStatus.REFUSED
                        if reason
                        else SimulatorPaymentStatus.AUTHORIZED
                    ),
                    reason=reason,
                    authorized_at=now,
                    decided_at=now if reason else None,
                )
        except IntegrityError:  # the same payment asked twice at once: one answer
            return SimulatorPayment.objects.get(reference=request.reference)

    def confirm(self, reference: str, *, now: dt.datetime) -> Confirmation:
        payment = SimulatorPayment.objects.filter(reference=reference).first()
        if payment is None:
            raise PaymentRefused(
                "La empresa no tiene autorizado este pago.", reason="NO AUTORIZADO"
            )
        if payment.status == SimulatorPaymentStatus.AUTHORIZED:
            if _suffix(payment.customer_reference) == REFUSED_AFTER_DEBIT:
                decided = SimulatorPayment.objects.filter(
                    pk=payment.pk, status=SimulatorPaymentStatus.AUTHORIZED
                ).update(
                    status=SimulatorPaymentStatus.REFUSED,
                    reason=PaymentRefused.reason,
                    decided_at=now,
                )
                if decided:  # the bill can be paid again
                    SimulatorBill.objects.filter(paid_by=reference).update(paid_by="")
                payment.refresh_from_db()
            elif SimulatorPayment.objects.filter(
                pk=payment.pk, status=SimulatorPaymentStatus.AUTHORIZED
            ).update(status=SimulatorPaymentStatus.CONFIRMED, decided_at=now):
                payment.status, payment.decided_at = SimulatorPaymentStatus.CONFIRMED, now
            else:  # decided meanwhile by another call: its answer
                payment.refresh_from_db()
        if payment.status == SimulatorPaymentStatus.REFUSED:
            raise PaymentRefused(
                f"La empresa rechazó el pago: {payment.reason}.", reason=payment.reason
            )
        return Confirmation(reference, f"C{payment.pk:09d}")
