"""Regístrate (/registro/) and Primer ingreso (/primer-ingreso/): the manual's wizards.

Each step is a plain form page (works without JavaScript). What the member chose is
kept in the session between steps, secrets only as hashes. The security code is the
confirmation flow's (``/operaciones/<token>/codigo/``, kinds "registration" and
"first_login" in ``access/confirmations.py``): accepting the data consent (Regístrate
Paso 4) and "Continuar" on the device step (Primer ingreso Paso 6) start the
operation, and the flow applies it in the transaction that spends the right code.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from enlinea.access import enrolment, policy
from enlinea.access.catalog import ConsentDocument
from enlinea.access.forms_enrolment import (
    ConsentForm,
    DeviceForm,
    IdentificationForm,
    ImageForm,
    PasswordForm,
    QuestionsForm,
    UsernameForm,
)
from enlinea.access.models import AuditKind
from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused
from enlinea.confirmation.views import operation_session_remember
from enlinea.members.models import Member
from enlinea.members.selectors import contact_cooling_off_message
from enlinea.security.audit import audit_record
from enlinea.security.ratelimit import MSG_RATE_LIMITED, rate_limited

REGISTER_KEY = enrolment.SESSION_REGISTER
SETUP_KEY = enrolment.SESSION_SETUP
SETUP_DONE_KEY = enrolment.SESSION_SETUP_DONE
SETUP_ERROR_KEY = enrolment.SESSION_SETUP_ERROR
RATE_LIMITED = 429

# Pasos 2 to 6; Paso 7 (the code) is the confirmation flow's page.
SETUP_STEPS = [
    "setup_username",
    "setup_questions",
    "setup_image",
    "setup_password",
    "setup_device",
]

# Per cédula, whatever the IP (one member's codes and e-mails cannot be flooded from
# many addresses). Overridable with a setting ACCESS_RATE_REGISTER_ACCOUNT.
REGISTER_ACCOUNT_RATE = "5/h"


def _login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


def _posted(request: HttpRequest) -> Any:
    """The POST data, even when empty (``request.POST or None`` would not bind the form)."""
    return request.POST if request.method == "POST" else None


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, {"login_url": _login_url(), **context}, status=status)


# ---------------------------------------------------------------- Regístrate


def _register_state(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(REGISTER_KEY) or {})


def _register_member(state: dict[str, Any]) -> Member | None:
    """The member this browser is registering (from our own session, not from input)."""
    member_id = state.get("member")
    return Member.objects.filter(pk=member_id).first() if member_id else None


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Pasos 1-2: "Número de identificación" + "Validar"."""
    if request.user.is_authenticated:
        return redirect("web:home")
    form = IdentificationForm(_posted(request))
    status = 200
    if request.method == "POST":
        if rate_limited(request, group="enrol_register", rate_setting="ACCESS_RATE_REGISTER_IP"):
            form.is_valid()
            form.add_error(None, MSG_RATE_LIMITED)
            status = 429
        elif form.is_valid():
            cedula = form.cleaned_data["identification"]
            if rate_limited(
                request,
                group="enrol_register",
                rate_setting="ACCESS_RATE_REGISTER_ACCOUNT",
                default=REGISTER_ACCOUNT_RATE,
                account=cedula,
            ):
                form.add_error(None, MSG_RATE_LIMITED)
                status = 429
            elif enrolment.registration_cooling_off(identification=cedula, request=request):
                form.add_error("identification", contact_cooling_off_message())
            else:
                member = enrolment.registration_member(identification=cedula)
                if member is None:
                    form.add_error("identification", enrolment.not_eligible_message())
                else:
                    request.session[REGISTER_KEY] = {"member": member.pk}
                    return redirect("enrol:register_terms")
    return _render(request, "access/enrolment/register.html", {"form": form}, status=status)


