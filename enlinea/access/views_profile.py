"""Perfil pages (manual "1 PERFIL") and "Bloquear mi acceso" from inside the session.

Every Perfil change follows the manual's three steps: the form ("Confirmar"), the
"Factor de seguridad" dialog ("Validar"), the success message ("Cerrar"). A valid
form starts a pending operation of the one confirmation flow (enlinea/confirmation,
kinds in ``access/confirmations.py``) — only hashes of secrets are kept — whose code
is bound to its token and content; the code, the change and its result are the
flow's pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse

from enlinea.access import confirmations, credentials, devices, policy, recovery
from enlinea.access.catalog import ConsentDocument
from enlinea.access.forms_profile import (
    MSG_WRONG_CURRENT_LAST,
    CurrentPasswordForm,
    DeviceRemoveForm,
    ImageForm,
    PasswordChangeForm,
    QuestionsForm,
    UsernameForm,
)
from enlinea.access.models import Consent
from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused, operation_start
from enlinea.members.models import Member
from enlinea.members.selectors import member_for_request

MEMBER_LAYOUT = "web/member.html"


def login_url() -> str:
    try:
        return reverse("session:login")
    except NoReverseMatch:  # the login pages are built in their own module
        return reverse(settings.LOGIN_URL)


def _member(request: HttpRequest) -> Member:
    """The logged-in user's member; staff without one have no Perfil (404)."""
    return member_for_request(request)


def posted(request: HttpRequest) -> Any:
    """The POST data for a bound form (even when empty), None on GET."""
    return request.POST if request.method == "POST" else None


# ---------------------------------------------------------------- Perfil changes


def _change_start(request: HttpRequest, kind: str, content: dict[str, Any]) -> HttpResponse:
    """After the form's button: open the change as a pending operation of the
    confirmation flow (its code is sent at once) and go to its code step."""
    try:
        operation = operation_start(
            member=_member(request), kind=kind, content=content, request=request
        )
    except OperationRefused as exc:
        messages.error(request, str(exc))
        return redirect(request.path)  # the form, which shows the message
    return redirect(operation_next_url(operation))


# ---------------------------------------------------------------- the forms


@login_required
def questions(request: HttpRequest) -> HttpResponse:
    """ "Actualizar preguntas de seguridad": edit answers or answer more questions."""
    _member(request)
    answered = credentials.answered_questions(user=request.user)
    form = QuestionsForm(posted(request), answered=answered)
    if request.method == "POST" and form.is_valid():
        hashes = {
            question: make_password(answer) for question, answer in form.cleaned_answers.items()
        }
        return _change_start(request, confirmations.QUESTIONS, {"answers": hashes})
    rows = [(form[name], name in form.answered) for name in form.fields]
    return render(
        request,
        "access/profile/questions.html",
        {
            "form": form,
            "rows": rows,
            "help_texts": policy.answer_help_texts(settings.ACCESS_QUESTIONS_MIN_UPDATE),
        },
        status=400 if form.errors else 200,
    )


@login_required
def image(request: HttpRequest) -> HttpResponse:
    """ "Cambio de imagen de seguridad": pick one of the 10 images, "Validar"."""
    _member(request)
    current = credentials.profile_for(request.user).security_image
    form = ImageForm(posted(request), current=current, initial={"image": current})
    if request.method == "POST" and form.is_valid():
        return _change_start(request, confirmations.IMAGE, {"image": form.cleaned_data["image"]})
    return render(
        request,
        "access/profile/image.html",
        {"form": form, "field": form["image"]},
        status=400 if form.errors else 200,
    )


def _wrong_current_password(request: HttpRequest, form: Any) -> HttpResponse | None:
    """A wrong current password counts as a failed login (an attacker holding the
    session must not get unlimited guesses); at the limit the access locks and every
    session ends. Returns a response when the session just ended."""
    left = credentials.login_failure_record(user=request.user, request=request)
    if left == 0:
        recovery.sessions_end(user=request.user)
        logout(request)
        return redirect("profile:blocked")
    if left == 1:
        form.errors["current"] = form.error_class([MSG_WRONG_CURRENT_LAST])
    return None


