"""The confirmation flow's pages, one set for every operation kind.

    /operaciones/<token>/            "Confirmar" page (every detail), POST sends the code
    /operaciones/<token>/codigo/     "Factor de seguridad": POST validates and executes
    /operaciones/<token>/reenviar/   POST "Reenviar"
    /operaciones/<token>/resultado/  the result (receipt), or why it was refused

Each page finds the operation through ``operation_for_member`` (another member's token
is a 404) and sends the member on to the step the operation is at, so a refresh, the
Back button or a second tab always lands on the right page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from enlinea.confirmation import services
from enlinea.confirmation.forms import CodeForm
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, kind_get
from enlinea.confirmation.selectors import (
    SESSION_OPERATIONS,
    code_step,
    operation_for_member,
    operation_for_session,
    operation_next_url,
)
from enlinea.members.selectors import member_for_request
from enlinea.security.codes import ChallengeError

Status = PendingOperation.Status

MSG_RESENT = "Te enviamos un nuevo código a tu correo y a tu celular."
MSG_ALREADY_DONE = "Esta operación ya se había realizado; no se realizó de nuevo."
RATE_LIMITED = 429


# Public operations a session keeps at most (the oldest are forgotten first).
SESSION_OPERATIONS_MAX = 10


def operation_session_remember(request: HttpRequest, operation: PendingOperation) -> None:
    """Let this browser session reach a public kind's operation (no login)."""
    tokens = [t for t in request.session.get(SESSION_OPERATIONS, []) if t != operation.token]
    request.session[SESSION_OPERATIONS] = [*tokens, operation.token][-SESSION_OPERATIONS_MAX:]


def _owned(request: HttpRequest, token: str) -> PendingOperation | None:
    """The operation behind the token for this request, the one way it is found.

    A logged-in member reaches their own operations; a browser session reaches the
    public ones it started. Anyone else's token is a 404 (None: not logged in, so
    the login comes first, saying nothing about the token).
    """
    public = operation_for_session(session=request.session, token=token)
    if public is not None:
        return public
    if not request.user.is_authenticated:
        return None
    return operation_for_member(member=member_for_request(request), token=token)


def _load(
    request: HttpRequest, token: str, methods: tuple[str, ...]
) -> tuple[PendingOperation, OperationKind] | HttpResponse:
    """The operation (404 for anyone else's token whatever the method: the owner check
    comes first) brought up to date; or the response to give instead (the login, a
    405 for a method not allowed)."""
    operation = _owned(request, token)
    if operation is None:
        return redirect_to_login(request.get_full_path())
    if request.method not in methods:
        return HttpResponseNotAllowed(methods)
    operation = services.operation_refresh(operation=operation, request=request)
    return operation, kind_get(operation.kind)


def _expired(
    request: HttpRequest, operation: PendingOperation, kind: OperationKind
) -> HttpResponse:
    return render(
        request,
        "confirmation/expired.html",
        {
            "layout": kind.layout,
            "title": kind.title,
            "message": services.MSG_EXPIRED,
            "again_url": kind.start_url(operation),
        },
    )


def operation_page(request: HttpRequest, token: str) -> HttpResponse:
    """ "Confirmar": every detail of the operation; the button sends its code."""
    loaded = _load(request, token, ("GET", "POST"))
    if isinstance(loaded, HttpResponse):
        return loaded
    operation, kind = loaded
    if operation.status == Status.EXPIRED:
        return _expired(request, operation, kind)
    if operation.status != Status.PENDING or operation.challenge_id or kind.details is None:
        return redirect(operation_next_url(operation))
    error = ""
    status = 200
    if request.method == "POST":
        try:
            operation = services.operation_code_send(operation=operation, request=request)
        except services.OperationRefused as exc:
            error = str(exc)
            status = RATE_LIMITED if exc.code == "rate_limited" else 400
        else:
            if operation.status == Status.EXPIRED:
                return _expired(request, operation, kind)
            return redirect(operation_next_url(operation))
    return render(
        request,
        "confirmation/confirm.html",
        {
            "layout": kind.layout,
            "title": kind.confirm_title,
            "heading": kind.title,
            "details": kind.details(operation),
            "error": error,
            "back_url": kind.start_url(operation),
            "confirm_label": kind.confirm_label,
        },
        status=status,
    )