def _consent_step(
    request: HttpRequest,
    *,
    document: str,
    requires: str | None,
    template: str,
    version: str,
    label: str,
    required_message: str,
    on_accept: Callable[[HttpRequest, Member, dict[str, Any]], HttpResponse | None],
) -> HttpResponse:
    state = _register_state(request)
    member = _register_member(state)
    if member is None or (requires and not state.get(requires)):
        return redirect("enrol:register")
    form = ConsentForm(_posted(request), label=label, required_message=required_message)
    status = 200
    if request.method == "POST" and form.is_valid():
        consent = enrolment.consent_record(member=member, document=document, request=request)
        state[document] = consent.pk
        request.session[REGISTER_KEY] = state
        response = on_accept(request, member, state)
        if response is not None:
            return response
        # Refused over the code limits (accepting the data consent sends a code).
        form.add_error(None, MSG_RATE_LIMITED)
        status = RATE_LIMITED
    context: dict[str, Any] = {"form": form, "cancel_url": _login_url(), "version": version}
    if document == ConsentDocument.TERMS:
        # The versioned text Perfil shows as accepted (access/profile/terms/<version>.html).
        context["terms_template"] = f"access/profile/terms/{version}.html"
    else:
        context["data_template"] = f"access/profile/data/{version}.html"
    return _render(request, template, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def register_terms(request: HttpRequest) -> HttpResponse:
    """Paso 3: Términos y Condiciones Canales Digitales."""
    return _consent_step(
        request,
        document=ConsentDocument.TERMS,
        requires=None,
        template="access/enrolment/register_terms.html",
        version=settings.ACCESS_TERMS_VERSION,
        label="Aceptar términos y condiciones",
        required_message="Marca la casilla «Aceptar términos y condiciones» para continuar.",
        on_accept=lambda request, member, state: redirect("enrol:register_data"),
    )


def _register_start(
    request: HttpRequest, member: Member, state: dict[str, Any]
) -> HttpResponse | None:
    """Both consents accepted: the registration's operation, whose code is sent now;
    None when the code limits refuse it."""
    try:
        operation = enrolment.registration_start(
            member=member,
            consent_ids=[state[ConsentDocument.TERMS], state[ConsentDocument.DATA]],
            request=request,
        )
    except OperationRefused:
        return None
    except enrolment.EnrolmentError as exc:
        if exc.code not in ("contact_cooling_off", "not_eligible"):
            raise
        # The contact changed (or the member registered) after step 1: back to it,
        # with the refusal, and no code.
        request.session.pop(REGISTER_KEY, None)
        form = IdentificationForm({"identification": member.identification})
        form.is_valid()
        form.add_error("identification", str(exc))
        return _render(request, "access/enrolment/register.html", {"form": form})
    operation_session_remember(request, operation)  # a public kind: this browser's
    return redirect(operation_next_url(operation))


@never_cache
@require_http_methods(["GET", "POST"])
def register_data(request: HttpRequest) -> HttpResponse:
    """Paso 4: Tratamiento de datos; accepting it sends the security code (Paso 5,
    the confirmation flow's code page; Paso 6, "¡Registro exitoso!", is its result)."""
    return _consent_step(
        request,
        document=ConsentDocument.DATA,
        requires=ConsentDocument.TERMS,
        template="access/enrolment/register_data.html",
        version=settings.ACCESS_DATA_CONSENT_VERSION,
        label="Autorizar Tratamiento de datos",
        required_message="Marca la casilla «Autorizar Tratamiento de datos» para continuar.",
        on_accept=_register_start,
    )


# ---------------------------------------------------------------- Primer ingreso


def setup_view(step: str | None) -> Callable[..., Callable[..., HttpResponse]]:
    """Guard for the wizard's steps: a logged-in member with temporary credentials.

    Anyone else goes home; expired temporary credentials end the session; a step
    whose earlier steps are not done sends the member to the first missing one.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @never_cache
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not enrolment.setup_allowed(user):
                return redirect("web:home")
            if enrolment.setup_expired(user):
                logout(request)
                return _render(
                    request,
                    "access/enrolment/setup_expired.html",
                    {"message": enrolment.MSG_TEMPORARY_EXPIRED},
                )
            state = enrolment.setup_state_load(request)
            if step is not None:
                wanted = state.next_step()
                if SETUP_STEPS.index(step) > SETUP_STEPS.index(wanted):
                    return redirect(f"enrol:{wanted}")
            return view(request, state, *args, **kwargs)

        return wrapped

    return decorate


def _setup_save(request: HttpRequest, state: enrolment.SetupState) -> None:
    # Any change to a choice voids a code already sent: it confirmed the old choices
    # (the first-login operation checks it still is the wizard's when it executes).
    state.operation = ""
    enrolment.setup_state_save(request, state)


def _setup_render(
    request: HttpRequest, template: str, step: str, context: dict[str, Any]
) -> HttpResponse:
    number = SETUP_STEPS.index(step) + 2  # the manual's Paso 2 … Paso 6
    previous = SETUP_STEPS[SETUP_STEPS.index(step) - 1] if step != SETUP_STEPS[0] else None
    return _render(
        request,
        template,
        {
            "paso": number,
            "back_url": reverse(f"enrol:{previous}") if previous else reverse("enrol:setup"),
            **context,
        },
    )


@require_http_methods(["GET"])
@setup_view(None)
def setup(request: HttpRequest, state: enrolment.SetupState) -> HttpResponse:
    """Paso 1 (after the login with temporary credentials): what the wizard will ask."""
    return _render(
        request,
        "access/enrolment/setup_start.html",
        {
            "next_url": reverse(f"enrol:{state.next_step()}"),
            "minimum": settings.ACCESS_QUESTIONS_MIN_SETUP,
        },
    )


@require_http_methods(["GET", "POST"])
@setup_view("setup_username")
def setup_username(request: HttpRequest, state: enrolment.SetupState) -> HttpResponse:
    """Paso 2: personaliza tu nombre de usuario."""
    form = UsernameForm(
        _posted(request), user=request.user, request=request, initial={"username": state.username}
    )
    pending_error = request.session.pop(SETUP_ERROR_KEY, "")
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["username"] != state.username:
            state.password_hash = ""  # checked against the old username
        state.username = form.cleaned_data["username"]
        _setup_save(request, state)
        return redirect("enrol:setup_questions")
    if pending_error and not form.is_bound:
        form = UsernameForm({"username": ""}, user=request.user, request=request)
        form.is_valid()
        form.errors["username"] = form.error_class([pending_error])
    response = _setup_render(
        request,
        "access/enrolment/setup_username.html",
        "setup_username",
        {"form": form, "help_texts": enrolment.username_help_texts()},
    )
    if form.is_bound and form.has_error("username", code="rate_limited"):
        response.status_code = 429
    return response


@require_http_methods(["GET", "POST"])
@setup_view("setup_questions")
def setup_questions(request: HttpRequest, state: enrolment.SetupState) -> HttpResponse:
    """Paso 3: registrar preguntas de seguridad (mínimo ACCESS_QUESTIONS_MIN_SETUP)."""
    form = QuestionsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        state.answer_hashes = form.answer_hashes
        _setup_save(request, state)
        return redirect("enrol:setup_image")
    return _setup_render(
        request,
        "access/enrolment/setup_questions.html",
        "setup_questions",
        {
            "form": form,
            "help_texts": policy.answer_help_texts(settings.ACCESS_QUESTIONS_MIN_SETUP),
            "answered": len(state.answer_hashes),
        },
    )


@require_http_methods(["GET", "POST"])
@setup_view("setup_image")
def setup_image(request: HttpRequest, state: enrolment.SetupState) -> HttpResponse:
    """Paso 4: registrar imagen de seguridad."""
    form = ImageForm(_posted(request), initial={"image": state.image or None})
    if request.method == "POST" and form.is_valid():
        state.image = enrolment.setup_image_clean(image=form.cleaned_data["image"])
        _setup_save(request, state)
        return redirect("enrol:setup_password")
    return _setup_render(
        request, "access/enrolment/setup_image.html", "setup_image", {"form": form}
    )


@require_http_methods(["GET", "POST"])
@setup_view("setup_password")
def setup_password(request: HttpRequest, state: enrolment.SetupState) -> HttpResponse:
    """Paso 5: actualizar contraseña (only its hash is kept until the end)."""
    form = PasswordForm(_posted(request), user=request.user, username=state.username)
    if request.method == "POST":
        if rate_limited(
            request,
            group="enrol_setup_password",
            rate_setting="ACCESS_RATE_LOGIN_USER",
            account=str(request.user.pk),
        ):
            form.is_valid()
            form.add_error(None, MSG_RATE_LIMITED)
        elif form.is_valid():
            state.password_hash = form.password_hash
            _setup_save(request, state)
            return redirect("enrol:setup_device")
    return _setup_render(
        request,
        "access/enrolment/setup_password.html",
        "setup_password",
        {"form": form, "help_texts": password_validators_help_texts()},
    )


@require_http_methods(["GET", "POST"])
@setup_view("setup_device")
def setup_device(request: HttpRequest, state: enrolment.SetupState) -> HttpResponse:
    """Paso 6: ¿Deseas registrar este dispositivo? "Continuar" starts the first-login
    operation, which sends the code (Paso 7, the confirmation flow's code page)."""
    initial = {}
    if state.device_save is not None:
        initial = {"save_device": "si" if state.device_save else "no", "alias": state.device_alias}
    form = DeviceForm(_posted(request), initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        state.device_save = form.cleaned_data["save_device"] == "si"
        state.device_alias = form.cleaned_data["alias"]
        _setup_save(request, state)
        try:
            operation = enrolment.setup_start(user=request.user, state=state, request=request)
        except enrolment.EnrolmentError:  # an earlier step is missing
            return redirect(f"enrol:{state.next_step()}")
        except OperationRefused as exc:
            form.add_error(None, str(exc))
            status = RATE_LIMITED if exc.code == "rate_limited" else 400
        else:
            state.operation = operation.token
            enrolment.setup_state_save(request, state)
            return redirect(operation_next_url(operation))
    response = _setup_render(
        request, "access/enrolment/setup_device.html", "setup_device", {"form": form}
    )
    if status != 200:
        response.status_code = status
    return response


@require_POST
@login_required
def setup_exit(request: HttpRequest) -> HttpResponse:
    """ "Salir" / "Cancelar": leave the wizard; nothing chosen so far is applied."""
    audit_record(kind=AuditKind.LOGOUT, request=request, user=request.user, where="primer_ingreso")
    logout(request)
    return redirect(_login_url())


@never_cache
def setup_done(request: HttpRequest) -> HttpResponse:
    """Paso 8: credenciales configuradas con éxito."""
    username = request.session.pop(SETUP_DONE_KEY, "")
    if not username:
        return redirect(_login_url())
    return _render(
        request,
        "access/enrolment/setup_done.html",
        {"username": username},
    )
