"""The back office's login pages: Usuario y Contraseña → Código de verificación.

A staff member without an authenticator app enrols one between the two (QR code and
the secret in text, then one code to confirm) and sees the recovery codes once.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from enlinea.security.ratelimit import MSG_RATE_LIMITED, rate_limited
from enlinea.staff import services
from enlinea.staff.forms import StaffCodeForm, StaffLoginForm

RATE_LIMITED = 429
MSG_LOCKED_AFTER_FIRST_STEP = (
    "Por tu seguridad, tu acceso al back office se bloqueó por intentos fallidos. Pide a "
    "un administrador que lo desbloquee."
)


def _over_limits(request: HttpRequest, *, step: str, username: str) -> bool:
    """Per client IP and per username; both counters move on every try."""
    by_ip = rate_limited(request, group=f"staff-{step}", rate_setting="STAFF_RATE_LOGIN_IP")
    by_user = bool(username) and rate_limited(
        request, group=f"staff-{step}", rate_setting="STAFF_RATE_LOGIN_USER", account=username
    )
    return by_ip or by_user


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "has_permission": False, **extra}


def _after_login(pending: services.Pending) -> str:
    return pending.next_url or reverse("admin:index")


@never_cache
@csrf_protect
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_password(request: HttpRequest) -> HttpResponse:
    """Usuario y Contraseña (the admin site's ``login``)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "GET" and admin.site.has_permission(request):
        return redirect(next_url or reverse("admin:index"))
    form = StaffLoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        if _over_limits(request, step="password", username=username):
            form.is_valid()
            form.add_error(None, MSG_RATE_LIMITED)
            status = RATE_LIMITED
        elif form.is_valid():
            user = services.staff_password_check(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
            if user is not None:
                services.staff_pending_start(request=request, user=user, next_url=next_url)
                return redirect("admin:staff_code")
            form.add_error(None, services.MSG_INVALID)
    context = _context(request, title="Ingreso al back office", form=form, next=next_url)
    return render(request, "staff/login.html", context, status=status)


def _pending_or_restart(request: HttpRequest) -> services.Pending | None:
    pending = services.staff_pending_load(request)
    if pending is None:
        messages.warning(request, services.MSG_PENDING_GONE)
    return pending


def _locked(request: HttpRequest) -> HttpResponse:
    services.staff_pending_end(request)
    messages.error(request, MSG_LOCKED_AFTER_FIRST_STEP)
    return redirect("admin:login")


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Código de verificación: the authenticator app's code or a recovery code."""
    pending = _pending_or_restart(request)
    if pending is None:
        return redirect("admin:login")
    if not pending.enrolled:
        return redirect("admin:staff_enrol")
    form = StaffCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _over_limits(request, step="code", username=pending.user.get_username()):
            form.is_valid()
            form.add_error(None, MSG_RATE_LIMITED)
            status = RATE_LIMITED
        elif form.is_valid():
            check = services.staff_code_verify(
                request=request, user=pending.user, code=form.cleaned_data["code"]
            )
            if check.device is not None:
                services.staff_login_complete(
                    request=request, user=pending.user, device=check.device, factor=check.factor
                )
                if check.factor == "recovery":
                    left = services.staff_recovery_codes_left(user=pending.user)
                    messages.warning(
                        request,
                        f"Usaste un código de recuperación; te quedan {left}. Si perdiste tu "
                        "teléfono, pide a un administrador que reinicie tu segundo factor.",
                    )
                return redirect(_after_login(pending))
            if check.locked:
                return _locked(request)
            form.add_error(
                "code",
                services.MSG_CODE_THROTTLED if check.throttled else services.MSG_CODE_INVALID,
            )
    context = _context(request, title="Código de verificación", form=form)
    return render(request, "staff/code.html", context, status=status)


def _qr_svg(config_url: str) -> str:
    """The otpauth:// URL as an inline SVG (no image request, nothing leaves the page)."""
    return segno.make(config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", border=4, svgclass="staff-qr", omitsize=True
    )


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_enrol(request: HttpRequest) -> HttpResponse:
    """First login: add the back office to an authenticator app, then confirm a code."""
    pending = _pending_or_restart(request)
    if pending is None:
        return redirect("admin:login")
    if pending.enrolled:
        return redirect("admin:staff_code")
    form = StaffCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _over_limits(request, step="code", username=pending.user.get_username()):
            form.is_valid()
            form.add_error(None, MSG_RATE_LIMITED)
            status = RATE_LIMITED
        elif form.is_valid():
            enrolment = services.staff_enrolment_confirm(
                request=request, user=pending.user, code=form.cleaned_data["code"]
            )
            if enrolment.device is not None:
                services.staff_login_complete(
                    request=request, user=pending.user, device=enrolment.device, factor="totp"
                )
                # Shown in this response only: never stored in clear, never shown again.
                context = _context(
                    request,
                    title="Tus códigos de recuperación",
                    codes=enrolment.recovery_codes,
                    next_url=_after_login(pending),
                )
                return render(request, "staff/recovery_codes.html", context)
            if enrolment.locked:
                return _locked(request)
            form.add_error(
                "code",
                services.MSG_CODE_THROTTLED if enrolment.throttled else services.MSG_CODE_INVALID,
            )
    device = services.staff_enrolment_device(user=pending.user)
    context = _context(
        request,
        title="Activa tu segundo factor",
        form=form,
        qr_svg=_qr_svg(device.config_url),
        secret=services.totp_secret_text(device),
        username=pending.user.get_username(),
    )
    return render(request, "staff/enrol.html", context, status=status)


@never_cache
@csrf_protect
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Cerrar sesión, and «Ingresar con otro usuario» between the two steps.

    The admin's own logout is behind ``has_permission``: a session that has passed only
    the password step (or a locked account's session) was sent to the index with its
    pending login intact, ready for a code for ten more minutes. Here the pending login
    always ends, and any signed-in session is closed (audited by the site's logout).
    """
    services.staff_pending_end(request)
    if request.user.is_authenticated:
        return admin.site.logout(request)
    return redirect("admin:login")
