"""Password recovery ("¿Olvidaste tu contraseña?") and "Bloquear mi acceso" without a session.

Recovery: cédula + usuario → ACCESS_RECOVERY_QUESTIONS security questions → security
code → new password, which also unlocks the access (the only way to). The attempt
lives in the session for RECOVERY_MAX_AGE, its counters in its RecoveryAttempt row.
The code step, and the self-block's, are the one confirmation flow's
(enlinea/confirmation; kinds in ``access/confirmations.py``): the code is bound to the
operation's token and to the attempt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from enlinea.access import confirmations, recovery
from enlinea.access.forms_profile import (
    NewPasswordForm,
    RecoveryAnswersForm,
    RecoveryStartForm,
)
from enlinea.access.views_profile import (
    login_url,
    posted,
)
from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused, operation_start
from enlinea.confirmation.views import operation_session_remember
from enlinea.members.models import Member
from enlinea.members.selectors import contact_cooling_off_message
from enlinea.security.codes import tries_left
from enlinea.security.ratelimit import MSG_RATE_LIMITED, rate_limited

RECOVERY = "enlinea_recovery"
RECOVERY_DONE = "enlinea_recovery_done"
# A recovery attempt (questions → code → new password) must finish within this time.
RECOVERY_MAX_AGE = timedelta(minutes=15)
PUBLIC_LAYOUT = "web/public.html"


def blocked(request: HttpRequest) -> HttpResponse:
    """Public: where the member lands once the access is blocked (every session ended)."""
    return render(
        request,
        "access/recovery/blocked.html",
        {"recover_url": reverse("profile:recover"), "login_url": login_url()},
    )


# ---------------------------------------------------------------- the attempt


def _state(request: HttpRequest, key: str) -> dict[str, Any] | None:
    state = request.session.get(key)
    if not state:
        return None
    started = datetime.fromisoformat(state["started"])
    if timezone.now() - started > RECOVERY_MAX_AGE:
        request.session.pop(key, None)
        messages.error(
            request, "El tiempo para completar el proceso terminó. Vuelve a empezar, por favor."
        )
        return None
    return state


def _state_member(state: dict[str, Any]) -> Member:
    return Member.objects.select_related("user").get(pk=state["member"], user__isnull=False)


def _new_state(member: Member, **extra: Any) -> dict[str, Any]:
    return {
        "member": member.pk,
        "started": timezone.now().isoformat(),
        **extra,
    }


def _find(
    request: HttpRequest, form: RecoveryStartForm, *, group: str
) -> tuple[Member | None, int]:
    """Step 1 of recovery and of the self-block: cédula + usuario, rate limited per IP
    and per cédula; any mismatch gets the same message."""
    if not form.is_valid():
        return None, 400
    identification = form.cleaned_data["identification"]
    limited = rate_limited(request, group=group, rate_setting="ACCESS_RATE_RECOVERY_IP")
    limited = limited or rate_limited(
        request, group=group, rate_setting="ACCESS_RATE_RECOVERY_IP", account=identification
    )
    if limited:
        form.add_error(None, MSG_RATE_LIMITED)
        return None, 429
    member = recovery.recovery_member_find(
        identification=identification, username=form.cleaned_data["username"]
    )
    if member is None:
        form.add_error(None, recovery.MSG_NO_MATCH)
        return None, 400
    return member, 200


# ---------------------------------------------------------------- recovery


def recover(request: HttpRequest) -> HttpResponse:
    """ "¿Olvidaste tu contraseña?" step 1: cédula and usuario."""
    form = RecoveryStartForm(posted(request))
    status = 200
    if request.method == "POST":
        request.session.pop(RECOVERY, None)
        member, status = _find(request, form, group="recovery")
        if member is not None and recovery.recovery_cooling_off(member=member, request=request):
            form.add_error(None, contact_cooling_off_message())
            status = 400
        elif member is not None:
            chosen = recovery.recovery_questions_pick(user=member.user)
            if chosen:
                request.session[RECOVERY] = _new_state(
                    member,
                    stage="questions",
                    questions=chosen,
                    attempt=recovery.recovery_attempt_start(member=member),
                )
                return redirect("profile:recover_questions")
            form.add_error(None, recovery.MSG_NOT_READY)
            status = 400
    return render(
        request,
        "access/recovery/start.html",
        {"form": form, "login_url": login_url()},
        status=status,
    )


def _answers_rate_limited(request: HttpRequest, member: Member) -> bool:
    """Every POST of answers counts, per client IP and per member (by cédula), whatever
    the attempt: starting over does not buy more guesses."""
    by_ip = rate_limited(
        request, group="recovery-answers", rate_setting="ACCESS_RATE_RECOVERY_ANSWERS_IP"
    )
    by_member = rate_limited(
        request,
        group="recovery-answers",
        rate_setting="ACCESS_RATE_RECOVERY_ANSWERS_MEMBER",
        account=member.identification,
    )
    return by_ip or by_member


def recover_questions(request: HttpRequest) -> HttpResponse:
    """Step 2: the member's security questions chosen for this attempt."""
    state = _state(request, RECOVERY)
    if state is None or state["stage"] != "questions":
        return redirect("profile:recover")
    member = _state_member(state)
    form = RecoveryAnswersForm(posted(request), questions=state["questions"])
    status = 200
    if request.method == "POST" and _answers_rate_limited(request, member):
        form.is_valid()
        form.add_error(None, MSG_RATE_LIMITED)
        status = 429
    elif request.method == "POST" and form.is_valid():
        # The count lives in the attempt's row, under a lock (never in the session).
        outcome = recovery.recovery_answers_check(
            member=member,
            token=state.get("attempt", ""),
            answers=form.cleaned_data,
            request=request,
        )
        if outcome.ok:
            try:
                operation = operation_start(
                    member=member,
                    kind=confirmations.RECOVERY,
                    content=recovery.recovery_code_content(token=state.get("attempt", "")),
                    request=request,
                )
            except OperationRefused as exc:
                form.add_error(None, str(exc))
            else:
                operation_session_remember(request, operation)
                state["stage"] = "code"
                request.session[RECOVERY] = state
                return redirect(operation_next_url(operation))
        elif outcome.ended:
            request.session.pop(RECOVERY, None)
            messages.error(
                request,
                recovery.MSG_ANSWERS_EXHAUSTED.format(n=settings.ACCESS_RECOVERY_MAX_ANSWER_TRIES),
            )
            return redirect("profile:recover")
        else:
            form.add_error(None, recovery.MSG_WRONG_ANSWERS.format(left=tries_left(outcome.left)))
    return render(
        request,
        "access/recovery/questions.html",
        {"form": form},
        status=400 if status == 200 and form.errors else status,
    )


