from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404

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


def member_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Member:
    """The member behind an online-banking user; 404 when the user is not one."""
    if not user.is_authenticated:
        raise Http404("No hay un socio para este usuario.")
    member = Member.objects.filter(user=user).first()
    if member is None:
        raise Http404("No hay un socio para este usuario.")
    return member
