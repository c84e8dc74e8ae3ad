"""Pago de servicios: a member pays a biller (electricity, water, phone, top-ups).

Every payment is one operation of ``enlinea.transfers.operations`` (the mechanism
transfers use): the debit to the billers' settlement account (Recaudaciones por
liquidar), the tariff's fee as COMISIÓN and IVA movements, and one Comprobante.

* :func:`bill_payment_record` pays a biller named by a string, in one phase (the demo's
  history and the composition tests use it).
* A payment to a catalogue ``Biller`` is two-phase, like an interbank transfer
  (``enlinea.transfers.clearing``): :func:`bill_payment_start` checks the reference
  (``reference_clean``), the amount (a recarga's allowed amounts, the biller's minimum
  and maximum) and debits the member with the biller's own fee (``fee_for_biller``),
  recording a ``BillPayment`` PENDIENTE in the same transaction;
  :func:`bill_payment_complete` then asks the biller network to authorize and confirm
  it: CONFIRMADO moves the money from the settlement account to the Banco Central
  account (paid to the biller); a refusal returns the amount, the COMISIÓN and the IVA
  (DEVUELTO); a biller that cannot be reached leaves it PENDIENTE for
  :func:`bill_payments_resolve` (the periodic job) to ask again.

Lock order (``enlinea.products.locking``): the payment's row → the deposit account →
the ledger accounts. The network is called outside any transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.money import format_cents
from enlinea.notifications.services import member_notify
from enlinea.products.locking import row_lock
from enlinea.products.models import DepositAccount
from enlinea.products.services import ProductError
from enlinea.receipts.models import Channel, Receipt, ReceiptKind
from enlinea.receipts.services import Counterpart
from enlinea.tariff.models import Operation as TariffOperation
from enlinea.tariff.services import Fees, biller_fee_key
from enlinea.transfers.operations import Operation, amount_check, online_check, operation_record

from .models import Biller, BillPayment, BillPaymentStatus
from .network import (
    Bill,
    BillerError,
    BillerNetwork,
    BillerUnavailable,
    PaymentRequest,
    biller_network,
)
from .references import reference_clean

logger = logging.getLogger(__name__)


def bill_payment_record(
    *,
    source: DepositAccount,
    biller: str,
    label: str,
    amount: int,
    reference: str = "",
    idempotency_key: str,
    channel: str = Channel.WEB,
    occurred_at: dt.datetime | None = None,
) -> Receipt:
    """Pay ``amount`` cents of a ``biller``'s bill from ``source``.

    ``label`` is the movement's concept ("Pago de luz CNEL EP"); ``reference`` the
    contract, meter or phone number the biller knows the bill by, shown on the receipt
    as the counterpart's identification. ``source`` must be ACTIVA and cover the amount
    plus the fee. A replay of ``idempotency_key`` returns the first receipt.
    """
    biller = biller.strip()
    label = label.strip()
    if not biller or not label:
        raise ProductError("Elige la empresa de servicios y el servicio que vas a pagar.")
    online_check(source, channel, "pagar servicios")
    return operation_record(
        Operation(
            receipt_kind=ReceiptKind.BILL_PAYMENT,
            entry_kind="bill_payment",
            description=label.upper(),
            channel=channel,
            amount=amount,
            idempotency_key=idempotency_key,
            receipt_account=source,
            debit=source,
            coop_account_id=coop_account(LedgerKind.BILLER_SETTLEMENT).pk,
            tariff_operation=TariffOperation.BILL_PAYMENT,
            fee_concept=f"PAGO DE SERVICIOS {biller.upper()}",
            motive=label,
            counterpart=Counterpart(name=biller, identification=reference[:20], institution=biller),
            metadata={"from": source.number, "biller": biller, "reference": reference},
            occurred_at=occurred_at,
        )
    )


# ---------------------------------------------------------------- the biller catalogue

BILL_DESCRIPTION = "ND PAGO DE SERVICIOS"
FEE_CONCEPT = "PAGO DE SERVICIOS"
RETURN_DESCRIPTION = "NC DEVOLUCIÓN PAGO DE SERVICIOS"
SETTLEMENT_DESCRIPTION = "LIQUIDACIÓN RECAUDACIÓN"
# The money of a refused payment comes back with a comprobante of its own (a credit:
# NOTA DE CRÉDITO) whose motive names the returned payment.
RETURN_RECEIPT_KIND = ReceiptKind.BILL_PAYMENT_RETURNED
NOTICE_PAID = "pago_servicio_realizado"
NOTICE_RETURNED = "pago_servicio_devuelto"

MSG_BILLER_INACTIVE = (
    "{biller} no está disponible por ahora. Elige otra empresa o intenta más tarde."
)
MSG_TOPUP_HAS_NO_BILL = "Las recargas no tienen factura: elige el monto de la recarga."
MSG_BILL_REQUIRED = "Consulta la factura de {biller} antes de pagarla."
MSG_BILL_PAID = (
    "Esa factura de {biller} ya está pagada o su pago está en proceso: "
    "consulta tu Historial de pagos."
)
MSG_TOPUP_AMOUNT = "Elige uno de los montos de recarga de {biller}: {amounts}."
MSG_AMOUNT_BELOW = "El monto mínimo para pagar a {biller} es {minimum}."
MSG_AMOUNT_ABOVE = "El monto máximo para pagar a {biller} es {maximum}."


def _booked(now: dt.datetime) -> dt.datetime | None:
    """The books record the call's moment unless it is ahead of the clock (a test's
    explicit time): the books never hold the future."""
    return now if now <= timezone.now() else None


def _biller_available(biller: Biller) -> None:
    if not biller.active or not biller.category.active:
        raise ProductError(MSG_BILLER_INACTIVE.format(biller=biller.name))


def biller_amount_check(*, biller: Biller, amount: int) -> int:
    """Refuse an amount ``biller`` does not take: a recarga among its amounts, any
    payment within its minimum and maximum (Spanish ``ProductError``)."""
    amount_check(amount)
    if biller.is_topup and amount not in (biller.topup_amounts or []):
        amounts = ", ".join(format_cents(a) for a in sorted(biller.topup_amounts or []))
        raise ProductError(MSG_TOPUP_AMOUNT.format(biller=biller.name, amounts=amounts))
    if amount < biller.min_amount:
        raise ProductError(
            MSG_AMOUNT_BELOW.format(biller=biller.name, minimum=format_cents(biller.min_amount))
        )
    if biller.max_amount is not None and amount > biller.max_amount:
        raise ProductError(
            MSG_AMOUNT_ABOVE.format(biller=biller.name, maximum=format_cents(biller.max_amount))
        )
    return amount


def bill_inquiry(
    *,
    biller: Biller,
    reference: str,
    now: dt.datetime | None = None,
    network: BillerNetwork | None = None,
) -> Bill:
    """The bill ``reference`` owes ``biller`` (amount, due date, holder: show it with
    ``bill.holder_masked``). Raises ``ValidationError`` for a reference that breaks the
    biller's rule, ``ProductError`` for an inactive biller or a recarga, and the
    network's typed errors (``NoDebt``, ``ReferenceNotFound``, ``BillerUnavailable``,
    each with a Spanish ``message``). Reads only; call it outside any transaction."""
    _biller_available(biller)
    if biller.is_topup:
        raise ProductError(MSG_TOPUP_HAS_NO_BILL)
    clean = reference_clean(biller, reference)
    network = network or biller_network()
    return network.inquiry(biller.code, clean, now=now or timezone.now())


def bill_payment_start(
    *,
    source: DepositAccount,
    biller: Biller,
    reference: str,
    amount: int,
    bill_id: str = "",
    idempotency_key: str,
    channel: str = Channel.WEB,
    occurred_at: dt.datetime | None = None,
    scheduled: bool = False,
) -> BillPayment:
    """Phase one of a payment to ``biller``: debit ``amount`` cents and the biller's fee
    from the tariff (``fee_for_biller``) from ``source`` into the billers' settlement
    account, with one Comprobante, and record the ``BillPayment`` (PENDIENTE) that waits
    for the biller. ``bill_id`` is the bill from ``bill_inquiry`` (required unless the
    biller is a recarga, whose ``amount`` must be one it allows).

    Runs in the caller's transaction (the one that spends the security code) and calls
    no network: :func:`bill_payment_complete` does, after COMMIT. A replay of
    ``idempotency_key`` returns the first payment and moves nothing.

    The member is told of the debit (e-mail and SMS ``pago_servicio_realizado``, sent at
    COMMIT; ``scheduled`` says it was one of their Programar pagos).
    """
    _biller_available(biller)
    clean = reference_clean(biller, reference)
    biller_amount_check(biller=biller, amount=amount)
    bill_id = (bill_id or "").strip()
    if biller.is_topup:
        bill_id = ""
    elif not bill_id:
        raise ProductError(MSG_BILL_REQUIRED.format(biller=biller.name))
    online_check(source, channel, "pagar servicios")
    if bill_id and _bill_taken(biller, bill_id, idempotency_key):
        raise ProductError(MSG_BILL_PAID.format(biller=biller.name))
    try:
        return _bill_payment_record(
            source=source,
            biller=biller,
            clean=clean,
            amount=amount,
            bill_id=bill_id,
            idempotency_key=idempotency_key,
            channel=channel,
            occurred_at=occurred_at,
            scheduled=scheduled,
        )
    except IntegrityError as exc:
        # Paid at the same moment by another request (payments_bill_paid_once): this
        # one's debit and receipt are rolled back with its savepoint.
        if bill_id and _bill_taken(biller, bill_id, idempotency_key):
            raise ProductError(MSG_BILL_PAID.format(biller=biller.name)) from exc
        raise


def _bill_taken(biller: Biller, bill_id: str, idempotency_key: str) -> bool:
    """Is the bill paid, or being paid, by another operation than this one?"""
    return (
        BillPayment.objects.filter(biller=biller, bill_id=bill_id)
        .exclude(status=BillPaymentStatus.RETURNED)
        .exclude(idempotency_key=idempotency_key)
        .exists()
    )


def _bill_payment_record(
    *,
    source: DepositAccount,
    biller: Biller,
    clean: str,
    amount: int,
    bill_id: str,
    idempotency_key: str,
    channel: str,
    occurred_at: dt.datetime | None,
    scheduled: bool,
) -> BillPayment:
    with transaction.atomic():
        receipt = operation_record(
            Operation(
                receipt_kind=ReceiptKind.BILL_PAYMENT,
                entry_kind="bill_payment",
                description=f"{BILL_DESCRIPTION} {biller.name}",
                channel=channel,
                amount=amount,
                idempotency_key=idempotency_key,
                receipt_account=source,
                debit=source,
                coop_account_id=coop_account(LedgerKind.BILLER_SETTLEMENT).pk,
                tariff_operation=biller_fee_key(biller),
                fee_concept=f"{FEE_CONCEPT} {biller.name}",
                motive=f"{biller.category.name} · {biller.name}",
                counterpart=Counterpart(
                    name=biller.name,
                    identification=clean[:20],
                    institution=biller.category.name,
                ),
                metadata={
                    "from": source.number,
                    "biller": biller.code,
                    "reference": clean,
                    "bill": bill_id,
                },
                occurred_at=occurred_at,
            )
        )
        # Under the account's lock (operation_record): a replay of the key finds its
        # first payment here, a first request makes it.
        payment = BillPayment.objects.filter(receipt=receipt).first()
        if payment is None:
            payment = BillPayment.objects.create(
                receipt=receipt,
                member_id=receipt.member_id,
                source_id=receipt.account_id,
                biller=biller,
                reference=clean,
                bill_id=bill_id,
                amount=receipt.amount,
                commission=receipt.commission,
                iva=receipt.iva,
                idempotency_key=receipt.idempotency_key,
                created_at=receipt.created_at,
            )
            member_notify(  # sent at COMMIT (enlinea.notifications)
                member=receipt.member,
                kind=NOTICE_PAID,
                context={
                    "number": receipt.number,
                    "biller": biller.name,
                    "category": biller.category.name,
                    "reference": clean,
                    "amount": format_cents(receipt.amount),
                    "fees": format_cents(receipt.commission + receipt.iva),
                    "total": format_cents(receipt.total),
                    "last_digits": source.number[-4:],
                    "scheduled": scheduled,
                    "when": receipt.created_at,
                },
            )
    return payment


def _request(payment: BillPayment) -> PaymentRequest:
    return PaymentRequest(
        reference=payment.network_reference,
        biller_code=payment.biller.code,
        customer_reference=payment.reference,
        amount=payment.amount,
        bill_id=payment.bill_id,
    )


def bill_payment_confirm(
    *,
    payment: BillPayment,
    authorization: str = "",
    confirmation: str = "",
    now: dt.datetime | None = None,
) -> BillPayment:
    """The biller confirmed the payment: its money leaves the billers' settlement account
    for the biller (through the cooperative's Banco Central account). Once: a second
    confirmation answers with the first; a payment already returned is left as it is
    (and logged for staff)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = row_lock(payment)
        if locked.status == BillPaymentStatus.CONFIRMED:
            return locked
        if locked.status == BillPaymentStatus.RETURNED:
            logger.error("bill payment %s confirmed after it was returned", locked.pk)
            return locked
        locked.biller = payment.biller  # the same row's biller, loaded by the caller
        entry_record(
            idempotency_key=f"biller:{locked.pk}:liquidacion",
            kind="bill_settlement",
            lines=[
                Line(coop_account(LedgerKind.BILLER_SETTLEMENT).pk, -locked.amount),
                Line(coop_account(LedgerKind.CENTRAL_BANK).pk, locked.amount),
            ],
            description=f"{SETTLEMENT_DESCRIPTION} {locked.biller.name} {locked.reference}"[:200],
            metadata={"bill_payment": locked.pk, "confirmation": confirmation},
            occurred_at=_booked(now),
        )
        locked.status = BillPaymentStatus.CONFIRMED
        locked.confirmed_at = now
        locked.authorization = authorization[:60] or locked.authorization
        locked.confirmation = confirmation[:60]
        locked.last_error = ""
        locked.save(
            update_fields=["status", "confirmed_at", "authorization", "confirmation", "last_error"]
        )
        return locked


def bill_payment_return(
    *, payment: BillPayment, reason: str, now: dt.datetime | None = None
) -> BillPayment:
    """The biller refused the payment: the amount comes back from the billers'
    settlement account and the COMISIÓN and IVA it was charged are credited back, each
    a movement of its own, with the return's comprobante. Once: a second return
    answers with the first. A confirmed payment cannot be returned (``ProductError``)."""
    reason = " ".join((reason or "").split()).upper() or "RECHAZADO POR LA EMPRESA"
    now = now or timezone.now()
    with transaction.atomic():
        locked = row_lock(payment)  # the payment, then the account, then the books
        if locked.status == BillPaymentStatus.RETURNED:
            return locked
        if locked.status == BillPaymentStatus.CONFIRMED:
            raise ProductError(
                f"El pago N.º {locked.receipt_id} ya fue confirmado por {locked.biller.name}: "
                "no se puede devolver."
            )
        source = locked.source
        biller = locked.biller
        receipt = operation_record(
            Operation(
                receipt_kind=RETURN_RECEIPT_KIND,
                entry_kind="bill_payment_return",
                description=f"{RETURN_DESCRIPTION} {biller.name}",
                channel=Channel.SYSTEM,
                amount=locked.amount,
                idempotency_key=f"biller:{locked.pk}:devolucion",
                receipt_account=source,
                credit=source,
                coop_account_id=coop_account(LedgerKind.BILLER_SETTLEMENT).pk,
                motive=f"Devolución del pago N.º {locked.receipt_id}: {reason}"[:120],
                counterpart=Counterpart(
                    name=biller.name,
                    identification=locked.reference[:20],
                    institution=biller.category.name,
                ),
                metadata={"bill_payment": locked.pk, "reason": reason},
                occurred_at=_booked(now),
                # The member's own money comes back whatever the account's state.
                credit_refused_when=(),
                refund=Fees(commission=locked.commission, iva=locked.iva),
                refund_concept=f"{FEE_CONCEPT} {biller.name}",
            )
        )
        locked.status = BillPaymentStatus.RETURNED
        locked.returned_at = now
        locked.return_reason = reason[:200]
        locked.return_receipt = receipt
        locked.save(update_fields=["status", "returned_at", "return_reason", "return_receipt"])
        member_notify(  # sent at COMMIT (enlinea.notifications)
            member=locked.member,
            kind=NOTICE_RETURNED,
            context={
                "number": locked.receipt_id,
                "return_number": receipt.pk,
                "biller": biller.name,
                "reference": locked.reference,
                "amount": format_cents(locked.amount),
                "fees": format_cents(locked.commission + locked.iva),
                "total": format_cents(locked.total),
                "last_digits": source.number[-4:],
                "reason": reason,
                "when": now,
            },
        )
        return locked


def bill_payment_complete(
    *,
    payment: BillPayment,
    now: dt.datetime | None = None,
    network: BillerNetwork | None = None,
) -> BillPayment:
    """Phase two: ask the biller to authorize and confirm a PENDIENTE payment and apply
    its answer (CONFIRMADO, or DEVUELTO with the reason). When the biller cannot be
    reached the payment stays PENDIENTE with the error noted, and
    :func:`bill_payments_resolve` asks again. An entry point: the network is called
    outside any transaction, each outcome is applied in one of its own, under the
    payment's row lock, so two calls at once apply it once."""
    now = now or timezone.now()
    network = network or biller_network()
    payment = BillPayment.objects.select_related("biller").get(pk=payment.pk)
    if payment.status != BillPaymentStatus.PENDING:
        return payment
    request = _request(payment)
    try:
        authorization = network.authorize(request, now=now)
        confirmation = network.confirm(request.reference, now=now)
    except BillerUnavailable as exc:
        BillPayment.objects.filter(pk=payment.pk, status=BillPaymentStatus.PENDING).update(
            attempts=F("attempts") + 1, last_error=exc.message[:300]
        )
        return BillPayment.objects.get(pk=payment.pk)
    except BillerError as exc:  # refused (or the reference is gone): the money returns
        with transaction.atomic(durable=True):
            return bill_payment_return(payment=payment, reason=exc.reason, now=now)
    with transaction.atomic(durable=True):
        return bill_payment_confirm(
            payment=payment,
            authorization=authorization.authorization,
            confirmation=confirmation.confirmation,
            now=now,
        )


def bill_payments_resolve(
    *, now: dt.datetime | None = None, network: BillerNetwork | None = None, limit: int = 500
) -> dict[str, int]:
    """The periodic job: complete every PENDIENTE payment (oldest first, up to
    ``limit``); what it did."""
    now = now or timezone.now()
    network = network or biller_network()
    report = {"confirmed": 0, "returned": 0, "pending": 0}
    pending = BillPayment.objects.filter(
        status=BillPaymentStatus.PENDING, created_at__lte=now
    ).order_by("created_at", "id")[:limit]
    for payment in pending:
        try:
            done = bill_payment_complete(payment=payment, now=now, network=network)
        except Exception:  # one payment must not stop the others; asked again next run
            logger.exception("could not complete bill payment %s", payment.pk)
            report["pending"] += 1
            continue
        key = {
            BillPaymentStatus.CONFIRMED: "confirmed",
            BillPaymentStatus.RETURNED: "returned",
        }.get(done.status, "pending")
        report[key] += 1
    return report
