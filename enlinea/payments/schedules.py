"""Programar pagos: the member's scheduled payments and the job that pays them.

A schedule (``PaymentSchedule``) pays every new bill of one biller and reference,
"Siempre que se encuentre disponible", while today is within its dates, when the bill
is at most its Monto máximo. :func:`schedules_run` (the periodic job,
``enlinea.payments.tasks``) asks the biller for each live schedule's bill (outside any
transaction) and then, in one transaction per bill, under the schedule's row lock:

* a bill this schedule already handled (a ``ScheduleRun`` for it) is skipped: a job run
  twice, or two workers at once, pay a bill once (the lock serialises them, the unique
  run per schedule and bill is the last word);
* a bill the member already paid (or is paying) by hand is skipped, with no run;
* a bill above the maximum, an account that cannot pay (blocked, insufficient funds…)
  or any refusal of ``bill_payment_start`` leaves nothing moved: the run is recorded
  NO_PAGADO with the reason and the member is told by e-mail (``pago_programado_no_realizado``);
* otherwise ``bill_payment_start`` debits the member (idempotency key per schedule and
  bill; the member is told by e-mail and SMS, ``pago_servicio_realizado``) and, after
  COMMIT, ``bill_payment_complete`` asks the biller to confirm; a refusal then returns
  the money and e-mails the member (``pago_servicio_devuelto``).

Lock order: the schedule's row → the payment's → the deposit account → the ledger.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from enlinea.money import format_cents
from enlinea.notifications.services import member_notify
from enlinea.products.models import DepositAccount
from enlinea.receipts.models import Channel

from .models import (
    Biller,
    BillPayment,
    BillPaymentStatus,
    PaymentSchedule,
    ScheduleRun,
    ScheduleRunStatus,
)
from .network import BillerError, BillerNetwork, NoDebt, biller_network
from .references import reference_clean
from .services import bill_payment_complete, bill_payment_start

logger = logging.getLogger(__name__)

TERMS_VERSION = "2026-01"
TERMS_TEXT = (
    "El valor a pagar se debitará de tu cuenta de forma programada. Cooprogreso no se "
    "responsabiliza por no poder realizar el débito por falta de fondos. Cooprogreso no "
    "se responsabiliza por situaciones ajenas al control de la cooperativa ya sean "
    "técnicas, tecnológicas o que tengan relación con cosas fortuitos"
)
MAX_WARNING = (
    "Recuerda que si la factura es mayor al valor establecido en el campo Monto máximo el "
    "pago no se realizará y te lo notificaremos por correo electrónico."
)
NOTICE_NOT_PAID = "pago_programado_no_realizado"
MSG_NOT_FOUND = "Ese pago programado no está registrado."
MSG_ABOVE_MAX = "La factura de {amount} supera el monto máximo de {maximum}."
MSG_DATES = "La fecha de finalización no puede ser anterior a la fecha de inicio."
MSG_START_PAST = "La fecha de inicio no puede ser anterior a hoy."
MSG_MAX = "Ingresa un monto máximo mayor a $ 0.00."
MSG_TOPUP = "Las recargas no se pueden programar: no tienen factura."


def schedules_for_member(*, member: Any) -> QuerySet[PaymentSchedule]:
    """The member's live schedules, newest first."""
    return PaymentSchedule.objects.filter(member=member, deleted_at__isnull=True).select_related(
        "biller__category", "source"
    )


def schedule_for_member(*, member: Any, schedule_id: Any) -> PaymentSchedule:
    """One of the member's live schedules; 404 for anyone else's or a bad id."""
    try:
        pk = int(schedule_id)
    except (TypeError, ValueError):
        raise Http404(MSG_NOT_FOUND) from None
    schedule = schedules_for_member(member=member).filter(pk=pk).first()
    if schedule is None:
        raise Http404(MSG_NOT_FOUND)
    return schedule


