"""Login steps, consecutive-failure lockout, new-device codes and the idle timeout.

The login walks the manual's screens: username, then the member's security image and
the password, then (from a browser that is not a registered device) a security code.
Nothing on the way tells whether a username exists: an unknown one gets a decoy image
chosen by an HMAC of the name, the same greeting, the same messages and even the same
"one try left" warning and lock message after as many failures.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from enlinea.access import credentials, devices, policy
from enlinea.access.catalog import SecurityImage
from enlinea.access.models import AuditKind, Device, OnlineProfile
from enlinea.access.services import browser_name
from enlinea.notifications.services import member_notify
from enlinea.security.audit import audit_record, request_meta

# Session keys. The login state lives in the (still anonymous) session between steps.
SESSION_LOGIN = "enlinea_login"  # {"username": …, "next": …}
SESSION_PENDING = "enlinea_login_pending"  # password right, waiting for the device code
SESSION_ACTIVITY = "enlinea_activity"  # epoch seconds of the last request of the member

DEVICE_CODE_KIND = "login_device"
DEVICE_CODE_DESCRIPTION = "Ingreso desde un nuevo dispositivo"
# Between the right password and the device code: long enough for a resend or two.
PENDING_MAX_AGE_SECONDS = 15 * 60
# How long an unknown username "remembers" its failures (to mimic the lock), counted
# from its latest failure. A real member's count and lock never expire on their own,
# so this is long: a stranger must leave a username alone this long to see it "unlock".
DECOY_FAILURES_TTL_SECONDS = 90 * 24 * 3600
_BACKEND = "django.contrib.auth.backends.ModelBackend"

MSG_INVALID = "Usuario o contraseña incorrectos. Revisa tus datos e intenta de nuevo."
MSG_LAST_TRY = (
    "Usuario o contraseña incorrectos. Te queda un intento antes de que tu acceso se bloquee."
)
MSG_LOCKED = (
    "Tu acceso está bloqueado por seguridad. Para desbloquearlo, ingresa a "
    "«¿Olvidaste tu contraseña?»: validaremos tu identidad y crearás una nueva contraseña."
)
MSG_TEMPORARY_EXPIRED = "Tus credenciales temporales expiraron. Regístrate nuevamente."
MSG_PENDING_GONE = "Por tu seguridad, vuelve a ingresar tu usuario y contraseña."


# ---------------------------------------------------------------- step 1: who


def username_normalize(value: str) -> str:
    return (value or "").strip().lower()[:150]


def decoy_image(username: str) -> str:
    """The image an unknown username always gets: HMAC(SECRET_KEY, lower(username))."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), username_normalize(username).encode(), hashlib.sha256
    ).digest()
    images = SecurityImage.values
    return images[int.from_bytes(digest[:8], "big") % len(images)]


def _candidate(username: str) -> Any | None:
    """The member user this login form may open; staff use the back office instead."""
    value = username_normalize(username)
    if not value:
        return None
    return (
        get_user_model()
        .objects.filter(
            username__iexact=value, is_active=True, is_staff=False, member__isnull=False
        )
        .select_related("member")
        .first()
    )


def login_image(*, username: str) -> str:
    """The security image shown beside the password: the member's, else the decoy.

    Empty for a username of the temporary shape (``policy.TEMPORARY_USERNAME``),
    whether or not it exists: a new member has no image yet, and no member may choose
    that shape, so the plain "Primer ingreso" step tells a stranger nothing.
    """
    if policy.is_temporary_username(username_normalize(username)):
        return ""
    user = _candidate(username)
    image = ""
    if user is not None:
        image = (
            OnlineProfile.objects.filter(user=user).values_list("security_image", flat=True).first()
            or ""
        )
    return image or decoy_image(username)


def login_state(request: HttpRequest) -> dict[str, str]:
    return dict(request.session.get(SESSION_LOGIN) or {})


def login_state_start(request: HttpRequest, *, next_url: str = "") -> None:
    """A fresh login: forget any half-done one; remember where to go afterwards."""
    if not next_url and not {SESSION_LOGIN, SESSION_PENDING} & set(request.session.keys()):
        return  # nothing to forget: a plain visit to the login page writes no session
    request.session.pop(SESSION_PENDING, None)
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    request.session[SESSION_LOGIN] = {"next": next_url if safe else ""}


def login_state_username(request: HttpRequest, *, username: str) -> None:
    state = login_state(request)
    state["username"] = username_normalize(username)
    request.session[SESSION_LOGIN] = state
    request.session.pop(SESSION_PENDING, None)


# ---------------------------------------------------------------- step 2: password


@dataclass(frozen=True)
class PasswordCheck:
    """What the password step decided. ``user`` only when ``ok``."""

    ok: bool
    message: str = ""
    locked: bool = False
    temporary_expired: bool = False
    user: Any = None
    temporary: bool = False


def _failure(left: int) -> PasswordCheck:
    if left <= 0:
        return PasswordCheck(ok=False, message=MSG_LOCKED, locked=True)
    if left == 1:
        return PasswordCheck(ok=False, message=MSG_LAST_TRY)
    return PasswordCheck(ok=False, message=MSG_INVALID)


