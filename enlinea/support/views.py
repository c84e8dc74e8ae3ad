"""Soporte: centro de llamadas, quejas y reclamos, preguntas frecuentes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from enlinea.security.ratelimit import MSG_RATE_LIMITED, rate_limited
from enlinea.support.forms import ComplaintForm
from enlinea.support.selectors import (
    complaint_for_member,
    complaints_for_member,
    member_for_user,
)
from enlinea.support.services import complaint_file

# "count/period" as django-ratelimit reads it; the setting is optional.
COMPLAINT_RATE_SETTING = "SUPPORT_RATE_COMPLAINT_MEMBER"
COMPLAINT_RATE_DEFAULT = "5/h"


def _tel(number: str) -> str:
    """``tel:`` target: digits only (and a leading +)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return ("+" if number.strip().startswith("+") else "") + digits


def _call_center() -> dict[str, str]:
    number = settings.INSTITUTION["call_center"]
    return {
        "number": number,
        "tel": _tel(number),
        "hours": settings.SUPPORT_CALL_CENTER_HOURS,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The Centro de llamadas also opens as a dialog here (with JavaScript).
    return render(request, "support/home.html", {"current_slug": "perfil", **_call_center()})


@login_required
def call_center(request: HttpRequest) -> HttpResponse:
    return render(request, "support/call_center.html", {"current_slug": "perfil", **_call_center()})


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    form = ComplaintForm(request.POST or None, request.FILES or None, member=member)
    status = 200
    if request.method == "POST" and form.is_valid():
        if rate_limited(
            request,
            group="support-complaint",
            rate_setting=COMPLAINT_RATE_SETTING,
            default=COMPLAINT_RATE_DEFAULT,
            account=request.user.get_username(),
        ):
            form.add_error(None, MSG_RATE_LIMITED)
            status = 429
        else:
            try:
                complaint = complaint_file(member=member, request=request, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("support:complaint_sent", complaint_id=complaint.pk)
    context = {
        "current_slug": "perfil",
        "form": form,
        # A browser cannot keep a chosen file across a page with errors: say so.
        "attachment_lost": bool(form.errors and request.FILES.get("attachment")),
    }
    return render(request, "support/complaint_form.html", context, status=status)


@login_required
def complaint_sent(request: HttpRequest, complaint_id: int) -> HttpResponse:
    member = member_for_user(request.user)
    complaint = complaint_for_member(member=member, complaint_id=complaint_id)
    return render(
        request,
        "support/complaint_sent.html",
        {"current_slug": "perfil", "complaint": complaint},
    )


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    return render(
        request,
        "support/complaint_list.html",
        {"current_slug": "perfil", "complaints": complaints_for_member(member=member)},
    )


@login_required
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    member = member_for_user(request.user)
    complaint = complaint_for_member(member=member, complaint_id=complaint_id)
    return render(
        request,
        "support/complaint_detail.html",
        {
            "current_slug": "perfil",
            "complaint": complaint,
            "events": complaint.events.all(),
        },
    )


def _url_or_none(name: str) -> str | None:
    """Pages other engineers build (Perfil, Bloquear mi acceso…) may not exist yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def faq(request: HttpRequest) -> HttpResponse:
    """Public: reachable from the login page as well as from Perfil, Soporte."""
    logged_in = request.user.is_authenticated
    idle = int(settings.ACCESS_IDLE_TIMEOUT_SECONDS)
    context = {
        "current_slug": "perfil",
        "layout": "web/member.html" if logged_in else "web/public.html",
        "logged_in": logged_in,
        "login_url": resolve_url(settings.LOGIN_URL),
        "tel": _call_center()["tel"],
        "block_url": _url_or_none("profile:block"),
        "recover_url": _url_or_none("profile:recover"),
        "max_failed_logins": settings.ACCESS_MAX_FAILED_LOGINS,
        "temp_hours": settings.ACCESS_TEMP_CREDENTIALS_HOURS,
        "code_minutes": max(1, int(settings.ACCESS_CODE_TTL_SECONDS) // 60),
        "code_resends": settings.ACCESS_CODE_MAX_RESENDS,
        "code_tries": settings.ACCESS_CODE_MAX_TRIES,
        "idle_minutes": max(1, idle // 60),
        "questions_min": settings.ACCESS_QUESTIONS_MIN_SETUP,
        "recovery_questions": settings.ACCESS_RECOVERY_QUESTIONS,
        "max_attachment_mb": settings.SUPPORT_MAX_ATTACHMENT_MB,
    }
    return render(request, "support/faq.html", context)
