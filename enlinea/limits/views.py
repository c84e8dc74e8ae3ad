"""Servicios > Personalización de cupos (manual 8): the member's cupos, the
cooperative's maximum and what remains today beside each; "Confirmar" sends the code
of the confirmation flow (kind in ``confirmations.py``), which sets them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused, operation_start
from enlinea.limits.confirmations import LIMITS_UPDATE
from enlinea.limits.forms import LimitsForm
from enlinea.limits.selectors import limits_for
from enlinea.members.selectors import member_for_request


@login_required
def limits_edit(request: HttpRequest) -> HttpResponse:
    member = member_for_request(request)
    limits = limits_for(member=member)
    form = LimitsForm(request.POST if request.method == "POST" else None, limits=limits)
    if request.method == "POST" and form.is_valid():
        try:
            operation = operation_start(
                member=member, kind=LIMITS_UPDATE, content=form.amounts, request=request
            )
        except OperationRefused as exc:
            messages.error(request, str(exc))
        else:
            return redirect(operation_next_url(operation))
    return render(
        request,
        "limits/edit.html",
        {"form": form, "limits": limits},
        status=400 if form.errors else 200,
    )
