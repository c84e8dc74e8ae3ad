"""Interbank clearing: the second phase of an outgoing transfer, and incoming credits.

The periodic job (``enlinea.transfers.tasks``) runs :func:`clearing_cycle`, which

1. records the credits the network delivers (``incoming()``): each credited once to the
   member's account (free) or, when the account does not exist here or is INACTIVA or
   BLOQUEADA, returned to the network with the reason; then acknowledged;
2. puts every PENDIENTE order that is in no batch yet into a new batch (each order in
   one batch, once);
3. sends every batch the network has not taken yet (a new one, or one a crashed or
   refused send left ARMADO): its orders become ENVIADA;
4. asks the network for the outcome of every ENVIADA order and applies it: LIQUIDADA
   moves the money from CLEARING to the Banco Central account; DEVUELTA credits the
   amount, the COMISIÓN and the IVA back to the member as movements of their own
   ("NC DEVOLUCIÓN TRANSFERENCIA INTERBANCARIA <motivo>"), gives the cupo back, issues
   the return's comprobante and e-mails the member.

An order still waiting past ``settings.INTERBANK_STUCK_MINUTES`` is *atascada*: it shows
in the back office's queue, where Operaciones can Reintentar it (send it again) or
Devolver it (return it to the member, with a motive). Both are audited.

No order is lost, duplicated or left unseen: every change of an order is made under its
row lock and only moves its state forward, so a batch sent twice, two workers, a retried
job and the back office's actions apply each outcome once; the network answers a
reference it knows with what it knows; outcomes are asked for again every cycle until
one arrives; a credit is recorded once by its network reference before it is
acknowledged. The network is called outside any transaction (no row lock waits on it).

Lock order (``enlinea.products.locking``): the order's row (step 2) → the member's cupo
row (step 3, ``limit_release`` on a return) → the deposit account (step 5) → ledger
accounts (step 6). :func:`clearing_cycle`, :func:`interbank_transfer_retry` and
:func:`incoming_process` are entry points (they call the network and hold the durable
transactions); the others are services that run in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.limits.services import limit_release
from enlinea.money import format_cents
from enlinea.notifications.services import member_notify
from enlinea.products.locking import row_lock
from enlinea.products.models import AccountStatus, DepositAccount
from enlinea.products.services import ProductError
from enlinea.receipts.models import Channel, ReceiptKind
from enlinea.receipts.services import Counterpart
from enlinea.security.audit import audit_record
from enlinea.security.audit_kinds import audit_kind_register
from enlinea.tariff.services import Fees

from .models import (
    BatchStatus,
    IncomingStatus,
    IncomingTransfer,
    InterbankBatch,
    InterbankTransfer,
    TransferStatus,
)
from .network import (
    RETURNED,
    SETTLED,
    Batch,
    IncomingCredit,
    InterbankNetwork,
    NetworkError,
    Order,
    OrderResult,
    interbank_network,
)
from .operations import Operation, limit_reference, operation_record
from .services import INTERBANK_FEE_CONCEPT, interbank_transfer_receive

logger = logging.getLogger(__name__)

DEFAULT_STUCK_MINUTES = 30
BATCH_MAX = 500
RETURN_DESCRIPTION = "NC DEVOLUCIÓN TRANSFERENCIA INTERBANCARIA"
# The fees credited back are named after what was paid: a card payment to another
# institution travels as an interbank transfer, but its COMISIÓN was a card payment's.
_REFUND_CONCEPTS = {ReceiptKind.CARD_PAYMENT: "PAGO DE TARJETA"}
_RETURN_DESCRIPTIONS = {ReceiptKind.CARD_PAYMENT: "NC DEVOLUCIÓN PAGO DE TARJETA"}
SETTLEMENT_DESCRIPTION = "LIQUIDACIÓN SPI"
NOTICE_RETURNED = "transferencia_interbancaria_devuelta"
NOTICE_RECEIVED = "transferencia_interbancaria_recibida"
# Until enlinea.receipts.models.ReceiptKind lists a return of its own, a return's
# comprobante is a transfer received through the interbank network (which it is: a
# NOTA DE CREDITO from the SPI), its motive naming the returned transfer.
RETURN_RECEIPT_KIND = ReceiptKind.TRANSFER_RETURNED
# Until enlinea.access.models.AuditKind lists them (the string is what is stored).
AUDIT_RETRIED = audit_kind_register("interbank_retried", "Transferencia interbancaria reenviada")
AUDIT_RETURNED = audit_kind_register(
    "interbank_returned", "Transferencia interbancaria devuelta por el personal"
)
AUDIT_CONFLICT = audit_kind_register(
    "interbank_conflict", "Transferencia interbancaria liquidada después de devuelta"
)

MSG_REASON_REQUIRED = "Indica el motivo de la devolución."


# ---------------------------------------------------------------- reads


def stuck_minutes() -> int:
    return int(getattr(settings, "INTERBANK_STUCK_MINUTES", DEFAULT_STUCK_MINUTES))


def stuck_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(minutes=stuck_minutes())


def stuck_q(now: dt.datetime | None = None) -> Q:
    """Orders still waiting (PENDIENTE or ENVIADA) whose last send, or their creation
    when never sent, is older than the time limit: the queue's "atascadas"."""
    cutoff = stuck_cutoff(now)
    return Q(status__in=[TransferStatus.PENDING, TransferStatus.SENT]) & (
        Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, created_at__lt=cutoff)
    )