def schedule_check(
    *,
    biller: Biller,
    reference: str,
    max_amount: int,
    start_date: dt.date,
    end_date: dt.date | None,
    today: dt.date | None = None,
    new: bool = True,
) -> str:
    """The rules of a schedule (Spanish ``ValidationError``); the clean reference."""
    if biller.is_topup:
        raise ValidationError(MSG_TOPUP)
    clean = reference_clean(biller, reference)
    if isinstance(max_amount, bool) or not isinstance(max_amount, int) or max_amount <= 0:
        raise ValidationError(MSG_MAX)
    today = today or timezone.localdate()
    if new and start_date < today:
        raise ValidationError(MSG_START_PAST)
    if end_date is not None and end_date < start_date:
        raise ValidationError(MSG_DATES)
    return clean


def schedule_create(
    *,
    member: Any,
    source: DepositAccount,
    biller: Biller,
    reference: str,
    max_amount: int,
    start_date: dt.date,
    end_date: dt.date | None,
    terms_version: str,
    ip: str | None,
) -> PaymentSchedule:
    """Record a schedule with the Términos y Condiciones accepted now (in the caller's
    transaction: the one that spends the code)."""
    if source.member_id != member.pk:
        raise ValidationError("La cuenta de débito no es tuya.")
    if terms_version != TERMS_VERSION:
        raise ValidationError(
            "Los Términos y Condiciones cambiaron: vuelve a empezar para leer los vigentes."
        )
    clean = schedule_check(
        biller=biller,
        reference=reference,
        max_amount=max_amount,
        start_date=start_date,
        end_date=end_date,
    )
    return PaymentSchedule.objects.create(
        member=member,
        source=source,
        biller=biller,
        reference=clean,
        max_amount=max_amount,
        start_date=start_date,
        end_date=end_date,
        terms_version=terms_version,
        terms_accepted_at=timezone.now(),
        terms_ip=ip,
    )


def schedule_update(
    *,
    schedule: PaymentSchedule,
    source: DepositAccount,
    reference: str,
    max_amount: int,
    start_date: dt.date,
    end_date: dt.date | None,
) -> PaymentSchedule:
    """Change a live schedule (under its row lock)."""
    with transaction.atomic():
        locked = PaymentSchedule.objects.select_for_update().get(pk=schedule.pk)
        if locked.deleted_at is not None:
            raise ValidationError(MSG_NOT_FOUND)
        if source.member_id != locked.member_id:
            raise ValidationError("La cuenta de débito no es tuya.")
        locked.reference = schedule_check(
            biller=locked.biller,
            reference=reference,
            max_amount=max_amount,
            start_date=start_date,
            end_date=end_date,
            new=start_date != locked.start_date,
        )
        locked.source = source
        locked.max_amount = max_amount
        locked.start_date = start_date
        locked.end_date = end_date
        locked.save()
        return locked


def schedule_delete(*, schedule: PaymentSchedule) -> None:
    """Mark the schedule deleted (under its row lock): the job pays nothing more for it."""
    with transaction.atomic():
        PaymentSchedule.objects.select_for_update().filter(
            pk=schedule.pk, deleted_at__isnull=True
        ).update(deleted_at=timezone.now())


# ---------------------------------------------------------------- the job