def recover_password(request: HttpRequest) -> HttpResponse:
    """Step 4: the new password; it also unlocks a locked or self-blocked access."""
    state = _state(request, RECOVERY)
    if state is None or state["stage"] != "code":
        return redirect("profile:recover")
    member = _state_member(state)
    token = state.get("attempt", "")
    if not recovery.recovery_password_allowed(member=member, token=token):
        return redirect("profile:recover")  # its code was not validated, or it ended
    form = NewPasswordForm(posted(request), user=member.user)
    if request.method == "POST" and form.is_valid():
        request.session.pop(RECOVERY, None)
        try:
            recovery.recovery_complete(
                member=member,
                token=token,
                password=form.cleaned_data["password"],
                request=request,
            )
        except recovery.RecoveryError as exc:
            recovery.recovery_attempt_end(member=member, token=token)
            messages.error(request, str(exc))
            return redirect("profile:recover")
        request.session[RECOVERY_DONE] = True
        return redirect("profile:recover_done")
    return render(
        request,
        "access/recovery/password.html",
        {"form": form, "help_texts": password_validators_help_texts()},
        status=400 if form.errors else 200,
    )


def recover_done(request: HttpRequest) -> HttpResponse:
    if not request.session.pop(RECOVERY_DONE, False):
        return redirect("profile:recover")
    return render(request, "access/recovery/done.html", {"login_url": login_url()})


# ---------------------------------------------------------------- self-block


def recover_block(request: HttpRequest) -> HttpResponse:
    """ "Bloquear mi acceso" without logging in (the FAQ's fraud case): cédula + usuario,
    then a code sent to the member's e-mail and mobile, on the confirmation flow."""
    form = RecoveryStartForm(posted(request))
    status = 200
    if request.method == "POST":
        member, status = _find(request, form, group="recovery_block")
        if member is not None:
            try:
                operation = operation_start(
                    member=member, kind=confirmations.SELF_BLOCK, content={}, request=request
                )
            except OperationRefused as exc:
                form.add_error(None, str(exc))
                status = 429
            else:
                operation_session_remember(request, operation)
                return redirect(operation_next_url(operation))
    return render(request, "access/recovery/block_start.html", {"form": form}, status=status)