def is_stuck(transfer: InterbankTransfer, now: dt.datetime | None = None) -> bool:
    if transfer.is_final:
        return False
    last = transfer.sent_at or transfer.created_at
    return last < stuck_cutoff(now)


def order_reference(receipt_id: int) -> str:
    return f"EL-{receipt_id:010d}"


def _booked(now: dt.datetime) -> dt.datetime | None:
    """When the books record what the cycle does: the cycle's moment, unless it is
    ahead of the clock (a test's explicit time); the books never hold the future."""
    return now if now <= timezone.now() else None


def _order(transfer: InterbankTransfer) -> Order:
    return Order(
        reference=transfer.reference,
        amount=transfer.amount,
        beneficiary_name=transfer.beneficiary_name,
        beneficiary_identification=transfer.beneficiary_identification,
        beneficiary_account=transfer.beneficiary_account,
        beneficiary_account_type=transfer.beneficiary_account_type,
        institution=transfer.institution,
        originator_name=transfer.member.full_name,
        originator_account=transfer.source.number,
        motive=transfer.motive,
    )


def _tail(number: str) -> str:
    return f"…{number[-4:]}"


# ---------------------------------------------------------------- services (one order)


def interbank_transfer_settle(
    *, transfer: InterbankTransfer, now: dt.datetime | None = None
) -> InterbankTransfer:
    """The network settled the order: its money leaves CLEARING for the cooperative's
    account at the Banco Central. Once: a second settlement answers with the first; an
    order returned before is left as it is (and the conflict audited for staff)."""
    return _settle(transfer=transfer, now=now)[0]


def _settle(
    *, transfer: InterbankTransfer, now: dt.datetime | None
) -> tuple[InterbankTransfer, bool]:
    now = now or timezone.now()
    with transaction.atomic():
        locked = row_lock(transfer)
        if locked.status == TransferStatus.SETTLED:
            return locked, False
        if locked.status == TransferStatus.RETURNED:
            logger.error("interbank order %s settled after it was returned", locked.reference)
            audit_record(
                kind=AUDIT_CONFLICT,
                username="clearing",  # the job, not the member: no user or member row
                member_id=locked.member_id,
                transfer=locked.pk,
                reference=locked.reference,
                note="La red liquidó una transferencia que ya se había devuelto al socio.",
            )
            return locked, False
        if locked.batch_id is None:
            raise ValueError("An order the network settled was sent in a batch")
        entry_record(
            idempotency_key=f"spi:{locked.pk}:liquidacion",
            kind="interbank_settlement",
            lines=[
                Line(coop_account(LedgerKind.CLEARING).pk, -locked.amount),
                Line(coop_account(LedgerKind.CENTRAL_BANK).pk, locked.amount),
            ],
            description=f"{SETTLEMENT_DESCRIPTION} {locked.reference} {locked.institution}",
            metadata={"transfer": locked.pk, "batch": locked.batch_id},
            occurred_at=_booked(now),
        )
        locked.status = TransferStatus.SETTLED
        locked.settled_at = now
        locked.save(update_fields=["status", "settled_at"])
        return locked, True


