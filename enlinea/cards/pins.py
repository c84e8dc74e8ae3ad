"""Cambiar PIN and Generar PIN: the services (the rules a PIN follows are
``enlinea.products.pins``; the PIN is kept only as a salted hash on the card).

Cambiar PIN is two steps around the security code:

* ``pin_change_prepare`` (the form, before the code): checks "PIN actual" against the
  card's hash under the card's row lock — a wrong one is counted and committed at
  once, and at ``CARDS_PIN_MAX_FAILURES`` the PIN locks until Generar PIN —, checks the
  new PIN against the rules and returns its hash and a fingerprint of the PIN it
  replaces. Neither PIN is ever stored in clear: the pending operation carries the
  new PIN's hash only.
* ``pin_change_apply`` (the code validated): sets that hash, unless the card's PIN
  changed or locked meanwhile.

Generar PIN (``pin_generate``, the code validated) draws a new PIN and sets its hash at
once (the forgotten PIN stops working, a lock ends), and opens a one-time link
(``PinReveal``). The PIN is *derived* from the link's random token with the server's
key (``_pin_from_token``): the database keeps only the token's digest and the PIN's
hash, the e-mail only the link, so the PIN exists nowhere but on the page that shows
it, once, inside a session of the same member (``pin_reveal_open``). docs/security.md.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from enlinea.notifications.services import member_notify
from enlinea.products.locking import row_lock
from enlinea.products.models import CardStatus
from enlinea.products.pins import pin_problem
from enlinea.security.audit import audit_record
from enlinea.security.audit_kinds import audit_kind_register

from .models import PinReveal
from .selectors import Card, card_by_id_for_member, card_kind, card_label

AUDIT_PIN_WRONG = audit_kind_register("card_pin_wrong", "PIN actual incorrecto")
AUDIT_PIN_LOCKED = audit_kind_register("card_pin_locked", "PIN de tarjeta bloqueado")
AUDIT_PIN_CHANGED = audit_kind_register("card_pin_changed", "PIN de tarjeta cambiado")
AUDIT_PIN_GENERATED = audit_kind_register("card_pin_generated", "PIN de tarjeta generado")
AUDIT_PIN_REVEALED = audit_kind_register("card_pin_revealed", "PIN generado mostrado")

MSG_WRONG = "El PIN actual no es correcto. Te quedan {left} intento(s)."
MSG_LOCKED = (
    "El PIN de tu tarjeta está bloqueado por intentos fallidos. Usa «Generar PIN» para "
    "obtener uno nuevo."
)
MSG_NO_PIN = "Tu tarjeta aún no tiene PIN: usa «Generar PIN» para obtener uno."
MSG_SAME = "El nuevo PIN debe ser distinto del actual."
MSG_CARD_NOT_ACTIVE = "Tu tarjeta está {status}: no puedes cambiar su PIN en línea."
MSG_PIN_MOVED = "El PIN de tu tarjeta cambió después de que empezaste: vuelve a empezar."
MSG_LINK_INVALID = "Este enlace no es válido. Si generaste un PIN, abre el enlace de tu correo."
MSG_LINK_USED = (
    "Este enlace ya se usó: el PIN se muestra una sola vez. Si no lo recuerdas, genera uno "
    "nuevo con «Generar PIN»."
)
MSG_LINK_EXPIRED = "Este enlace venció. Genera un nuevo PIN con «Generar PIN»."
MSG_LINK_REPLACED = "Este PIN ya no es el de tu tarjeta. Genera uno nuevo con «Generar PIN»."

_PIN_SALT = "enlinea.cards.pin_reveal.pin"
_DIGEST_SALT = "enlinea.cards.pin_reveal.token"


class PinRefused(ValidationError):
    """A PIN step refused; ``field`` is where the form shows it ("" = the whole form)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _audit(kind: str, card: Card, request: Any, **detail: Any) -> None:
    audit_record(
        kind=kind,
        request=request,
        member=card.member,
        card=card_label(card),
        card_kind=card_kind(card),
        **detail,
    )


def pin_fingerprint(card: Card) -> str:
    """Names the card's current PIN hash without carrying it: a changed PIN changes it."""
    return hashlib.sha256(card.pin_hash.encode()).hexdigest()[:16]


def _card_usable(card: Card) -> None:
    if card.status != CardStatus.ACTIVE:
        raise PinRefused(MSG_CARD_NOT_ACTIVE.format(status=card.get_status_display()))


@dataclass(frozen=True)
class PreparedChange:
    new_hash: str
    replaces: str  # pin_fingerprint of the PIN it replaces


def pin_change_prepare(
    *, card: Card, current: str, new: str, request: Any = None
) -> PreparedChange:
    """Check "PIN actual" (counted) and the new PIN's rules; returns what the code confirms.

    Runs in its own transaction: the failure it counts must stay counted whatever the
    caller does next, so it is called outside any other (the form's view).
    """
    with transaction.atomic(durable=True):
        card = row_lock(card)
        _card_usable(card)
        if not card.pin_hash:
            raise PinRefused(MSG_NO_PIN)
        limit = settings.CARDS_PIN_MAX_FAILURES
        if card.pin_failures >= limit:
            raise PinRefused(MSG_LOCKED)
        if not check_password(current or "", card.pin_hash):
            card.pin_failures += 1
            type(card).objects.filter(pk=card.pk).update(pin_failures=card.pin_failures)
            _audit(AUDIT_PIN_WRONG, card, request, failures=card.pin_failures)
            if card.pin_failures >= limit:
                _audit(AUDIT_PIN_LOCKED, card, request)
                _notify(card, "tarjeta_pin_bloqueado", request)
                refusal = PinRefused(MSG_LOCKED)
            else:
                left = limit - card.pin_failures
                refusal = PinRefused(MSG_WRONG.format(left=left), field="current")
        else:
            refusal = None
            if card.pin_failures:
                type(card).objects.filter(pk=card.pk).update(pin_failures=0)
    if refusal is not None:  # after COMMIT: the failure stays counted
        raise refusal
    problem = pin_problem(new, birth_date=card.member.birth_date)
    if problem is not None:
        raise PinRefused(problem, field="new")
    if new == current:
        raise PinRefused(MSG_SAME, field="new")
    return PreparedChange(new_hash=make_password(new), replaces=pin_fingerprint(card))


