"""Bloquear / Desbloquear tarjeta and Aviso de viaje: the member's own controls on a card.

Each service runs in ``transaction.atomic()`` (a savepoint inside the confirmation
flow's transaction that spent the code, or inside the view's own for Bloquear, which
needs no code), locks the card's row first (``enlinea.products.locking.row_lock``,
step 4 of the lock order), checks its rules, writes the change, its audit row and the
member's e-mail (sent after COMMIT), and tells the card processor the card's controls
as they now stand (``card_controls_set``: the lock and every travel notice not over),
so the processor's state changes with the member's records or not at all.

The status of a card (ACTIVA / BLOQUEADA / INACTIVA) stays the institution's: a
temporary lock is the member's own ``locked_by_member``, which they lift themselves
with a security code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.notifications.services import member_notify
from enlinea.products.card_processor import card_processor, processor_card_ref
from enlinea.products.locking import row_lock
from enlinea.products.models import CardStatus
from enlinea.security.audit import audit_record
from enlinea.security.audit_kinds import audit_kind_register

from .countries import COUNTRY_NAMES, country_names
from .models import TravelNotice
from .selectors import Card, card_kind, card_label

AUDIT_LOCKED = audit_kind_register("card_locked", "Tarjeta bloqueada por el socio")
AUDIT_UNLOCKED = audit_kind_register("card_unlocked", "Tarjeta desbloqueada por el socio")
AUDIT_TRAVEL = audit_kind_register("card_travel_notice", "Aviso de viaje registrado")
AUDIT_TRAVEL_CANCELLED = audit_kind_register(
    "card_travel_notice_cancelled", "Aviso de viaje anulado"
)

NOTICE_LOCKED = "tarjeta_bloqueada"
NOTICE_UNLOCKED = "tarjeta_desbloqueada"
NOTICE_TRAVEL = "tarjeta_aviso_viaje"
NOTICE_TRAVEL_CANCELLED = "tarjeta_aviso_viaje_anulado"

MAX_TRIP_DAYS = 180  # counting the day of departure and the day of return
MAX_DAYS_AHEAD = 365
MAX_ACTIVE_NOTICES = 10

MSG_ALREADY_LOCKED = "Esta tarjeta ya está bloqueada temporalmente."
MSG_NOT_LOCKED = "Esta tarjeta no está bloqueada: no hay nada que desbloquear."
MSG_STARTS_PAST = "La fecha de salida no puede ser anterior a hoy."
MSG_ENDS_BEFORE = "La fecha de regreso debe ser igual o posterior a la fecha de salida."
MSG_TOO_LONG = f"El viaje puede durar hasta {MAX_TRIP_DAYS} días: revisa la fecha de regreso."
MSG_TOO_FAR = (
    f"La fecha de salida puede estar hasta {MAX_DAYS_AHEAD} días después de hoy: "
    "registra el aviso más cerca de tu viaje."
)
MSG_NO_COUNTRY = "Elige al menos un país que visitarás."
MSG_UNKNOWN_COUNTRY = "Elige los países de la lista."
MSG_TOO_MANY = (
    f"Esta tarjeta ya tiene {MAX_ACTIVE_NOTICES} avisos de viaje vigentes: anula uno "
    "antes de registrar otro."
)
MSG_NOTICE_OVER = "Ese aviso de viaje ya fue anulado o ya terminó."


def not_active_message(card: Card) -> str:
    return (
        f"Tu tarjeta está {card.get_status_display()}: para usarla o cambiarla llama a "
        "nuestro centro de llamadas."
    )


# ------------------------------------------------------------------------ reads


def travel_notices_current(*, card: Card, today: dt.date | None = None) -> list[TravelNotice]:
    """The card's travel notices not cancelled and not over yet, soonest first."""
    today = today or timezone.localdate()
    return list(
        TravelNotice.objects.filter(
            member_id=card.member_id,
            card_kind=card_kind(card),
            card_id=card.pk,
            cancelled_at__isnull=True,
            ends__gte=today,
        ).order_by("starts", "id")
    )


# ------------------------------------------------------------------------ helpers


def _controls_tell(card: Card) -> None:
    """The processor learns the card's controls as they now stand."""
    card_processor().card_controls_set(
        card=processor_card_ref(card),
        locked=card.locked_by_member,
        travel=[
            {"starts": n.starts.isoformat(), "ends": n.ends.isoformat(), "countries": n.countries}
            for n in travel_notices_current(card=card)
        ],
    )


def _card_detail(card: Card) -> dict[str, Any]:
    # Only the masked number ever: the audit row never holds a card number or a PIN.
    return {"card": card.masked_number, "card_kind": card_kind(card), "card_id": card.pk}


def _card_context(card: Card) -> dict[str, Any]:
    return {
        "card": card_label(card),
        "masked_number": card.masked_number,
        "last4": card.last4,
        "when": timezone.now(),
    }


def _audit(kind: str, card: Card, request: HttpRequest | None, **detail: Any) -> None:
    audit_record(kind=kind, request=request, member=card.member, **_card_detail(card), **detail)


def _set_lock(card: Card, locked: bool) -> None:
    card.locked_by_member = locked
    card.save(update_fields=["locked_by_member"])


# ------------------------------------------------------------------------ lock