def interbank_transfer_return(
    *,
    transfer: InterbankTransfer,
    reason: str,
    now: dt.datetime | None = None,
    by: Any = None,
    request: HttpRequest | None = None,
) -> InterbankTransfer:
    """Return the order to the member: the amount from CLEARING and the COMISIÓN and IVA
    it was charged, each credited back as a movement of its own with the reason; the
    cupo it used given back; the return's comprobante; an e-mail to the member.

    ``by`` is the staff member who returns it from the back office (only an order
    atascada; audited); without it the network returned it. Once: a second return
    answers with the first. A settled order cannot be returned (``ProductError``).
    """
    return _return(transfer=transfer, reason=reason, now=now, by=by, request=request)[0]


def _return(
    *,
    transfer: InterbankTransfer,
    reason: str,
    now: dt.datetime | None,
    by: Any,
    request: HttpRequest | None,
) -> tuple[InterbankTransfer, bool]:
    reason = " ".join((reason or "").split()).upper()
    if not reason:
        raise ProductError(MSG_REASON_REQUIRED)
    now = now or timezone.now()
    with transaction.atomic():
        locked = row_lock(transfer)  # step 2: the order
        if locked.status == TransferStatus.RETURNED:
            return locked, False
        if locked.status == TransferStatus.SETTLED:
            raise ProductError(
                f"La transferencia N.º {locked.receipt_id} ya fue liquidada por la red: "
                "no se puede devolver."
            )
        if by is not None and not is_stuck(locked, now):
            raise ProductError(_not_stuck(locked))
        limit_release(reference=limit_reference(locked.idempotency_key), at=_booked(now))
        source = locked.source
        receipt = operation_record(  # steps 5 and 6: the account, then the books
            Operation(
                receipt_kind=RETURN_RECEIPT_KIND,
                entry_kind="interbank_return",
                description=(
                    f"{_RETURN_DESCRIPTIONS.get(locked.receipt.kind, RETURN_DESCRIPTION)} {reason}"
                ),
                channel=Channel.INTERBANK,
                amount=locked.amount,
                idempotency_key=f"spi:{locked.pk}:devolucion",
                receipt_account=source,
                credit=source,
                coop_account_id=coop_account(LedgerKind.CLEARING).pk,
                motive=f"Devolución de la transferencia N.º {locked.receipt_id}: {reason}",
                counterpart=Counterpart(
                    name=locked.beneficiary_name,
                    identification=locked.beneficiary_identification,
                    account_number=locked.beneficiary_account,
                    account_type=locked.beneficiary_account_type,
                    institution=locked.institution,
                ),
                metadata={"transfer": locked.pk, "reason": reason},
                occurred_at=_booked(now),
                # The member's own money comes back whatever the account's state.
                credit_refused_when=(),
                refund=Fees(commission=locked.commission, iva=locked.iva),
                refund_concept=_REFUND_CONCEPTS.get(locked.receipt.kind, INTERBANK_FEE_CONCEPT),
            )
        )
        locked.status = TransferStatus.RETURNED
        locked.returned_at = now
        locked.return_reason = reason[:200]
        locked.returned_by = by
        locked.return_receipt = receipt
        locked.save(
            update_fields=[
                "status",
                "returned_at",
                "return_reason",
                "returned_by",
                "return_receipt",
            ]
        )
        if by is not None:
            audit_record(
                kind=AUDIT_RETURNED,
                request=request,
                user=by,
                member=locked.member,
                transfer=locked.pk,
                receipt=locked.receipt_id,
                return_receipt=receipt.pk,
                amount=locked.amount,
                reason=reason,
            )
        member_notify(
            member=locked.member,
            kind=NOTICE_RETURNED,
            context={
                "number": locked.receipt_id,
                "return_number": receipt.pk,
                "amount": format_cents(locked.amount),
                "fees": format_cents(locked.commission + locked.iva),
                "total": format_cents(locked.total),
                "beneficiary": locked.beneficiary_name,
                "bank": locked.institution,
                "last_digits": source.number[-4:],
                "reason": reason,
                "when": now,
            },
        )
        return locked, True


def _not_stuck(transfer: InterbankTransfer) -> str:
    last = timezone.localtime(transfer.sent_at or transfer.created_at)
    until = timezone.localtime(last + dt.timedelta(minutes=stuck_minutes()))
    return (
        f"La transferencia N.º {transfer.receipt_id} no está atascada: la red puede responder "
        f"hasta las {until:%H:%M} del {until:%d/%m/%Y}. Espera a esa hora para reintentarla "
        "o devolverla."
    )