def pin_change_apply(*, card: Card, new_hash: str, replaces: str, request: Any = None) -> None:
    """Set the PIN ``pin_change_prepare`` checked, once its code is right (inside the
    confirmation flow's transaction)."""
    with transaction.atomic():
        card = row_lock(card)
        _card_usable(card)
        if card.pin_failures >= settings.CARDS_PIN_MAX_FAILURES:
            raise PinRefused(MSG_LOCKED)
        if not constant_time_compare(pin_fingerprint(card), replaces):
            raise PinRefused(MSG_PIN_MOVED)
        type(card).objects.filter(pk=card.pk).update(pin_hash=new_hash, pin_failures=0)
        card.pin_hash, card.pin_failures = new_hash, 0
        _audit(AUDIT_PIN_CHANGED, card, request)
        _notify(card, "tarjeta_pin_cambiado", request)


# ------------------------------------------------------------------ Generar PIN


def _token_digest(token: str) -> str:
    return salted_hmac(_DIGEST_SALT, token, algorithm="sha256").hexdigest()


def _pin_from_token(token: str) -> str:
    digest = salted_hmac(_PIN_SALT, token, algorithm="sha256").digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10_000:04d}"


def _new_token(card: Card) -> tuple[str, str]:
    """A link token whose PIN follows every rule (about 3 in 4 draws do)."""
    while True:
        token = secrets.token_urlsafe(32)
        pin = _pin_from_token(token)
        if pin_problem(pin, birth_date=card.member.birth_date) is None:
            return token, pin


def pin_generate(*, card: Card, request: Any = None, link: Any = None) -> PinReveal:
    """A new PIN for a forgotten or locked one (the code validated): its hash is set at
    once, the lock ends, earlier unopened links die, and the member is e-mailed the
    one-time link. ``link(token)`` gives the link's absolute URL for the e-mail."""
    with transaction.atomic():
        card = row_lock(card)
        _card_usable(card)
        token, pin = _new_token(card)
        now = timezone.now()
        PinReveal.objects.filter(
            card_kind=card_kind(card), card_id=card.pk, opened_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        reveal = PinReveal.objects.create(
            member=card.member,
            card_kind=card_kind(card),
            card_id=card.pk,
            token_digest=_token_digest(token),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.CARDS_PIN_LINK_MINUTES),
        )
        pin_hash = make_password(pin)
        type(card).objects.filter(pk=card.pk).update(pin_hash=pin_hash, pin_failures=0)
        card.pin_hash, card.pin_failures = pin_hash, 0
        _audit(AUDIT_PIN_GENERATED, card, request, link_expires=reveal.expires_at.isoformat())
        _notify(
            card,
            "tarjeta_pin_generado",
            request,
            link=link(token) if link else token,
            expires=reveal.expires_at,
            minutes=settings.CARDS_PIN_LINK_MINUTES,
        )
    return reveal


def pin_reveal_find(*, member: Any, token: str) -> PinReveal | None:
    """The member's reveal of that token, or None (anyone else's reads as unknown)."""
    if not token or len(token) > 100:
        return None
    return PinReveal.objects.filter(member=member, token_digest=_token_digest(token)).first()


def pin_reveal_state(reveal: PinReveal | None) -> str:
    """ "" when the link can show its PIN, else the Spanish reason it cannot."""
    if reveal is None:
        return MSG_LINK_INVALID
    if reveal.opened_at is not None:
        return MSG_LINK_USED
    if reveal.expires_at <= timezone.now():
        return MSG_LINK_EXPIRED
    return ""


def pin_reveal_open(*, member: Any, token: str, request: Any = None) -> tuple[PinReveal, str]:
    """Open the link once: (the reveal, the PIN). Refused (PinRefused) when it is not
    the member's, was opened, expired, or the card's PIN changed since."""
    with transaction.atomic():
        reveal = pin_reveal_find(member=member, token=token)
        if reveal is not None:
            reveal = PinReveal.objects.select_for_update().get(pk=reveal.pk)
        problem = pin_reveal_state(reveal)
        if problem:
            raise PinRefused(problem)
        card = card_by_id_for_member(member=member, kind=reveal.card_kind, card_id=reveal.card_id)
        pin = _pin_from_token(token)
        reveal.opened_at = timezone.now()
        reveal.save(update_fields=["opened_at"])
        if not check_password(pin, card.pin_hash):
            raise_after = PinRefused(MSG_LINK_REPLACED)
        else:
            raise_after = None
            _audit(AUDIT_PIN_REVEALED, card, request)
    if raise_after is not None:  # the link is spent either way
        raise raise_after
    return reveal, pin


def _notify(card: Card, kind: str, request: Any, **context: Any) -> None:
    member_notify(
        member=card.member,
        kind=kind,
        context={"card": card_label(card), "when": timezone.now(), **context},
    )
