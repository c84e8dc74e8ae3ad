"""Helpers for the Perfil and recovery tests: an enrolled member and their codes."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from enlinea.access import credentials
from enlinea.members.models import Member
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.notifications.models import Channel, Message

PASSWORD = "Progreso#2026"
NEW_PASSWORD = "Nueva#Clave77"
ANSWERS = {"comida": "encebollado", "deporte": "futbol", "ciudad": "cuenca"}


def enrolled_member(
    username: str = "andreslopez",
    *,
    answers: dict[str, str] | None = None,
    image: str = "delfin",
    **overrides: Any,
) -> Member:
    """A member who finished the first login: username, password, answers and image."""
    overrides.setdefault("email", f"{username}@example.com")
    member = member_create(**member_data(**overrides))
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    member.user = user
    member.save(update_fields=["user"])
    credentials.profile_for(user)
    credentials.answers_set(user=user, answers=answers or ANSWERS, minimum=1)
    credentials.image_set(user=user, image=image)
    return member


def last_code(member: Member) -> str:
    """The newest security code e-mailed to the member (read from the outbox)."""
    message = (
        Message.objects.filter(
            channel=Channel.EMAIL, recipient=member.email, kind="codigo_seguridad"
        )
        .order_by("-id")
        .first()
    )
    assert message is not None, "no code was sent"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def logged_in(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def text(response: Any) -> str:
    """The page's text, whitespace collapsed, for assertions on messages."""
    body = response.content.decode()
    return re.sub(r"\s+", " ", body)


def latest_operation(member: Member) -> Any:
    """The member's newest pending operation of the confirmation flow."""
    from enlinea.confirmation.models import PendingOperation

    operation = PendingOperation.objects.filter(member=member).order_by("-id").first()
    assert operation is not None, "no operation was started"
    return operation


def code_url(operation: Any) -> str:
    from django.urls import reverse

    return reverse("confirmation:code", kwargs={"token": operation.token})


def result_url(operation: Any) -> str:
    from django.urls import reverse

    return reverse("confirmation:result", kwargs={"token": operation.token})