@login_required
def password(request: HttpRequest) -> HttpResponse:
    """ "Actualizar contraseña": current, new and its confirmation, then the code."""
    _member(request)
    form = PasswordChangeForm(posted(request), user=request.user)
    if request.method == "POST":
        if form.is_valid():
            credentials.login_success_record(user=request.user)
            encoded = make_password(form.cleaned_data["password"])
            return _change_start(request, confirmations.PASSWORD_CHANGE, {"password": encoded})
        if form.current_wrong:
            ended = _wrong_current_password(request, form)
            if ended is not None:
                return ended
    return render(
        request,
        "access/profile/password.html",
        {"form": form, "help_texts": password_validators_help_texts()},
        status=400 if form.errors else 200,
    )


@login_required
def username(request: HttpRequest) -> HttpResponse:
    """ "Personaliza tu nombre de usuario"."""
    _member(request)
    form = UsernameForm(posted(request), user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        return _change_start(
            request, confirmations.USERNAME, {"username": form.cleaned_data["username"]}
        )
    status = 400 if form.errors else 200
    if form.is_bound and form.has_error("username", code="rate_limited"):
        status = 429
    return render(
        request,
        "access/profile/username.html",
        {"form": form, "help_texts": policy.username_help_texts()},
        status=status,
    )


@login_required
def devices_list(request: HttpRequest) -> HttpResponse:
    _member(request)
    this = devices.device_for_request(user=request.user, request=request)
    return render(
        request,
        "access/profile/devices.html",
        {
            "devices": devices.devices_for_user(user=request.user),
            "this_device_id": this.pk if this is not None else None,
        },
    )


@login_required
def device_detail(request: HttpRequest, device_id: int) -> HttpResponse:
    _member(request)
    device = devices.device_for_user(user=request.user, device_id=device_id)
    return render(request, "access/profile/device_detail.html", {"device": device})


@login_required
def device_remove(request: HttpRequest, device_id: int) -> HttpResponse:
    """ "Eliminar": a Motivo, "Sí, eliminar", then the code."""
    _member(request)
    device = devices.device_for_user(user=request.user, device_id=device_id)
    form = DeviceRemoveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = {"device": device.pk, "reason": form.cleaned_data["reason"].strip()}
        return _change_start(request, confirmations.DEVICE_REMOVE, data)
    return render(
        request,
        "access/profile/device_remove.html",
        {"form": form, "device": device},
        status=400 if form.errors else 200,
    )


@login_required
def terms(request: HttpRequest) -> HttpResponse:
    """The "Contrato de términos y condiciones" the member accepted, with its date."""
    member = _member(request)
    consent = Consent.objects.filter(member=member, document=ConsentDocument.TERMS).first()
    version = consent.version if consent is not None else settings.ACCESS_TERMS_VERSION
    try:
        text = get_template(f"access/profile/terms/{version}.html")
        shown = version
    except TemplateDoesNotExist:  # an old version whose text is no longer kept
        text = get_template(f"access/profile/terms/{settings.ACCESS_TERMS_VERSION}.html")
        shown = settings.ACCESS_TERMS_VERSION
    data_consent = Consent.objects.filter(member=member, document=ConsentDocument.DATA).first()
    data_text = None
    if data_consent is not None:
        try:
            data_text = get_template(f"access/profile/data/{data_consent.version}.html")
        except TemplateDoesNotExist:
            data_text = None
    return render(
        request,
        "access/profile/terms.html",
        {
            "consent": consent,
            "terms_text": text.render(request=request),
            "shown_version": shown,
            "data_consent": data_consent,
            "data_text": data_text.render(request=request) if data_text is not None else "",
        },
    )


@login_required
def block(request: HttpRequest) -> HttpResponse:
    """ "Bloquear mi acceso" from inside the session, confirmed with the password.

    A code would go to the same e-mail and phone an attacker may already control,
    and a session left open on a shared computer must not be enough to lock the
    member out: the current password is what proves it is the member.
    """
    member = _member(request)
    form = CurrentPasswordForm(posted(request), user=request.user)
    if request.method == "POST":
        if form.is_valid():
            recovery.access_self_block(member=member, request=request)
            logout(request)
            return redirect("profile:blocked")
        if form.current_wrong:
            ended = _wrong_current_password(request, form)
            if ended is not None:
                return ended
    return render(
        request, "access/profile/block.html", {"form": form}, status=400 if form.errors else 200
    )
