"""Login (usuario → imagen y contraseña → código si el dispositivo es nuevo), logout, timeout."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enlinea.access import devices, enrolment, session
from enlinea.access.catalog import SecurityImage
from enlinea.access.forms_enrolment import DeviceForm
from enlinea.access.forms_session import PasswordForm, UsernameForm
from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused, operation_start
from enlinea.confirmation.views import operation_session_remember
from enlinea.members.models import Member
from enlinea.members.selectors import contact_cooling_off_message
from enlinea.members.services import member_contact_cooling_off_refuse
from enlinea.security.ratelimit import MSG_RATE_LIMITED, rate_count, rate_limited

RATE_LIMITED = 429


def _over_login_limits(request: HttpRequest, *, step: str, username: str = "") -> bool:
    """Per client IP (every try counts) and, at the password, per username.

    The per-username counter moves only on a wrong password (``_count_failed_password``):
    typing a username, or someone else typing yours, costs its owner nothing. Here it is
    only looked at, so the try after the last one the rate allows is refused.
    """
    by_ip = rate_limited(request, group=f"login-{step}", rate_setting="ACCESS_RATE_LOGIN_IP")
    by_user = bool(username) and rate_limited(
        request,
        group="login-password",
        rate_setting="ACCESS_RATE_LOGIN_USER",
        account=username,
        increment=False,
    )
    return by_ip or by_user


def _count_failed_password(request: HttpRequest, *, username: str) -> None:
    rate_count(
        request, group="login-password", rate_setting="ACCESS_RATE_LOGIN_USER", account=username
    )


@never_cache
@require_http_methods(["GET", "POST"])
def login_username(request: HttpRequest) -> HttpResponse:
    """Paso 1: "Usuario" and "Continuar"."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    status = 200
    if request.method == "POST":
        form = UsernameForm(request.POST)
        if _over_login_limits(request, step="username"):
            form.is_valid()
            form.add_error(None, MSG_RATE_LIMITED)
            status = RATE_LIMITED
        elif form.is_valid():
            session.login_state_username(request, username=form.cleaned_data["username"])
            return redirect("session:password")
    else:
        session.login_state_start(request, next_url=request.GET.get("next", ""))
        form = UsernameForm()
    return render(request, "web/login.html", {"form": form}, status=status)