def _due(today: dt.date) -> QuerySet[PaymentSchedule]:
    return (
        PaymentSchedule.objects.filter(
            deleted_at__isnull=True,
            start_date__lte=today,
            biller__active=True,
            biller__category__active=True,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("biller__category", "source", "member")
        .order_by("id")
    )


def _not_paid(schedule: PaymentSchedule, bill: Any, reason: str, now: dt.datetime) -> ScheduleRun:
    run = ScheduleRun.objects.create(
        schedule=schedule,
        bill_id=bill.bill_id,
        amount=bill.amount,
        status=ScheduleRunStatus.NOT_PAID,
        reason=reason[:300],
    )
    member_notify(  # sent at COMMIT
        member=schedule.member,
        kind=NOTICE_NOT_PAID,
        context={
            "biller": schedule.biller.name,
            "reference": schedule.reference,
            "amount": format_cents(bill.amount),
            "maximum": format_cents(schedule.max_amount),
            "due_date": bill.due_date,
            "last_digits": schedule.source.number[-4:],
            "reason": reason,
            "when": now,
        },
    )
    return run


def schedule_bill_pay(
    *, schedule: PaymentSchedule, bill: Any, now: dt.datetime | None = None
) -> ScheduleRun | None:
    """Handle one bill of one schedule, once: the run made now, or None when this bill
    was already handled (or the schedule is gone). An entry point: its own transaction."""
    now = now or timezone.now()
    try:
        with transaction.atomic(durable=True):
            locked = (
                PaymentSchedule.objects.select_for_update(of=("self",))
                .select_related("biller__category", "source", "member")
                .filter(pk=schedule.pk, deleted_at__isnull=True)
                .first()
            )
            if (
                locked is None
                or ScheduleRun.objects.filter(schedule=locked, bill_id=bill.bill_id).exists()
            ):
                return None
            paid_elsewhere = (
                BillPayment.objects.filter(
                    biller=locked.biller, reference=locked.reference, bill_id=bill.bill_id
                )
                .exclude(status=BillPaymentStatus.RETURNED)
                .exists()
            )
            if paid_elsewhere:  # the member paid it by hand (or it is on its way)
                return None
            if bill.amount > locked.max_amount:
                reason = MSG_ABOVE_MAX.format(
                    amount=format_cents(bill.amount), maximum=format_cents(locked.max_amount)
                )
                return _not_paid(locked, bill, reason, now)
            try:
                with transaction.atomic():
                    payment = bill_payment_start(
                        source=locked.source,
                        biller=locked.biller,
                        reference=locked.reference,
                        amount=bill.amount,
                        bill_id=bill.bill_id,
                        idempotency_key=f"schedule:{locked.pk}:{bill.bill_id}",
                        channel=Channel.WEB,
                        scheduled=True,
                    )
            except ValidationError as exc:  # ProductError: funds, account state, amount…
                return _not_paid(locked, bill, " ".join(exc.messages), now)
            run = ScheduleRun.objects.create(
                schedule=locked,
                bill_id=bill.bill_id,
                amount=bill.amount,
                status=ScheduleRunStatus.PAID,
                payment=payment,
            )
    except IntegrityError:  # another worker recorded this bill first
        return None
    _complete(payment)
    return run


def _complete(payment: BillPayment) -> None:
    try:
        bill_payment_complete(payment=payment)
    except Exception:  # left PENDIENTE for bill_payments_resolve
        logger.exception("could not complete scheduled bill payment %s", payment.pk)


def schedules_run(
    *,
    now: dt.datetime | None = None,
    network: BillerNetwork | None = None,
    shard: tuple[int, int] = (0, 1),
) -> dict[str, int]:
    """The periodic job: every live schedule within its dates, its biller's current
    bill paid or not (once per bill); what it did.

    ``shard=(k, n)`` takes only the schedules whose id is ``k`` modulo ``n``: the job's
    ``n`` shards run side by side (``enlinea.payments.tasks``) and together take every
    schedule once. Shards that overlap, or a run twice, still pay each bill once."""
    number, shards = shard
    if shards < 1 or not 0 <= number < shards:
        raise ValueError(f"shard {number} of {shards}")
    now = now or timezone.now()
    network = network or biller_network()
    today = timezone.localdate(now)
    report = {"paid": 0, "not_paid": 0, "skipped": 0}
    due = _due(today)
    if shards > 1:
        due = due.alias(shard=F("id") % shards).filter(shard=number)
    for schedule in due.iterator(chunk_size=500):
        try:
            bill = network.inquiry(schedule.biller.code, schedule.reference, now=now)
        except NoDebt:
            report["skipped"] += 1
            continue
        except BillerError as exc:  # not found / biller down: asked again next run
            logger.info("schedule %s: no bill (%s)", schedule.pk, exc.reason)
            report["skipped"] += 1
            continue
        try:
            run = schedule_bill_pay(schedule=schedule, bill=bill, now=now)
        except Exception:  # one schedule must not stop the others
            logger.exception("schedule %s could not pay bill %s", schedule.pk, bill.bill_id)
            report["skipped"] += 1
            continue
        if run is None:
            report["skipped"] += 1
        elif run.status == ScheduleRunStatus.PAID:
            report["paid"] += 1
        else:
            report["not_paid"] += 1
    return report