def _decoy_failure(username: str) -> int:
    """Count failures for a username that is not a member's, as if it were one."""
    key = (
        "login-decoy:"
        + hmac.new(
            settings.SECRET_KEY.encode(), username_normalize(username).encode(), hashlib.sha256
        ).hexdigest()
    )
    cache.add(key, 0, DECOY_FAILURES_TTL_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, DECOY_FAILURES_TTL_SECONDS)
        failures = 1
    cache.touch(key, DECOY_FAILURES_TTL_SECONDS)
    return max(0, settings.ACCESS_MAX_FAILED_LOGINS - failures)


def password_check(*, request: HttpRequest, username: str, password: str) -> PasswordCheck:
    """Check the password of the username typed in step 1.

    The member's access row stays locked from reading the lock to counting the
    outcome, so parallel tries take turns: after the last failure the limit allows,
    no try is checked against an access still open.

    A wrong password counts (``credentials.login_failure_record``), also on a locked
    access, and gets the answers an unknown username gets (``_decoy_failure``): "usuario
    o contraseña incorrectos", the last-try warning, then the lock message after as
    many failures. Only the right password of a locked access is told it is locked
    (who knows the password may learn how to unlock it). Every branch costs one
    password hash, so timing does not tell them apart.
    """
    user = _candidate(username)
    if user is None:
        make_password(password)
        audit_record(
            kind=AuditKind.LOGIN_FAILED,
            request=request,
            username=username_normalize(username),
            reason="unknown",
        )
        return _failure(_decoy_failure(username))
    with transaction.atomic():
        profile = credentials.login_profile_lock(user=user)
        if not user.check_password(password):
            return _failure(
                credentials.login_failure_record(user=user, request=request, profile=profile)
            )
        if profile.is_locked:
            audit_record(kind=AuditKind.LOGIN_FAILED, request=request, user=user, reason="locked")
            return PasswordCheck(ok=False, message=MSG_LOCKED, locked=True)
        if profile.temporary and (
            profile.temporary_expires_at is not None
            and profile.temporary_expires_at <= timezone.now()
        ):
            audit_record(
                kind=AuditKind.LOGIN_FAILED,
                request=request,
                user=user,
                reason="temporary_expired",
            )
            return PasswordCheck(ok=False, message=MSG_TEMPORARY_EXPIRED, temporary_expired=True)
        # The right password ends the run of failures now, under the lock: a wrong try
        # taking its turn next starts a new run instead of locking a member who is in.
        credentials.login_success_record(user=user)
    return PasswordCheck(ok=True, user=user, temporary=profile.temporary)


# ---------------------------------------------------------------- the session itself


def login_complete(
    *, request: HttpRequest, user: Any, device: Device | None = None, new_device: bool = False
) -> None:
    """Open the session (fires ``user_logged_in``: the header's LoginRecord) and audit it."""
    profile = credentials.profile_for(user)
    login(request, user, backend=_BACKEND)
    credentials.login_success_record(user=user)
    request.session.pop(SESSION_PENDING, None)
    request.session[SESSION_ACTIVITY] = int(time.time())
    if device is not None:
        devices.device_touch(device=device, request=request)
    audit_record(
        kind=AuditKind.LOGIN,
        request=request,
        user=user,
        device=device.pk if device is not None else None,
        new_device=new_device,
        temporary=profile.temporary,
    )


def redirect_after_login(request: HttpRequest, *, temporary: bool) -> str:
    """Where the member lands: first-login setup, the page they asked for, or home."""
    state = request.session.pop(SESSION_LOGIN, None) or {}
    if temporary:
        return reverse("enrol:setup")
    return state.get("next") or reverse(settings.LOGIN_REDIRECT_URL)


def session_end(*, request: HttpRequest, kind: str = AuditKind.LOGOUT) -> None:
    user = request.user
    if user.is_authenticated:
        audit_record(kind=kind, request=request, user=user)
    logout(request)


# ---------------------------------------------------------------- step 3: new device


def pending_start(*, request: HttpRequest, user: Any) -> None:
    """The password was right from an unknown browser: wait for the device code."""
    request.session[SESSION_PENDING] = {
        "user": user.pk,
        "nonce": secrets.token_hex(16),
        # A password change (recovery) in between makes the pending login worthless.
        "auth_hash": user.get_session_auth_hash(),
        "started": int(time.time()),
        "operation": None,
        "register": False,
        "alias": "",
    }


def pending_load(request: HttpRequest) -> tuple[dict[str, Any], Any] | None:
    """The pending login and its user, or None when it is missing, stale or now locked."""
    pending = request.session.get(SESSION_PENDING)
    if not pending:
        return None
    if int(time.time()) - int(pending.get("started", 0)) > PENDING_MAX_AGE_SECONDS:
        request.session.pop(SESSION_PENDING, None)
        return None
    user = (
        get_user_model()
        .objects.filter(pk=pending["user"], is_active=True, is_staff=False)
        .select_related("member")
        .first()
    )
    if (
        user is None
        or getattr(user, "member", None) is None
        or not hmac.compare_digest(pending["auth_hash"], user.get_session_auth_hash())
        or credentials.profile_for(user).is_locked
    ):
        request.session.pop(SESSION_PENDING, None)
        return None
    return dict(pending), user


