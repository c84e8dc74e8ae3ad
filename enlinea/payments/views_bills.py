"""Pago de servicios (manual 5): the member's pages.

    /pago-servicios/pagar/                 Pagar servicios: Buscar categoría / servicio
                                           (?categoria=<id>&servicio=<text>), then the
                                           biller's form (?empresa=<code>, or
                                           ?guardado=<id> from Pagos frecuentes)
    /pago-servicios/frecuentes/            Pagos frecuentes (saved services)
    /pago-servicios/frecuentes/<id>/eliminar/  delete one (with a code)
    /pago-servicios/historial/             Historial de pagos

The payment form asks the biller for the bill (amount, due date, holder masked) when
the reference is posted; "Pagar" starts the ``bill_payment`` operation of the
confirmation flow (``confirmations_bills``) only when the member was shown the bill
the biller answers now, with the amount the biller answered (never a posted one).
Saved services are found through ``saved.saved_service_for_member``: another member's
id is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused, operation_start
from enlinea.confirmation.shortcuts import operation_begin
from enlinea.members.selectors import member_for_request
from enlinea.products.selectors.account_stats import local_midnight
from enlinea.products.selectors.accounts import accounts_for_member
from enlinea.security.ratelimit import rate_limited
from enlinea.transfers.forms import HistoryForm, account_label
from enlinea.web.templatetags.formato import fecha

from . import confirmations_bills as kinds
from .forms_bills import (
    BillPaymentForm,
    CatalogueSearchForm,
    SavedFilterForm,
    ScheduleForm,
    ScheduleServiceForm,
)
from .models import BillPayment, BillPaymentStatus, ScheduleRun, ScheduleRunStatus
from .saved import saved_service_for_member, saved_services_for_member
from .selectors import biller_categories, billers_search

BILLER_PARAM = "empresa"
SAVED_PARAM = "guardado"
HISTORY_MAX = 200
INQUIRY_GROUP = "bill-inquiry"
INQUIRY_RATE_SETTING = "PAYMENTS_RATE_INQUIRY"
INQUIRY_RATE_DEFAULT = "60/h"
MSG_BILLER_NOT_FOUND = "Esa empresa no está disponible para pagos."
MSG_REVIEW_BILL = "Revisa el valor de la factura y presiona Pagar."


def _back() -> str:
    return reverse("web:section", kwargs={"slug": "pago-servicios"})


def _biller(code: str) -> Any:
    biller = billers_search().filter(code=code).first() if code else None
    if biller is None:
        raise Http404(MSG_BILLER_NOT_FOUND)
    return biller


def _content(form: BillPaymentForm) -> dict[str, Any]:
    biller, data, bill = form.biller, form.cleaned_data, form.bill
    content: dict[str, Any] = {
        "biller": biller.pk,
        "biller_name": biller.name,
        "category": biller.category.name,
        "reference_label": biller.reference_label,
        "reference": data["reference"],
        "amount": form.amount,
        "bill_id": bill.bill_id if bill is not None else "",
        "holder": bill.holder_masked if bill is not None else "",
        "due_date": bill.due_date.isoformat() if bill is not None else "",
        "due_date_label": fecha(bill.due_date) if bill is not None else "",
        "source": form.source.number,
        "source_label": account_label(form.source, balance=False),
        "commission": form.fees.commission,
        "iva": form.fees.iva,
        "save": data["save"],
        "alias": data["alias"] if data["save"] else "",
    }
    return content


def _catalogue(request: HttpRequest) -> HttpResponse:
    """Step 1: Buscar categoría (Opcional) / Buscar servicio (Opcional) and the billers."""
    categories = list(biller_categories())
    form = CatalogueSearchForm(request.GET or None, categories=categories)
    status = 200
    if request.GET and not form.is_valid():
        status = 400
    category = form.category
    text = form.text
    billers = list(billers_search(category=category, text=text)) if status == 200 else []
    return render(
        request,
        "payments/bills/catalogue.html",
        {
            "form": form,
            "categories": categories,
            "category": category,
            "text": text,
            "billers": billers,
            "searched": bool(category or text),
            "back_url": _back(),
        },
        status=status,
    )


@login_required
def bill_pay(request: HttpRequest) -> HttpResponse:
    """Pagar servicios: the catalogue, then one biller's form."""
    member = member_for_request(request)
    source = request.POST if request.method == "POST" else request.GET
    initial: dict[str, Any] = {}
    if request.method == "GET" and SAVED_PARAM in request.GET:
        saved = saved_service_for_member(member=member, saved_id=request.GET[SAVED_PARAM])
        biller = saved.biller
        initial["reference"] = saved.reference
    elif BILLER_PARAM in source:
        biller = _biller(source.get(BILLER_PARAM, ""))
    else:
        return _catalogue(request)
    accounts = list(accounts_for_member(member=member))
    if len(accounts) == 1:
        initial["source"] = accounts[0].number
    posted = request.POST if request.method == "POST" else None
    # Each inquiry shows a holder's masked name: counted per member, like «Validar».
    limited = (
        posted is not None
        and not biller.is_topup
        and rate_limited(
            request,
            group=INQUIRY_GROUP,
            rate_setting=INQUIRY_RATE_SETTING,
            default=INQUIRY_RATE_DEFAULT,
            account=f"member:{member.pk}",
            user=request.user,
        )
    )
    form = BillPaymentForm(
        posted, biller=biller, accounts=accounts, initial=initial, limited=limited
    )
    status = 200
    if posted is not None:
        if form.ready:
            try:
                operation = operation_start(
                    member=member, kind=kinds.PAY, content=_content(form), request=request
                )
            except OperationRefused as exc:
                messages.error(request, str(exc))
            else:
                return redirect(operation_next_url(operation))
        elif form.is_valid():
            # The bill to review: the next "Pagar" posts its id back.
            bill = form.bill
            data = form.data.copy()
            data["bill"] = bill.bill_id if bill is not None else ""
            form = BillPaymentForm(data, biller=biller, accounts=accounts, inquire=False)
            form.is_valid()
            form.bill = bill
            messages.info(request, MSG_REVIEW_BILL)
        else:
            status = 429 if limited else 400
    return render(
        request,
        "payments/bills/pay.html",
        {
            "form": form,
            "biller": biller,
            "bill": form.bill,
            "biller_param": BILLER_PARAM,
            "empty": "" if accounts else "Necesitas una cuenta para pagar servicios.",
            "catalogue_url": reverse("payments:bill_pay"),
            "back_url": _back(),
        },
        status=status,
    )


