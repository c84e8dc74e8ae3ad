"""Inversiones: the member's pólizas and a póliza's detail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enlinea.members.selectors import member_for_request
from enlinea.position.views.loans import SECTION, rate_percent
from enlinea.products.selectors.investments import (
    investment_for_member,
    investment_total_at_maturity,
    investments_for_member,
)


@login_required
@require_GET
def investment_list(request: HttpRequest) -> HttpResponse:
    member = member_for_request(request)
    rows = [
        (inv, rate_percent(inv.annual_rate_bp)) for inv in investments_for_member(member=member)
    ]
    return render(request, "position/investment_list.html", {"current_slug": SECTION, "rows": rows})


@login_required
@require_GET
def investment_detail(request: HttpRequest, number: str) -> HttpResponse:
    member = member_for_request(request)
    investment = investment_for_member(member=member, number=number)
    context = {
        "current_slug": SECTION,
        "investment": investment,
        "rate": rate_percent(investment.annual_rate_bp),
        "total": investment_total_at_maturity(investment=investment),
    }
    return render(request, "position/investment_detail.html", context)
