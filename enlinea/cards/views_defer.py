"""Diferir consumos (manual 6): /tarjetas/credito/<reference>/diferir/.

One page, plain forms (no JavaScript needed): the card's header, its eligible purchases
with «Seleccionar», "Total a diferir" and "Plazo"; «Simular» shows the "Simulación de
diferido" on the same page with «Cerrar» (back to the choice, what was ticked kept)
and «Continuar», which starts the ``card_deferral`` operation and sends its code. The
card is read owner-scoped (``credit_card_for_member``: 404 for anyone else's, GET and
POST alike).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from enlinea.confirmation.shortcuts import operation_begin
from enlinea.members.selectors import member_for_request
from enlinea.money import format_cents
from enlinea.products.selectors.cards import credit_card_for_member

from . import confirmations_defer, deferrals
from .forms_defer import DeferForm
from .models import CardKind
from .selectors import card_label
from .views import SECTION

SIMULATE = "simular"
CONTINUE = "continuar"
CLOSE = "cerrar"
MSG_SIMULATION_CHANGED = (
    "Cambiaste los consumos o el plazo después de simular: revisa esta nueva simulación y "
    "presiona «Continuar»."
)


@login_required
@require_http_methods(["GET", "POST"])
def defer(request: HttpRequest, reference: str) -> HttpResponse:
    member = member_for_request(request)
    card = credit_card_for_member(member=member, reference=reference)
    policy = deferrals.deferral_policy()
    purchases = list(deferrals.eligible_purchases(card=card, policy=policy))
    terms = deferrals.allowed_terms(policy)
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("accion", SIMULATE) if posted is not None else ""
    form = DeferForm(posted if action != CLOSE else None, purchases=purchases, terms=terms)
    simulation = None
    notice = ""
    if posted is not None and action != CLOSE and form.is_valid():
        chosen = form.selected()
        months = form.cleaned_data["plazo"]
        simulation = deferrals.deferral_simulate(
            card=card, amount=sum(p.amount for p in chosen), months=months
        )
        if action == CONTINUE:
            if form.cleaned_data.get("cuota") == simulation.installment:
                started = operation_begin(
                    request,
                    member,
                    confirmations_defer.DEFER,
                    {
                        "card_kind": CardKind.CREDIT,
                        "card_id": card.pk,
                        "card_label": card_label(card),
                        "purchases": [p.pk for p in chosen],
                        "months": months,
                        "amount": simulation.amount,
                        "installment": simulation.installment,
                        "first_interest": simulation.first_interest,
                        "total_interest": simulation.total_interest,
                        "rate_bp": card.deferral_rate_bp,
                    },
                    send_code=True,  # the simulation was the Confirmar step
                )
                if started is not None:
                    return started
            else:
                notice = MSG_SIMULATION_CHANGED
    ticked = form.ticked_ids() if posted is not None else set()
    if action == CLOSE:
        ticked = {int(pk) for pk in request.POST.getlist("consumos") if pk.isdigit()}
    total = sum(p.amount for p in purchases if p.pk in ticked)
    context = {
        "current_slug": SECTION,
        "card": card,
        "reference": reference,
        "form": form,
        "rows": [{"purchase": p, "ticked": p.pk in ticked} for p in purchases],
        "total": total,
        "terms": terms,
        "chosen_term": request.POST.get("plazo", "") if posted is not None else "",
        "minimum": format_cents(policy.minimum_amount),
        "simulation": simulation,
        "simulation_rows": None
        if simulation is None
        else confirmations_defer.simulation_rows(
            amount=simulation.amount,
            months=simulation.months,
            first_interest=simulation.first_interest,
            installment=simulation.installment,
            total_interest=simulation.total_interest,
        ),
        "rate": deferrals.rate_label(card.deferral_rate_bp),
        "first_cut": deferrals.next_cut_date(card=card),
        "notice": notice,
        "back_url": reverse("cards:credit_list"),
        "action_url": reverse("cards:defer", kwargs={"reference": reference}),
    }
    return render(request, "cards/defer/defer.html", context, status=400 if form.errors else 200)
