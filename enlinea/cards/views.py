"""Tarjeta de débito / Tarjetas de crédito: the member's cards with "Más opciones"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from enlinea.members.selectors import member_for_request

from .models import CardKind
from .selectors import card_rows

SECTION = "tarjetas"


def section_url() -> str:
    return reverse("web:section", kwargs={"slug": SECTION})


def list_url(kind: str) -> str:
    return reverse("cards:credit_list" if kind == CardKind.CREDIT else "cards:debit_list")


@login_required
@require_GET
def card_list(request: HttpRequest, kind: str) -> HttpResponse:
    member = member_for_request(request)
    title = "Tarjetas de crédito" if kind == CardKind.CREDIT else "Tarjetas de débito"
    return render(
        request,
        "cards/list.html",
        {
            "current_slug": SECTION,
            "title": title,
            "credit": kind == CardKind.CREDIT,
            "rows": card_rows(member=member, kind=kind),
            "back_url": section_url(),
        },
    )