@login_required
def bill_frequent(request: HttpRequest) -> HttpResponse:
    """Pagos frecuentes: the member's saved services, Filtrar por categoría and Buscar
    servicio (Opcional); each with "Pagar" (Pagar servicios filled in) and "Eliminar"."""
    member = member_for_request(request)
    categories = list(biller_categories())
    form = SavedFilterForm(request.GET or None, categories=categories)
    status = 400 if request.GET and not form.is_valid() else 200
    rows = list(saved_services_for_member(member=member, category=form.category, text=form.text))
    return render(
        request,
        "payments/bills/frequent.html",
        {
            "form": form,
            "rows": [
                {
                    "saved": s,
                    "pay_url": f"{reverse('payments:bill_pay')}?{SAVED_PARAM}={s.pk}",
                    "delete_url": reverse("payments:bill_saved_delete", kwargs={"pk": s.pk}),
                }
                for s in rows
                if s.biller.active
            ],
            "filtered": bool(form.category or form.text),
            "back_url": _back(),
            "pay_url": reverse("payments:bill_pay"),
        },
        status=status,
    )


@login_required
def bill_saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Eliminar a saved service (POST): the confirmation flow's Confirmar and code.
    Another member's id is a 404 whatever the method."""
    member = member_for_request(request)
    saved = saved_service_for_member(member=member, saved_id=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    label = saved.alias or saved.biller.name
    if saved.alias:
        label = f"{saved.alias} ({saved.biller.name})"
    try:
        operation = operation_start(
            member=member,
            kind=kinds.SAVED_DELETE,
            content={"saved": saved.pk, "label": label, "reference": saved.reference},
            request=request,
        )
    except OperationRefused as exc:
        messages.error(request, str(exc))
        return redirect("payments:bill_frequent")
    return redirect(operation_next_url(operation))


_STATE_NOTE = {
    BillPaymentStatus.CONFIRMED: "Pagado",
    BillPaymentStatus.PENDING: "En proceso",
    BillPaymentStatus.RETURNED: "Devuelto",
}


@login_required
def bill_history(request: HttpRequest) -> HttpResponse:
    """Historial de pagos: Mes anterior / Ayer / Hoy / Personalizado (30 days by
    default), each payment with its comprobante (and the return's, if returned)."""
    member = member_for_request(request)
    form = HistoryForm(request.GET or None)
    status = 200
    if request.GET and not form.is_valid():
        status = 400
        since, until = HistoryForm.default_range()
    else:
        since, until = form.range() if request.GET else HistoryForm.default_range()
    window = {
        "created_at__gte": local_midnight(since),
        "created_at__lt": local_midnight(until + dt.timedelta(days=1)),
    }
    payments = (
        BillPayment.objects.filter(member=member, **window)
        .select_related("biller__category", "receipt", "schedule_run")
        .order_by("-created_at", "-id")[:HISTORY_MAX]
    )
    rows = [
        {
            "number": p.receipt_id,
            "reference": p.reference,
            "channel": "Pago programado"
            if getattr(p, "schedule_run", None) is not None
            else p.receipt.get_channel_display(),
            "when": p.created_at,
            "biller": p.biller.name,
            "category": p.biller.category.name,
            "state": _STATE_NOTE.get(p.status, p.status),
            "reason": p.return_reason,
            "total": p.total,
            "receipt_url": reverse("receipts:detail", kwargs={"number": p.receipt_id}),
            "return_url": (
                reverse("receipts:detail", kwargs={"number": p.return_receipt_id})
                if p.return_receipt_id
                else ""
            ),
        }
        for p in payments
    ]
    # The scheduled payments that were not made, with the reason.
    not_paid = (
        ScheduleRun.objects.filter(
            schedule__member=member, status=ScheduleRunStatus.NOT_PAID, **window
        )
        .select_related("schedule__biller__category")
        .order_by("-created_at", "-id")[:HISTORY_MAX]
    )
    rows += [
        {
            "number": None,
            "reference": r.schedule.reference,
            "channel": "Pago programado",
            "when": r.created_at,
            "biller": r.schedule.biller.name,
            "category": r.schedule.biller.category.name,
            "state": "No pagado",
            "reason": r.reason,
            "total": r.amount,
            "receipt_url": "",
            "return_url": "",
        }
        for r in not_paid
    ]
    rows.sort(key=lambda row: row["when"], reverse=True)
    return render(
        request,
        "payments/bills/history.html",
        {"form": form, "since": since, "until": until, "rows": rows, "back_url": _back()},
        status=status,
    )


# ---------------------------------------------------------------- Programar pagos


def _schedule_content(form: Any) -> dict[str, Any]:
    data, biller = form.cleaned_data, form.biller
    return {
        "biller": biller.pk,
        "biller_name": biller.name,
        "category": biller.category.name,
        "reference_label": biller.reference_label,
        "reference": data["reference"],
        "source": form.source.number,
        "source_label": account_label(form.source, balance=False),
        "max_amount": data["max_amount"],
        "start_date": data["start_date"].isoformat(),
        "end_date": data["end_date"].isoformat() if data["end_date"] else "",
    }


@login_required
def bill_schedules(request: HttpRequest) -> HttpResponse:
    """Pagos programados: Referencia, Categoría, Servicio, Fecha programada, Monto
    máximo, Editar / Eliminar; and what the job did lately."""
    from .schedules import schedules_for_member

    member = member_for_request(request)
    schedules = list(schedules_for_member(member=member))
    return render(
        request,
        "payments/bills/schedules.html",
        {"schedules": schedules, "back_url": _back()},
    )


@login_required
def bill_schedule_new(request: HttpRequest) -> HttpResponse:
    """Programar nuevo pago: Categoría and Servicio (GET), then the schedule's form."""
    from .schedules import TERMS_TEXT, TERMS_VERSION

    member = member_for_request(request)
    categories = [c for c in biller_categories() if c.billers.filter(is_topup=False).exists()]
    code = request.POST.get(BILLER_PARAM) if request.method == "POST" else None
    step = ScheduleServiceForm(request.GET or None, categories=categories, billers=[])
    category = step.category
    billers = [b for b in billers_search(category=category) if not b.is_topup]
    step = ScheduleServiceForm(request.GET or None, categories=categories, billers=billers)
    biller = step.biller if code is None else _biller(code)
    if biller is None or biller.is_topup:
        if biller is not None:
            raise Http404(MSG_BILLER_NOT_FOUND)
        return render(
            request,
            "payments/bills/schedule_service.html",
            {"form": step, "back_url": reverse("payments:bill_schedules")},
            status=400 if request.GET and not step.is_valid() else 200,
        )
    accounts = list(accounts_for_member(member=member))
    posted = request.POST if request.method == "POST" else None
    form = ScheduleForm(posted, biller=biller, accounts=accounts, new=True)
    if posted is not None and form.is_valid():
        content = {**_schedule_content(form), "terms_version": TERMS_VERSION}
        started = operation_begin(request, member, kinds.SCHEDULE_CREATE, content)
        if started is not None:
            return started
    return render(
        request,
        "payments/bills/schedule_form.html",
        {
            "form": form,
            "biller": biller,
            "biller_param": BILLER_PARAM,
            "title": "Programar pagos",
            "terms_text": TERMS_TEXT,
            "back_url": reverse("payments:bill_schedules"),
        },
        status=400 if form.errors else 200,
    )


@login_required
def bill_schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Editar a schedule: the same form, with a code."""
    from .schedules import schedule_for_member

    member = member_for_request(request)
    schedule = schedule_for_member(member=member, schedule_id=pk)
    accounts = list(accounts_for_member(member=member))
    initial = {
        "source": schedule.source.number,
        "reference": schedule.reference,
        "max_amount": f"{schedule.max_amount / 100:.2f}",
        "start_date": schedule.start_date,
        "end_date": schedule.end_date,
        "indefinite": schedule.end_date is None,
    }
    posted = request.POST if request.method == "POST" else None
    form = ScheduleForm(
        posted, biller=schedule.biller, accounts=accounts, new=False, initial=initial
    )
    if posted is not None and form.is_valid():
        content = {**_schedule_content(form), "schedule": schedule.pk}
        started = operation_begin(request, member, kinds.SCHEDULE_UPDATE, content)
        if started is not None:
            return started
    return render(
        request,
        "payments/bills/schedule_form.html",
        {
            "form": form,
            "biller": schedule.biller,
            "title": "Editar pago programado",
            "back_url": reverse("payments:bill_schedules"),
        },
        status=400 if form.errors else 200,
    )


@login_required
def bill_schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Eliminar a schedule (POST), with a code; another member's id is a 404."""
    from .schedules import schedule_for_member

    member = member_for_request(request)
    schedule = schedule_for_member(member=member, schedule_id=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    content = {
        "schedule": schedule.pk,
        "biller": schedule.biller_id,
        "biller_name": schedule.biller.name,
        "category": schedule.biller.category.name,
        "reference_label": schedule.biller.reference_label,
        "reference": schedule.reference,
        "source": schedule.source.number,
        "source_label": account_label(schedule.source, balance=False),
        "max_amount": schedule.max_amount,
        "start_date": schedule.start_date.isoformat(),
        "end_date": schedule.end_date.isoformat() if schedule.end_date else "",
    }
    started = operation_begin(request, member, kinds.SCHEDULE_DELETE, content)
    return started or redirect("payments:bill_schedules")