def _final_message(transfer: InterbankTransfer, action: str) -> str:
    return (
        f"La transferencia N.º {transfer.receipt_id} ya está {transfer.get_status_display()}: "
        f"no se {action}."
    )


def interbank_transfer_retry_mark(
    *, transfer: InterbankTransfer, by: Any, request: HttpRequest | None = None, now: dt.datetime
) -> InterbankTransfer:
    """Staff's Reintentar, its first half: under the order's row lock, check that it is
    still waiting and atascada, note the attempt (so a second Reintentar or the job sees
    it was just sent) and audit it. ``interbank_transfer_retry`` then sends it."""
    with transaction.atomic():
        locked = row_lock(transfer)
        if locked.is_final:
            raise ProductError(_final_message(locked, "reenvió"))
        if not is_stuck(locked, now):
            raise ProductError(_not_stuck(locked))
        if locked.batch_id is None:
            locked.batch = InterbankBatch.objects.create(created_at=now)
        locked.sent_at = now
        locked.save(update_fields=["batch", "sent_at"])
        audit_record(
            kind=AUDIT_RETRIED,
            request=request,
            user=by,
            member=locked.member,
            transfer=locked.pk,
            receipt=locked.receipt_id,
            batch=locked.batch_id,
            attempt=locked.attempts + 1,
        )
        return locked


def incoming_credit_record(*, credit: IncomingCredit, now: dt.datetime) -> IncomingTransfer:
    """Record one credit the network delivered: credited to the member's account, or
    returned (no such account here, or it is INACTIVA or BLOQUEADA). Once per network
    reference: a credit delivered again answers with its first record."""
    return _incoming_record(credit=credit, now=now)[0]


def _incoming_record(*, credit: IncomingCredit, now: dt.datetime) -> tuple[IncomingTransfer, bool]:
    existing = IncomingTransfer.objects.filter(network_reference=credit.reference).first()
    if existing is not None:
        return existing, False
    originator = Counterpart(
        name=credit.originator_name,
        identification=credit.originator_identification,
        account_number=credit.originator_account,
        account_type=credit.originator_account_type,
        institution=credit.institution,
    )
    fields = {
        "network_reference": credit.reference,
        "account_number": credit.account_number,
        "amount": credit.amount,
        "originator_name": credit.originator_name[:160],
        "originator_identification": credit.originator_identification[:20],
        "originator_account": credit.originator_account[:34],
        "originator_account_type": credit.originator_account_type[:20],
        "institution": credit.institution[:160],
        "motive": credit.motive[:120],
        "received_at": now,
    }
    with transaction.atomic():
        account = DepositAccount.objects.filter(number=credit.account_number.strip()).first()
        receipt = None
        reason = ""
        if account is None:
            reason = "CUENTA INEXISTENTE"
        else:
            try:
                receipt = interbank_transfer_receive(
                    destination=account,
                    amount=credit.amount,
                    originator=originator,
                    motive=credit.motive,
                    idempotency_key=f"spi-in:{credit.reference}",
                    occurred_at=_booked(now),
                )
            except ProductError as exc:
                # Refused under the account's lock: read its state as that lock saw it.
                status = DepositAccount.objects.filter(pk=account.pk).values_list(
                    "status", flat=True
                )[0]
                reason = (
                    f"CUENTA {status}"
                    if status != AccountStatus.ACTIVE
                    else f"RECHAZADA: {' '.join(exc.messages)}"[:200]
                )
        try:
            with transaction.atomic():
                row = IncomingTransfer.objects.create(
                    **fields,
                    destination=account,
                    status=IncomingStatus.RETURNED if receipt is None else IncomingStatus.CREDITED,
                    return_reason=reason,
                    receipt=receipt,
                )
        except IntegrityError:  # a second worker recorded it first (same receipt)
            return IncomingTransfer.objects.get(network_reference=credit.reference), False
        if receipt is not None:
            member_notify(
                member=account.member,
                kind=NOTICE_RECEIVED,
                context={
                    "number": receipt.pk,
                    "amount": format_cents(credit.amount),
                    "originator": credit.originator_name,
                    "bank": credit.institution,
                    "last_digits": account.number[-4:],
                    "motive": credit.motive,
                    "when": now,
                },
            )
        return row, True


