from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone

from enlinea.members import validators
from enlinea.members.models import Member


def member_get_by_identification(*, identification_type: str, identification: str) -> Member | None:
    """The member with this identification, or ``None``.

    The input is normalized first, so "171430710-3" finds "1714307103"; a number that
    is not valid for its type cannot belong to anyone and gives ``None``.
    """
    try:
        normalized = validators.normalize_identification(identification_type, identification)
    except ValidationError:
        return None
    return Member.objects.filter(
        identification_type=identification_type, identification=normalized
    ).first()


def member_for_user(*, user: AbstractBaseUser | AnonymousUser | None) -> Member:
    """The member behind an online-banking user; 404 when the user is not one.

    Staff users, anonymous visitors and users whose member was removed all answer 404:
    a member page never shows anything to someone who is not a member.
    """
    if user is None or not user.is_authenticated:
        raise Http404("Esta página es solo para socios.")
    try:
        member = user.member  # type: ignore[union-attr]  # reverse one-to-one, cached on user
    except (ObjectDoesNotExist, AttributeError):
        member = None
    if member is None:
        raise Http404("Esta página es solo para socios.")
    return member


def member_for_request(request: HttpRequest) -> Member:
    """THE way a view finds the member behind a request (404 for anyone who is not one).

    Every member-facing view calls this and then passes the member to owner-scoped
    selectors (``enlinea.products.selectors``...), never looking objects up by id alone.
    """
    return member_for_user(user=getattr(request, "user", None))


MSG_CONTACT_COOLING_OFF = (
    "Por tu seguridad, tus datos de contacto cambiaron hace poco. Para continuar, llama al "
    "call center {call_center} o acércate a una agencia."
)


def member_contact_cooling_off_until(member: Member) -> datetime | None:
    """When the cooling-off after the member's last contact change ends (None: never began)."""
    hours = settings.MEMBERS_CONTACT_COOLING_OFF_HOURS
    if member.contact_changed_at is None or hours <= 0:
        return None
    return member.contact_changed_at + timedelta(hours=hours)


def member_contact_cooling_off(member: Member) -> bool:
    """True while the member's e-mail or mobile changed less than
    ``MEMBERS_CONTACT_COOLING_OFF_HOURS`` ago: Regístrate and password recovery, which
    send codes and credentials to that contact, refuse until then."""
    until = member_contact_cooling_off_until(member)
    return until is not None and timezone.now() < until


def contact_cooling_off_message() -> str:
    """The Spanish refusal, with the institution's call-center number."""
    return MSG_CONTACT_COOLING_OFF.format(call_center=settings.INSTITUTION["call_center"])
