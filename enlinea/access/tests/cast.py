"""The cast for the access tests: members built through the real services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from enlinea.members.models import Member
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data

PASSWORD = "Progreso#2026"


def online_member(username: str = "andreslopez", **overrides: Any) -> Member:
    """A member enrolled for online banking (with a user and a finished profile)."""
    from enlinea.access.credentials import profile_for

    member = member_create(**member_data(**overrides))
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    member.user = user
    member.save(update_fields=["user"])
    profile_for(user)
    return member


def support_staff(username: str = "soporte1") -> Any:
    """Staff with the Soporte role, as the back office gives it (``roles_ensure``)."""
    from enlinea.products.roles import SUPPORT, roles_ensure

    user = get_user_model().objects.create_user(
        username=username, password="x-Soporte-2026", is_staff=True
    )
    user.groups.add(roles_ensure()[SUPPORT])
    return user