# ---------------------------------------------------------------- entry points (the job)


@dataclass
class CycleReport:
    """What one cycle did, for the job's log and the tests."""

    credited: int = 0
    returned_incoming: int = 0
    batched: int = 0
    sent: int = 0
    settled: int = 0
    returned: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "credited": self.credited,
            "returned_incoming": self.returned_incoming,
            "batched": self.batched,
            "sent": self.sent,
            "settled": self.settled,
            "returned": self.returned,
            "errors": list(self.errors),
        }


def clearing_cycle(
    *, now: dt.datetime | None = None, network: InterbankNetwork | None = None
) -> CycleReport:
    """One clearing cycle at ``now`` (incoming credits, batching, sending, outcomes).

    An entry point: each step commits on its own, and the network is called outside
    any transaction. A step that fails is logged and retried by the next cycle; nothing
    it did half is left (each change is one transaction)."""
    now = now or timezone.now()
    network = network or interbank_network()
    report = CycleReport()
    incoming_process(network=network, now=now, report=report)
    batch = batch_collect(now=now)
    if batch is not None:
        report.batched = batch.transfers.count()
    for ready in InterbankBatch.objects.filter(status=BatchStatus.READY).order_by("id"):
        _batch_send(ready, network=network, now=now, report=report)
    outcomes_poll(network=network, now=now, report=report)
    return report


def incoming_process(
    *, network: InterbankNetwork, now: dt.datetime, report: CycleReport | None = None
) -> CycleReport:
    """Record each credit the network delivers, then acknowledge it."""
    report = report or CycleReport()
    try:
        credits = network.incoming(now=now)
    except NetworkError as exc:
        report.errors.append(f"incoming: {exc}")
        return report
    for credit in credits:
        try:
            with transaction.atomic(durable=True):
                row, new = _incoming_record(credit=credit, now=now)
        except Exception as exc:  # one bad credit must not stop the others
            logger.exception("could not record incoming credit %s", credit.reference)
            report.errors.append(f"{credit.reference}: {exc}")
            continue
        credited = row.status == IncomingStatus.CREDITED
        if new:
            report.credited += credited
            report.returned_incoming += not credited
        try:
            network.incoming_ack(
                credit.reference, credited=credited, reason=row.return_reason, now=now
            )
        except NetworkError as exc:  # delivered again next cycle; recorded once
            report.errors.append(f"ack {credit.reference}: {exc}")
    return report


def batch_collect(*, now: dt.datetime) -> InterbankBatch | None:
    """Put the PENDIENTE orders that are in no batch (up to ``BATCH_MAX``) into a new
    batch; None when there are none. Orders locked by someone else (a return being
    made) are left for the next cycle."""
    with transaction.atomic(durable=True):
        ids = list(
            InterbankTransfer.objects.select_for_update(skip_locked=True)
            .filter(status=TransferStatus.PENDING, batch__isnull=True, created_at__lte=now)
            .order_by("id")
            .values_list("pk", flat=True)[:BATCH_MAX]
        )
        if not ids:
            return None
        batch = InterbankBatch.objects.create(created_at=now)
        InterbankTransfer.objects.filter(
            pk__in=ids, status=TransferStatus.PENDING, batch__isnull=True
        ).update(batch=batch)
        return batch


def _open_orders(transfers: Iterable[InterbankTransfer]) -> list[InterbankTransfer]:
    return [t for t in transfers if not t.is_final]