@never_cache
@require_GET
def not_my_image(request: HttpRequest) -> HttpResponse:
    """ "No es mi imagen": back to the username, with what to check."""
    state = session.login_state(request)
    session.login_state_start(request, next_url=state.get("next", ""))
    form = UsernameForm(initial={"username": state.get("username", "")})
    return render(request, "web/login.html", {"form": form, "not_my_image": True})


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_password(request: HttpRequest) -> HttpResponse:
    """Paso 2: the security image with a greeting, then "Contraseña" and "Iniciar Sesión"."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    username = session.login_state(request).get("username", "")
    if not username:
        return redirect("session:login")
    status = 200
    outcome = None
    form = PasswordForm(request.POST or None)
    if request.method == "POST":
        if _over_login_limits(request, step="password", username=username):
            form.is_valid()
            form.add_error(None, MSG_RATE_LIMITED)
            status = RATE_LIMITED
        elif form.is_valid():
            outcome = session.password_check(
                request=request, username=username, password=form.cleaned_data["password"]
            )
            if outcome.ok and _new_device_in_cooling_off(request, outcome.user):
                form.add_error(None, contact_cooling_off_message())
            elif outcome.ok:
                return _after_password(request, outcome.user, temporary=outcome.temporary)
            else:
                _count_failed_password(request, username=username)
                if outcome.locked or outcome.temporary_expired:
                    form.add_error(None, outcome.message)
                else:
                    form.add_error("password", outcome.message)
    # Empty for the temporary username shape: the plain "Primer ingreso" step.
    image = session.login_image(username=username)
    context = {
        "form": form,
        "username": username,
        "image": image,
        "image_label": SecurityImage(image).label if image else "",
        "temporary_step": not image,
        "temporary_password_by_sms": enrolment.temporary_password_by_sms(),
        "locked": outcome is not None and outcome.locked,
        "temporary_expired": outcome is not None and outcome.temporary_expired,
        "temporary_hours": settings.ACCESS_TEMP_CREDENTIALS_HOURS,
    }
    return render(request, "access/session/password.html", context, status=status)


def _new_device_in_cooling_off(request: HttpRequest, user: Any) -> bool:
    """A right password from a browser that is not a registered device, within the
    contact cooling-off (MEMBERS_CONTACT_COOLING_OFF_HOURS): the device's code would go
    to the e-mail and mobile that just changed, so whoever changed them could pass the
    second factor. Refused (audited CONTACT_COOLING_OFF, flow "login_device") like
    Regístrate and recovery; registered devices log in as usual. Only said after the
    right password, so it tells a stranger nothing."""
    member = Member.objects.filter(user_id=user.pk).first()
    if member is None or devices.device_for_request(user=user, request=request) is not None:
        return False
    return member_contact_cooling_off_refuse(member=member, flow="login_device", request=request)


def _after_password(request: HttpRequest, user: Any, *, temporary: bool) -> HttpResponse:
    if temporary:
        # The first-login wizard registers the device and asks for its own code.
        session.login_complete(request=request, user=user)
        return redirect(session.redirect_after_login(request, temporary=True))
    device = devices.device_for_request(user=user, request=request)
    if device is not None:
        session.login_complete(request=request, user=user, device=device)
        return redirect(session.redirect_after_login(request, temporary=False))
    session.pending_start(request=request, user=user)
    return redirect("session:device")


PendingView = Callable[..., HttpResponse]


def pending_login(view: PendingView) -> Callable[..., HttpResponse]:
    """The steps after a right password from a new device: they need that pending login.

    Without it (never started, older than a quarter of an hour, the password changed,
    the access locked) the member starts again at the username.
    """

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        loaded = session.pending_load(request)
        if loaded is None:
            messages.warning(request, session.MSG_PENDING_GONE)
            return redirect("session:login")
        pending, user = loaded
        return view(request, pending, user, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@pending_login
def login_device(request: HttpRequest, pending: dict[str, Any], user: Any) -> HttpResponse:
    """A browser that is not a registered device: register it? Then the code, on the
    confirmation flow (kind ``login_device``, ``access/confirmations.py``)."""
    status = 200
    chosen = bool(pending.get("operation"))
    form = DeviceForm(
        request.POST or None,
        initial={
            "save_device": ("si" if pending["register"] else "no") if chosen else None,
            "alias": pending["alias"],
        },
    )
    if request.method == "POST" and form.is_valid():
        content = session.login_device_content(
            request=request,
            pending=pending,
            user=user,
            register=form.cleaned_data["save_device"] == "si",
            alias=form.cleaned_data["alias"],
        )
        try:
            operation = operation_start(
                member=user.member, kind=session.DEVICE_CODE_KIND, content=content, request=request
            )
        except OperationRefused as exc:
            form.add_error(None, str(exc))
            status = RATE_LIMITED if exc.code == "rate_limited" else 400
        else:
            operation_session_remember(request, operation)
            session.pending_operation_set(request=request, token=operation.token)
            return redirect(operation_next_url(operation))
    elif form.errors:
        status = 400
    return render(request, "access/session/device.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """ "Cerrar sesión" (a POST: a link could be followed by another site)."""
    session.session_end(request=request)
    return redirect("session:login")


@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """ "Continuar sesión": the idle middleware already counted this request as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"expired": True, "url": reverse("session:expired")}, status=401)
    return JsonResponse({"seconds": settings.ACCESS_IDLE_TIMEOUT_SECONDS})


@never_cache
@require_GET
def expired(request: HttpRequest) -> HttpResponse:
    """ "Tu sesión se cerró" after the idle limit."""
    if request.user.is_authenticated:
        # Another tab kept the session alive: nothing was closed.
        return redirect(settings.LOGIN_REDIRECT_URL)
    minutes, seconds = divmod(settings.ACCESS_IDLE_TIMEOUT_SECONDS, 60)
    return render(request, "access/session/expired.html", {"minutes": minutes, "seconds": seconds})