def card_lock(*, card: Card, request: HttpRequest | None = None) -> Card:
    """Bloquear tarjeta: the member's temporary lock, at once (no code: a member in a
    hurry after a theft must not wait for an e-mail). Only an ACTIVA card not locked
    already; the processor refuses every purchase from now on."""
    with transaction.atomic():
        card = row_lock(card)
        if card.status != CardStatus.ACTIVE:
            raise ValidationError(not_active_message(card))
        if card.locked_by_member:
            raise ValidationError(MSG_ALREADY_LOCKED)
        _set_lock(card, True)
        _controls_tell(card)
        _audit(AUDIT_LOCKED, card, request)
        member_notify(member=card.member, kind=NOTICE_LOCKED, context=_card_context(card))
    return card


def card_unlock(*, card: Card, request: HttpRequest | None = None) -> Card:
    """Desbloquear tarjeta (after the member's security code): lifts the member's own
    lock; a card the institution blocked stays as the institution left it."""
    with transaction.atomic():
        card = row_lock(card)
        if not card.locked_by_member:
            raise ValidationError(MSG_NOT_LOCKED)
        _set_lock(card, False)
        _controls_tell(card)
        _audit(AUDIT_UNLOCKED, card, request)
        member_notify(member=card.member, kind=NOTICE_UNLOCKED, context=_card_context(card))
    return card


# ------------------------------------------------------------------------ travel


def travel_notice_clean(
    *, starts: dt.date | None, ends: dt.date | None, countries: list[str], today: dt.date
) -> list[str]:
    """The rules of an Aviso de viaje; returns the countries in the list's order.
    Raises a ``ValidationError`` by field (starts, ends, countries)."""
    errors: dict[str, str] = {}
    if starts is not None and starts < today:
        errors["starts"] = MSG_STARTS_PAST
    elif starts is not None and starts > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["starts"] = MSG_TOO_FAR
    if starts is not None and ends is not None:
        if ends < starts:
            errors["ends"] = MSG_ENDS_BEFORE
        elif (ends - starts).days + 1 > MAX_TRIP_DAYS:
            errors["ends"] = MSG_TOO_LONG
    codes = {str(code).upper() for code in countries}
    if not codes:
        errors["countries"] = MSG_NO_COUNTRY
    elif not codes <= set(COUNTRY_NAMES):
        errors["countries"] = MSG_UNKNOWN_COUNTRY
    if starts is None:
        errors.setdefault("starts", "Ingresa la fecha de salida.")
    if ends is None:
        errors.setdefault("ends", "Ingresa la fecha de regreso.")
    if errors:
        raise ValidationError(errors)
    return [code for code in COUNTRY_NAMES if code in codes]


def _travel_context(card: Card, notice: TravelNotice) -> dict[str, Any]:
    return {
        **_card_context(card),
        "starts": notice.starts,
        "ends": notice.ends,
        "countries": country_names(notice.countries),
    }


def travel_notice_add(
    *,
    card: Card,
    starts: dt.date,
    ends: dt.date,
    countries: list[str],
    request: HttpRequest | None = None,
) -> TravelNotice:
    """Aviso de viaje (after the member's security code): from ``starts`` to ``ends``
    (both days included) the processor accepts the card's purchases in ``countries``.
    Dates from today, at most ``MAX_TRIP_DAYS`` long, starting at most
    ``MAX_DAYS_AHEAD`` days ahead; countries from ``countries.COUNTRIES``; an ACTIVA
    card with fewer than ``MAX_ACTIVE_NOTICES`` current notices."""
    with transaction.atomic():
        card = row_lock(card)
        if card.status != CardStatus.ACTIVE:
            raise ValidationError(not_active_message(card))
        codes = travel_notice_clean(
            starts=starts, ends=ends, countries=countries, today=timezone.localdate()
        )
        if len(travel_notices_current(card=card)) >= MAX_ACTIVE_NOTICES:
            raise ValidationError(MSG_TOO_MANY)
        notice = TravelNotice.objects.create(
            member_id=card.member_id,
            card_kind=card_kind(card),
            card_id=card.pk,
            starts=starts,
            ends=ends,
            countries=codes,
        )
        _controls_tell(card)
        _audit(
            AUDIT_TRAVEL,
            card,
            request,
            notice=notice.pk,
            starts=starts.isoformat(),
            ends=ends.isoformat(),
            countries=codes,
        )
        member_notify(member=card.member, kind=NOTICE_TRAVEL, context=_travel_context(card, notice))
    return notice


def travel_notice_cancel(
    *, card: Card, notice: TravelNotice, request: HttpRequest | None = None
) -> TravelNotice:
    """Anular an Aviso de viaje of ``card`` (no code: it only narrows where the card
    may be used); the processor refuses purchases abroad it covered from now on."""
    with transaction.atomic():
        card = row_lock(card)
        notice = (
            TravelNotice.objects.select_for_update(of=("self",))
            .filter(pk=notice.pk, member_id=card.member_id, card_kind=card_kind(card))
            .filter(card_id=card.pk)
            .first()
        )
        if notice is None or notice.cancelled_at is not None:
            raise ValidationError(MSG_NOTICE_OVER)
        if notice.ends < timezone.localdate():
            raise ValidationError(MSG_NOTICE_OVER)
        notice.cancelled_at = timezone.now()
        notice.save(update_fields=["cancelled_at"])
        _controls_tell(card)
        _audit(AUDIT_TRAVEL_CANCELLED, card, request, notice=notice.pk)
        member_notify(
            member=card.member,
            kind=NOTICE_TRAVEL_CANCELLED,
            context=_travel_context(card, notice),
        )
    return notice