def _batch_send(
    batch: InterbankBatch,
    *,
    network: InterbankNetwork,
    now: dt.datetime,
    report: CycleReport,
    only: InterbankTransfer | None = None,
) -> bool:
    """Send the batch's open orders (or ``only`` one of them, a retry) and apply what the
    network answers; False when the network could not be reached. The batch counts as
    sent only when all its open orders went."""
    queryset = InterbankTransfer.objects.filter(batch=batch).select_related("member", "source")
    if only is not None:
        queryset = queryset.filter(pk=only.pk)
    transfers = _open_orders(queryset.order_by("id"))
    if not transfers:  # all settled or returned meanwhile: nothing to send
        if only is None:
            InterbankBatch.objects.filter(pk=batch.pk, status=BatchStatus.READY).update(
                status=BatchStatus.SENT, sent_at=now
            )
        return True
    try:
        results = network.send(Batch(batch.reference, [_order(t) for t in transfers]), now=now)
    except NetworkError as exc:
        logger.warning("batch %s not sent: %s", batch.reference, exc)
        report.errors.append(f"{batch.reference}: {exc}")
        InterbankBatch.objects.filter(pk=batch.pk).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:300]
        )
        return False
    ids = [t.pk for t in transfers]
    with transaction.atomic(durable=True):
        # The batch row first, then its orders: two workers sending one batch queue here.
        locked = InterbankBatch.objects.select_for_update().get(pk=batch.pk)
        if only is None:
            locked.status = BatchStatus.SENT
            locked.sent_at = now
            locked.last_error = ""
        locked.attempts += 1
        locked.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        report.sent += InterbankTransfer.objects.filter(
            pk__in=ids, status__in=[TransferStatus.PENDING, TransferStatus.SENT]
        ).update(status=TransferStatus.SENT, sent_at=now, attempts=F("attempts") + 1)
    by_reference = {t.reference: t for t in transfers}
    _results_apply(results, by_reference, now=now, report=report)
    return True


def outcomes_poll(
    *, network: InterbankNetwork, now: dt.datetime, report: CycleReport | None = None
) -> CycleReport:
    """Ask the network for the outcome of every ENVIADA order and apply each."""
    report = report or CycleReport()
    waiting = InterbankTransfer.objects.filter(status=TransferStatus.SENT).order_by("id")
    last_id = 0
    while True:
        chunk = list(waiting.filter(pk__gt=last_id)[:BATCH_MAX])
        if not chunk:
            return report
        last_id = chunk[-1].pk
        by_reference = {t.reference: t for t in chunk}
        try:
            results = network.status(list(by_reference), now=now)
        except NetworkError as exc:
            report.errors.append(f"status: {exc}")
            return report
        _results_apply(results, by_reference, now=now, report=report)


def _results_apply(
    results: Sequence[OrderResult],
    by_reference: dict[str, InterbankTransfer],
    *,
    now: dt.datetime,
    report: CycleReport,
) -> None:
    for result in results:
        transfer = by_reference.get(result.reference)
        if transfer is None or result.status not in (SETTLED, RETURNED):
            continue  # ACCEPTED: the cycle is still running; unknown: not ours to apply
        try:
            with transaction.atomic(durable=True):
                if result.status == SETTLED:
                    report.settled += _settle(transfer=transfer, now=now)[1]
                else:
                    reason = result.reason or "DEVUELTA POR LA RED"
                    _, done = _return(
                        transfer=transfer, reason=reason, now=now, by=None, request=None
                    )
                    report.returned += done
        except Exception as exc:  # the next cycle asks again
            logger.exception("could not apply %s to %s", result.status, result.reference)
            report.errors.append(f"{result.reference}: {exc}")


def interbank_transfer_retry(
    *,
    transfer: InterbankTransfer,
    by: Any,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
    network: InterbankNetwork | None = None,
) -> InterbankTransfer:
    """The back office's Reintentar: send an order atascada again, in its batch (the
    network answers a reference it knows with what it knows, so a transfer the network
    already took is not paid twice) and apply the answer. An entry point: the attempt
    is committed (and audited) before the network is called. Refused (``ProductError``)
    when the order is settled, returned, or not atascada (for instance because it was
    just retried)."""
    now = now or timezone.now()
    network = network or interbank_network()
    previous_sent_at = InterbankTransfer.objects.filter(pk=transfer.pk).values_list(
        "sent_at", flat=True
    )[0]
    with transaction.atomic(durable=True):
        marked = interbank_transfer_retry_mark(transfer=transfer, by=by, request=request, now=now)
    report = CycleReport()
    batch = InterbankBatch.objects.get(pk=marked.batch_id)
    if not _batch_send(batch, network=network, now=now, report=report, only=marked):
        # Nothing reached the network: the order is atascada as before, so Reintentar
        # can be pressed again (the audit row keeps the failed attempt).
        with transaction.atomic(durable=True):
            InterbankTransfer.objects.filter(pk=marked.pk, sent_at=now).update(
                sent_at=previous_sent_at
            )
        raise ProductError(
            f"No se pudo reenviar la transferencia N.º {marked.receipt_id}: "
            f"{report.errors[0]}. Sigue atascada: vuelve a intentarlo en unos minutos."
        )
    return InterbankTransfer.objects.get(pk=marked.pk)