def _code_page(
    request: HttpRequest, operation: PendingOperation, kind: OperationKind, form: CodeForm
) -> HttpResponse:
    context: dict[str, Any] = {
        "layout": kind.layout,
        "title": kind.title,
        "form": form,
        "action": reverse("confirmation:code", kwargs={"token": operation.token}),
        "resend_url": reverse("confirmation:resend", kwargs={"token": operation.token}),
        "cancel_url": kind.start_url(operation),
        **code_step(operation.challenge, operation.member).as_context(),
    }
    if kind.code_intro is not None:
        context["intro"], context["intro_url"], context["intro_label"] = kind.code_intro(operation)
    # A refused code answers 400, as every form with an error on this site does.
    return render(request, "confirmation/code.html", context, status=400 if form.errors else 200)


def operation_code(request: HttpRequest, token: str) -> HttpResponse:
    """ "Factor de seguridad": "Validar" checks the code and executes the operation."""
    loaded = _load(request, token, ("GET", "POST"))
    if isinstance(loaded, HttpResponse):
        return loaded
    operation, kind = loaded
    if operation.status == Status.EXPIRED:
        return _expired(request, operation, kind)
    if operation.status != Status.PENDING:
        if request.method == "POST" and operation.status == Status.DONE:
            messages.info(request, MSG_ALREADY_DONE)  # a second click, another tab
        return redirect(operation_next_url(operation))
    if not operation.challenge_id:
        return redirect(operation_next_url(operation))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            operation, executed = services.operation_confirm(
                operation=operation, code=form.cleaned_data["code"], request=request
            )
        except ChallengeError as exc:
            form.add_error("code", str(exc))
        except services.OperationRefused:
            return redirect(operation_next_url(operation))
        else:
            if operation.status == Status.EXPIRED:
                return _expired(request, operation, kind)
            if not executed and operation.status == Status.DONE:
                messages.info(request, MSG_ALREADY_DONE)
            response = redirect(operation_next_url(operation))
            if executed and operation.status == Status.DONE and kind.respond is not None:
                response = kind.respond(operation, request, response)
            return response
    return _code_page(request, operation, kind, form)


def operation_resend(request: HttpRequest, token: str) -> HttpResponse:
    """ "¿No te llegó el código? Reenviar" (a POST)."""
    loaded = _load(request, token, ("POST",))
    if isinstance(loaded, HttpResponse):
        return loaded
    operation, kind = loaded
    if operation.status == Status.EXPIRED:
        return _expired(request, operation, kind)
    if operation.status != Status.PENDING or not operation.challenge_id:
        return redirect(operation_next_url(operation))
    try:
        services.operation_code_resend(operation=operation, request=request)
    except (ChallengeError, services.OperationRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, MSG_RESENT)
    return redirect("confirmation:code", token=operation.token)


def operation_result(request: HttpRequest, token: str) -> HttpResponse:
    """The result: the kind's success page (for money, the receipt) or why it failed.

    It stays: a refresh, or the same link later, shows the same result.
    """
    loaded = _load(request, token, ("GET", "HEAD"))
    if isinstance(loaded, HttpResponse):
        return loaded
    operation, kind = loaded
    if operation.status == Status.EXPIRED:
        return _expired(request, operation, kind)
    if operation.status == Status.PENDING:
        return redirect(operation_next_url(operation))
    if operation.status == Status.FAILED:
        return render(
            request,
            "confirmation/failed.html",
            {
                "layout": kind.layout,
                "title": kind.title,
                "message": operation.failure_message,
                "again_url": kind.start_url(operation),
            },
        )
    context: dict[str, Any] = {
        "layout": kind.layout,
        "back_url": kind.start_url(operation),
        "back_label": "Cerrar",
        "operation": operation,
    }
    context.update(kind.result(operation))
    return render(request, kind.result_template, context)
