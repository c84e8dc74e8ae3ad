"""Perfil pages (manual "1 PERFIL") and "Bloquear mi acceso" from inside the session.

Every Perfil change follows the manual's three steps: the form ("Confirmar"), the
"Factor de seguridad" dialog ("Validar"), the success message ("Cerrar"). Between
the first two, the pending change is kept in the session — only hashes of secrets —
and the code is bound to it: the code's content *is* the pending change, so if it is
altered after the code was sent, the code no longer works.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from enlinea.access import credentials, devices, policy, recovery
from enlinea.access.catalog import ConsentDocument
from enlinea.access.codes import (
    MSG_USED,
    ChallengeError,
    challenge_issue,
    challenge_resend,
    challenge_use,
    challenge_verify,
)
from enlinea.access.forms_profile import (
    MSG_WRONG_CURRENT_LAST,
    CodeForm,
    CurrentPasswordForm,
    DeviceRemoveForm,
    ImageForm,
    PasswordChangeForm,
    QuestionsForm,
    UsernameForm,
)
from enlinea.access.models import Consent, SecurityChallenge
from enlinea.access.ratelimit import MSG_RATE_LIMITED, rate_limited
from enlinea.members.models import Member
from enlinea.members.selectors import member_for_request

PENDING = "enlinea_profile_pending"
DONE = "enlinea_profile_done"
# The last change made, kept after its success page: a code sent again for it "was used".
LAST_DONE = "enlinea_profile_last_done"

MEMBER_LAYOUT = "web/member.html"


def _profile_url() -> str:
    return reverse("web:section", kwargs={"slug": "perfil"})


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


def code_rate_limited(request: HttpRequest, member: Member) -> bool:
    """Codes sent and resent: limited per member; per IP too in the public flows.

    A logged-in member is not limited by IP: a cooperative's branch or a mobile
    carrier puts many members behind one address.
    """
    if rate_limited(
        request, group="code", rate_setting="ACCESS_RATE_CODE_IP", account=f"member:{member.pk}"
    ):
        return True
    return not request.user.is_authenticated and rate_limited(
        request, group="code", rate_setting="ACCESS_RATE_CODE_IP"
    )


# ---------------------------------------------------------------- the code dialog


def code_page(
    request: HttpRequest,
    *,
    layout: str = MEMBER_LAYOUT,
    title: str,
    challenge_id: int,
    member: Member,
    form: CodeForm,
    resend_url: str,
    cancel_url: str,
) -> HttpResponse:
    challenge = SecurityChallenge.objects.filter(pk=challenge_id, member=member).first()
    expires_at = challenge.expires_at if challenge is not None else timezone.now()
    return render(
        request,
        "access/profile/code.html",
        {
            "layout": layout,
            "title": title,
            "form": form,
            "expires_at": expires_at,
            "resend_url": resend_url,
            "cancel_url": cancel_url,
        },
        status=400 if form.errors else 200,
    )


def code_resend(request: HttpRequest, *, challenge_id: int, member: Member) -> None:
    if code_rate_limited(request, member):
        messages.error(request, MSG_RATE_LIMITED)
        return
    try:
        challenge_resend(challenge_id=challenge_id, member=member, request=request)
    except ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Te enviamos un nuevo código a tu correo y a tu celular.")


def code_verify(
    request: HttpRequest,
    form: CodeForm,
    *,
    member: Member,
    kind: str,
    challenge_id: int,
    content: dict[str, Any],
) -> bool:
    """Check the typed code (in its own transaction, so wrong tries count)."""
    if not form.is_valid():
        return False
    try:
        challenge_verify(
            challenge_id=challenge_id,
            member=member,
            kind=kind,
            content=content,
            code=form.cleaned_data["code"],
            request=request,
        )
    except ChallengeError as exc:
        form.add_error("code", str(exc))
        return False
    return True


# ---------------------------------------------------------------- Perfil changes


@dataclass(frozen=True)
class Change:
    slug: str
    kind: str
    title: str
    description: str
    form_url: str
    done_title: str
    done_message: str
    apply: Callable[[HttpRequest, dict[str, Any]], None]
    close_url: str = ""


def _apply_questions(request: HttpRequest, data: dict[str, Any]) -> None:
    credentials.answers_store(
        user=request.user,
        hashes=data["answers"],
        minimum=settings.ACCESS_QUESTIONS_MIN_UPDATE,
        request=request,
    )


def _apply_image(request: HttpRequest, data: dict[str, Any]) -> None:
    credentials.image_set(user=request.user, image=data["image"], request=request)


def _apply_password(request: HttpRequest, data: dict[str, Any]) -> None:
    credentials.password_store(user=request.user, encoded=data["password"], request=request)
    # This session stays; every other one ends (their auth hash no longer matches).
    update_session_auth_hash(request, request.user)


def _apply_username(request: HttpRequest, data: dict[str, Any]) -> None:
    credentials.username_set(user=request.user, username=data["username"], request=request)


def _apply_device_removal(request: HttpRequest, data: dict[str, Any]) -> None:
    try:
        devices.device_remove(
            user=request.user, device_id=data["device"], reason=data["reason"], request=request
        )
    except Http404 as exc:  # removed meanwhile, e.g. from another session
        raise ValidationError("Ese dispositivo ya no está registrado.") from exc


_SUCCESS = "El proceso se realizó correctamente."
CHANGES = {
    change.slug: change
    for change in (
        Change(
            "preguntas",
            "profile_questions",
            "Actualizar preguntas de seguridad",
            "Actualizar preguntas de seguridad",
            "profile:questions",
            "Preguntas de seguridad actualizadas",
            _SUCCESS,
            _apply_questions,
        ),
        Change(
            "imagen",
            "profile_image",
            "Actualizar imagen de seguridad",
            "Actualizar imagen de seguridad",
            "profile:image",
            "Imagen de seguridad actualizada",
            _SUCCESS,
            _apply_image,
        ),
        Change(
            "contrasena",
            "profile_password",
            "Actualizar contraseña",
            "Actualizar contraseña",
            "profile:password",
            "Contraseña actualizada",
            _SUCCESS,
            _apply_password,
        ),
        Change(
            "usuario",
            "profile_username",
            "Personaliza tu nombre de usuario",
            "Cambio de usuario",
            "profile:username",
            "Cambio de usuario",
            "Se ha cambiado el usuario correctamente",
            _apply_username,
        ),
        Change(
            "dispositivo",
            "profile_device_remove",
            "Eliminar dispositivo",
            "Eliminar dispositivo",
            "profile:devices",
            "Dispositivo eliminado",
            "El proceso se ha realizado con éxito.",
            _apply_device_removal,
            close_url="profile:devices",
        ),
    )
}


def _change(slug: str) -> Change:
    change = CHANGES.get(slug)
    if change is None:
        raise Http404
    return change


def _pending_start(request: HttpRequest, change: Change, data: dict[str, Any]) -> HttpResponse:
    """After "Confirmar": remember the change and send the code bound to it."""
    member = _member(request)
    if code_rate_limited(request, member):
        messages.error(request, MSG_RATE_LIMITED)
        return redirect(change.form_url)
    # A nonce makes each request a distinct operation even when the values repeat.
    data = {**data, "nonce": secrets.token_hex(8)}
    challenge = challenge_issue(
        member=member,
        kind=change.kind,
        content=data,
        description=change.description,
        request=request,
    )
    request.session.pop(LAST_DONE, None)
    request.session[PENDING] = {"slug": change.slug, "data": data, "challenge": challenge.pk}
    return redirect("profile:code", change=change.slug)


def _pending_for(request: HttpRequest, change: Change) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not pending or pending.get("slug") != change.slug:
        return None
    return pending


MSG_NOT_PENDING = (
    "Esta solicitud ya no está pendiente: se completó o fue reemplazada por otra. "
    "Revisa tus datos y vuelve a empezar si hace falta."
)


@login_required
def change_code(request: HttpRequest, change: str) -> HttpResponse:
    """The "Factor de seguridad" step of every Perfil change ("Validar")."""
    current = _change(change)
    member = _member(request)
    pending = _pending_for(request, current)
    if pending is None:
        if request.method == "POST":
            # A code sent again (Back button, a second tab) for a change already made or
            # abandoned: say so instead of silently showing the form.
            messages.error(
                request,
                MSG_USED if request.session.get(LAST_DONE) == current.slug else MSG_NOT_PENDING,
            )
        return redirect(current.form_url)
    form = CodeForm(posted(request))
    if request.method == "POST" and code_verify(
        request,
        form,
        member=member,
        kind=current.kind,
        challenge_id=pending["challenge"],
        content=pending["data"],
    ):
        try:
            with transaction.atomic():
                challenge_use(
                    challenge_id=pending["challenge"],
                    member=member,
                    kind=current.kind,
                    content=pending["data"],
                )
                current.apply(request, pending["data"])
        except (ValidationError, ChallengeError) as exc:
            # Something changed since "Confirmar" (e.g. the username was taken meanwhile).
            request.session.pop(PENDING, None)
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
            return redirect(current.form_url)
        request.session.pop(PENDING, None)
        request.session[DONE] = current.slug
        request.session[LAST_DONE] = current.slug
        return redirect("profile:done", change=current.slug)
    return code_page(
        request,
        title=current.title,
        challenge_id=pending["challenge"],
        member=member,
        form=form,
        resend_url=reverse("profile:resend", kwargs={"change": current.slug}),
        cancel_url=reverse(current.form_url),
    )


@login_required
@require_POST
def change_resend(request: HttpRequest, change: str) -> HttpResponse:
    current = _change(change)
    pending = _pending_for(request, current)
    if pending is None:
        return redirect(current.form_url)
    code_resend(request, challenge_id=pending["challenge"], member=_member(request))
    return redirect("profile:code", change=current.slug)


@login_required
def change_done(request: HttpRequest, change: str) -> HttpResponse:
    current = _change(change)
    if request.session.get(DONE) != current.slug:
        return redirect(current.form_url)
    del request.session[DONE]
    close = reverse(current.close_url) if current.close_url else _profile_url()
    return render(
        request,
        "access/profile/done.html",
        {"title": current.done_title, "message": current.done_message, "close_url": close},
    )


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
        return _pending_start(request, CHANGES["preguntas"], {"answers": hashes})
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
        return _pending_start(request, CHANGES["imagen"], {"image": form.cleaned_data["image"]})
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
            return _pending_start(request, CHANGES["contrasena"], {"password": encoded})
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
        return _pending_start(
            request, CHANGES["usuario"], {"username": form.cleaned_data["username"]}
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
        return _pending_start(request, CHANGES["dispositivo"], data)
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
