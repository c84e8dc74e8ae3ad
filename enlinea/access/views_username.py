"""«¿Olvidaste tu usuario?»: cédula → security code → the username, by e-mail.

The rules (who gets a code, the decoy for everyone else) live in
``enlinea.access.reminder``; these views parse, rate-limit and render. Every cédula
walks the same pages with the same answers, so the pages never tell whether it
belongs to a member with online access.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from enlinea.access import reminder
from enlinea.access.forms_enrolment import IdentificationForm
from enlinea.access.forms_profile import CodeForm
from enlinea.access.views_profile import login_url, posted
from enlinea.access.views_recovery import PUBLIC_LAYOUT
from enlinea.access.views_recovery import _state as attempt_state
from enlinea.members.models import Member
from enlinea.security.codes import ChallengeError
from enlinea.security.ratelimit import MSG_RATE_LIMITED, code_rate_limited, rate_limited

ATTEMPT = "enlinea_username_reminder"
DONE = "enlinea_username_reminder_done"
TITLE = "¿Olvidaste tu usuario?"
RATE_LIMITED = 429


def _over_limits(request: HttpRequest, identification: str) -> bool:
    """Per client IP and per cédula, as password recovery's first step."""
    group = "username_reminder"
    if rate_limited(request, group=group, rate_setting="ACCESS_RATE_RECOVERY_IP"):
        return True
    return rate_limited(
        request, group=group, rate_setting="ACCESS_RATE_RECOVERY_IP", account=identification
    )


def _code_limited(request: HttpRequest, member: Member | None, identification: str) -> bool:
    """The codes' own limit; without a member its counter is per cédula instead, so
    the limit bites after as many tries either way."""
    if member is not None:
        return code_rate_limited(request, member)
    if rate_limited(
        request,
        group="code",
        rate_setting="ACCESS_RATE_CODE_IP",
        account=f"reminder:{identification}",
    ):
        return True
    return rate_limited(request, group="code", rate_setting="ACCESS_RATE_CODE_IP")


@never_cache
@require_http_methods(["GET", "POST"])
def username_remind(request: HttpRequest) -> HttpResponse:
    """Step 1: "Número de identificación"."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = IdentificationForm(posted(request))
    status = 200
    if request.method == "POST":
        request.session.pop(ATTEMPT, None)
        if not form.is_valid():
            status = 400
        else:
            identification = form.cleaned_data["identification"]
            member = reminder.reminder_member_find(identification=identification)
            if _over_limits(request, identification) or _code_limited(
                request, member, identification
            ):
                form.add_error(None, MSG_RATE_LIMITED)
                status = RATE_LIMITED
            else:
                request.session[ATTEMPT] = reminder.reminder_start(
                    identification=identification, member=member, request=request
                )
                return redirect("session:username_code")
    return render(
        request,
        "access/username/start.html",
        {"form": form, "title": TITLE, "login_url": login_url()},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def username_code(request: HttpRequest) -> HttpResponse:
    """Step 2: "Factor de seguridad"; the right code e-mails the username."""
    state = attempt_state(request, ATTEMPT)
    if state is None:
        return redirect("session:username_remind")
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            reminder.reminder_complete(state=state, code=form.cleaned_data["code"], request=request)
        except ChallengeError as exc:
            form.add_error("code", str(exc))
        else:
            request.session.pop(ATTEMPT, None)
            request.session[DONE] = True
            return redirect("session:username_done")
    return render(
        request,
        "access/profile/code.html",
        {
            "layout": PUBLIC_LAYOUT,
            "title": TITLE,
            "form": form,
            "expires_at": reminder.reminder_expires_at(state),
            "resend_url": reverse("session:username_resend"),
            "cancel_url": reverse("session:username_remind"),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_POST
def username_resend(request: HttpRequest) -> HttpResponse:
    """ "¿No te llegó el código? Reenviar"."""
    state = attempt_state(request, ATTEMPT)
    if state is None:
        return redirect("session:username_remind")
    member = reminder.reminder_member(state)
    if _code_limited(request, member, state["identification"]):
        messages.error(request, MSG_RATE_LIMITED)
    else:
        try:
            reminder.reminder_resend(state=state, request=request)
        except ChallengeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Te enviamos un nuevo código a tu correo y a tu celular.")
    return redirect("session:username_code")


@never_cache
def username_done(request: HttpRequest) -> HttpResponse:
    """ "Te enviamos tu usuario": the page never shows it."""
    if not request.session.pop(DONE, False):
        return redirect("session:username_remind")
    return render(request, "access/username/done.html", {"login_url": login_url()})