def login_device_content(
    *, request: HttpRequest, pending: dict[str, Any], user: Any, register: bool, alias: str
) -> dict[str, Any]:
    """ "Si, guardar"/"No": what the login's operation on the confirmation flow does
    (and its code confirms), and the pending login remembers the choice."""
    alias = alias.strip() if register else ""
    pending.update(register=register, alias=alias)
    request.session[SESSION_PENDING] = pending
    return {
        "user": user.pk,
        "nonce": pending["nonce"],
        "register": register,
        "alias": alias,
        "next": login_state(request).get("next", ""),
    }


def pending_operation_set(*, request: HttpRequest, token: str) -> None:
    """The pending login waits for this operation's code (and no other)."""
    pending = request.session[SESSION_PENDING]
    pending["operation"] = token
    request.session[SESSION_PENDING] = pending


def login_device_execute(*, operation: Any, request: HttpRequest | None) -> str | None:
    """The right code (inside the transaction that spends it): open the session,
    register the device if chosen, tell the member.

    Refused (``ValidationError``, MSG_PENDING_GONE) when this browser's pending login is
    gone or no longer good (older than a quarter of an hour, the password changed, the
    access locked). Returns the new device's token for ``devices.device_cookie_set``, or
    None when not registered.
    """
    if request is None:
        raise ValidationError(MSG_PENDING_GONE)
    loaded = pending_load(request)
    if loaded is None:
        raise ValidationError(MSG_PENDING_GONE)
    pending, user = loaded
    content = operation.content
    if (
        pending.get("operation") != operation.token
        or pending["nonce"] != content["nonce"]
        or user.pk != content["user"]
    ):
        raise ValidationError(MSG_PENDING_GONE)
    token = None
    device = None
    if content["register"]:
        device, token = devices.device_register(user=user, alias=content["alias"], request=request)
    login_complete(request=request, user=user, device=device, new_device=True)
    meta = request_meta(request)
    member_notify(
        member=user.member,
        kind="ingreso_nuevo_dispositivo",
        context={
            "when": timezone.now(),
            "browser": browser_name(meta["user_agent"]),
            "ip": meta["ip"] or "desconocida",
            "registered": device is not None,
            "alias": device.alias if device is not None else "",
        },
    )
    request.session.pop(SESSION_LOGIN, None)
    return token


def login_device_next(operation: Any) -> str:
    """Where a login from a new device lands: the page asked for, or home."""
    return operation.content.get("next") or reverse(settings.LOGIN_REDIRECT_URL)


# ---------------------------------------------------------------- middleware


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class IdleTimeoutMiddleware:
    """End a member's session after ACCESS_IDLE_TIMEOUT_SECONDS without a request.

    Every request of the member counts as activity; the page's script sends none on
    its own (its keep-alive is the member's click on "Continuar sesión"). The page
    the script opens when time runs out is the only request that does not count.
    Staff sessions (the back office) end after ACCESS_STAFF_IDLE_TIMEOUT_SECONDS and go
    back to the back office's login.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(SESSION_ACTIVITY)
            limit = (
                settings.ACCESS_STAFF_IDLE_TIMEOUT_SECONDS
                if user.is_staff
                else settings.ACCESS_IDLE_TIMEOUT_SECONDS
            )
            if last is not None and now - int(last) >= limit:
                session_end(request=request, kind=AuditKind.SESSION_EXPIRED)
                if user.is_staff:
                    return redirect(f"{reverse('admin:login')}?next={request.path}")
                return _redirect(request, reverse("session:expired"))
            if request.path_info != reverse("session:expired") and last != now:
                request.session[SESSION_ACTIVITY] = now
        return self.get_response(request)


class AccessStateMiddleware:
    """Checks a member's access on every page, after login as well as at it.

    A blocked access (five failures in another browser, or "bloquear mi acceso" after
    a fraud) ends every session still open, not only new logins. A member logged in
    with temporary credentials may only finish the first login (namespace "enrol", and
    the confirmation flow's pages for its code: such a member can start no other
    operation, and the flow answers 404 for anyone else's token).
    """

    TEMPORARY_ALLOWED = frozenset({"enrol", "session", "notifications", "confirmation"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff:
            return None
        state = OnlineProfile.objects.filter(user=user).values("temporary", "locked_at").first()
        if state is None:
            return None
        if state["locked_at"] is not None:
            audit_record(kind=AuditKind.LOGOUT, request=request, user=user, reason="locked")
            logout(request)
            messages.error(request, MSG_LOCKED)
            return _redirect(request, reverse("session:login"))
        match = request.resolver_match
        if not state["temporary"] or (
            match is not None and match.namespace in self.TEMPORARY_ALLOWED
        ):
            return None
        return _redirect(request, reverse("enrol:setup"))
