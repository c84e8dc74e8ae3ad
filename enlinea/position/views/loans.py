"""Créditos: the member's loans, a loan's detail and its amortization table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enlinea.members.selectors import member_for_request
from enlinea.products.selectors.loans import loan_for_member, loan_installments, loans_for_member

SECTION = "posicion-consolidada"


def rate_percent(annual_rate_bp: int) -> str:
    """Basis points as the manual shows a rate: 1560 -> ``15.60%`` (no float rounding)."""
    return f"{annual_rate_bp // 100}.{annual_rate_bp % 100:02d}%"


@login_required
@require_GET
def loan_list(request: HttpRequest) -> HttpResponse:
    member = member_for_request(request)
    loans = list(loans_for_member(member=member))
    return render(request, "position/loan_list.html", {"current_slug": SECTION, "loans": loans})


@login_required
@require_GET
def loan_detail(request: HttpRequest, number: str) -> HttpResponse:
    member = member_for_request(request)
    loan = loan_for_member(member=member, number=number)
    context = {"current_slug": SECTION, "loan": loan, "rate": rate_percent(loan.annual_rate_bp)}
    return render(request, "position/loan_detail.html", context)


@login_required
@require_GET
def loan_schedule(request: HttpRequest, number: str) -> HttpResponse:
    member = member_for_request(request)
    loan = loan_for_member(member=member, number=number)
    context = {
        "current_slug": SECTION,
        "loan": loan,
        "installments": list(loan_installments(loan=loan)),
    }
    return render(request, "position/loan_schedule.html", context)
