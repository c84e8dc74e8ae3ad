"""Access's operations on the confirmation flow (enlinea/confirmation): Perfil's
changes, password recovery's code and "Bloquear mi acceso" from the login page, login
from a new device, and the two enrolment wizards' codes (Regístrate, Primer ingreso).

Each of these forms already is the confirmation the manual draws ("Confirmar",
"Validar", "Aceptar", "Sí, eliminar", "Continuar"), so these kinds have no
"Confirmar" page of their own: the code is sent when the form is accepted. What the
operation keeps until the code is only hashes of secrets (answers, password), never
what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse

from enlinea.access import credentials, devices, enrolment, recovery, session
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, register, url

QUESTIONS = "profile_questions"
IMAGE = "profile_image"
PASSWORD_CHANGE = "profile_password"  # noqa: S105  (a kind name, not a password)
USERNAME = "profile_username"
DEVICE_REMOVE = "profile_device_remove"
SELF_BLOCK = recovery.SELF_BLOCK_KIND
RECOVERY = recovery.RECOVERY_KIND
LOGIN_DEVICE = session.DEVICE_CODE_KIND
REGISTRATION = enrolment.KIND_REGISTRATION
FIRST_LOGIN = enrolment.KIND_FIRST_LOGIN

# The new device's cookie token travels from ``execute`` to ``respond`` on the request
# that executed the login: it is a secret, never kept in the operation.
_DEVICE_TOKEN_ATTR = "_enlinea_new_device_token"  # noqa: S105  (an attribute name)

_ENROLMENT_ERRORS = (enrolment.EnrolmentError, ValidationError)

_SUCCESS = "El proceso se realizó correctamente."


def _questions(operation: PendingOperation, request: HttpRequest | None) -> None:
    credentials.answers_store(
        user=operation.member.user,
        hashes=operation.content["answers"],
        minimum=settings.ACCESS_QUESTIONS_MIN_UPDATE,
        request=request,
    )


def _image(operation: PendingOperation, request: HttpRequest | None) -> None:
    credentials.image_set(
        user=operation.member.user, image=operation.content["image"], request=request
    )


def _password(operation: PendingOperation, request: HttpRequest | None) -> None:
    user = operation.member.user
    credentials.password_store(user=user, encoded=operation.content["password"], request=request)
    if request is not None:
        # This session stays; every other one ends (their auth hash no longer matches).
        update_session_auth_hash(request, user)


def _username(operation: PendingOperation, request: HttpRequest | None) -> None:
    credentials.username_set(
        user=operation.member.user, username=operation.content["username"], request=request
    )


def _device_removal(operation: PendingOperation, request: HttpRequest | None) -> None:
    try:
        devices.device_remove(
            user=operation.member.user,
            device_id=operation.content["device"],
            reason=operation.content["reason"],
            request=request,
        )
    except Http404 as exc:  # removed meanwhile, e.g. from another session
        raise ValidationError("Ese dispositivo ya no está registrado.") from exc


def _self_block(operation: PendingOperation, request: HttpRequest | None) -> None:
    recovery.access_self_block(member=operation.member, request=request)
    if request is not None and request.user.is_authenticated:
        logout(request)  # its session row is already gone


def _recovery_code(operation: PendingOperation, request: HttpRequest | None) -> None:
    recovery.recovery_code_confirmed(member=operation.member, attempt=operation.content["attempt"])


def _login_device(operation: PendingOperation, request: HttpRequest | None) -> None:
    token = session.login_device_execute(operation=operation, request=request)
    if token is not None:
        setattr(request, _DEVICE_TOKEN_ATTR, token)


def _login_device_cookie(
    operation: PendingOperation, request: HttpRequest, response: HttpResponse
) -> HttpResponse:
    token = getattr(request, _DEVICE_TOKEN_ATTR, None)
    if token is not None:
        devices.device_cookie_set(response, token)
    return response


def _login_device_intro(operation: PendingOperation) -> tuple[str, str, str]:
    text = "Estás ingresando desde un nuevo dispositivo."
    if operation.content["register"]:
        text += f" Lo registraremos como «{operation.content['alias']}» cuando valides el código."
    else:
        text += " No lo registraremos: la próxima vez te pediremos otro código."
    return text, reverse("session:device"), "Cambiar"


def _registration(operation: PendingOperation, request: HttpRequest | None) -> None:
    registration = enrolment.registration_complete(
        member_id=operation.content["member"],
        consent_ids=operation.content["consents"],
        request=request,
    )
    # The operation's member may still hold an expired temporary user just deleted:
    # the flow's own audit rows must name the new one.
    operation.member.user = registration.user
    if request is not None:
        request.session.pop(enrolment.SESSION_REGISTER, None)  # the wizard is over


def _registration_result(operation: PendingOperation) -> dict[str, Any]:
    return {
        "title": "¡Registro exitoso!",
        "login_url": resolve_url(settings.LOGIN_URL),
        "hours": settings.ACCESS_TEMP_CREDENTIALS_HOURS,
        "password_by_sms": enrolment.temporary_password_by_sms(),
    }


def _first_login(operation: PendingOperation, request: HttpRequest | None) -> dict[str, str]:
    # The code confirms the choices this browser's wizard holds now: a step changed
    # since (in this tab or another) voids it, as it voids the wizard's own state.
    user = operation.member.user
    if (
        request is None
        or request.user.pk != user.pk
        or enrolment.setup_state_load(request).operation != operation.token
    ):
        raise enrolment.EnrolmentError(enrolment.MSG_SETUP_CHANGED, code="changed")
    try:
        result = enrolment.setup_complete(user=user, content=operation.content, request=request)
    except enrolment.EnrolmentError as exc:
        if exc.code == "username_taken":
            enrolment.setup_username_refused(request, message=str(exc))
        raise
    setattr(request, _DEVICE_TOKEN_ATTR, result.device_token)
    return {"username": result.username}


def _first_login_done(
    operation: PendingOperation, request: HttpRequest, response: HttpResponse
) -> HttpResponse:
    """Paso 8 and 9: the member logs in again, with the new credentials."""
    token = getattr(request, _DEVICE_TOKEN_ATTR, None)
    logout(request)
    request.session[enrolment.SESSION_SETUP_DONE] = operation.result["username"]
    if token is not None:
        devices.device_cookie_set(response, token)
    return response


def _first_login_intro(operation: PendingOperation) -> tuple[str, str, str]:
    content = operation.content
    device = (
        f"y que registras este dispositivo como «{content['alias']}»"
        if content["device"]
        else "y que no registras este dispositivo"
    )
    text = (
        f"Con él confirmas tu nuevo usuario «{content['username']}», tus preguntas e imagen "
        f"de seguridad, tu nueva contraseña {device}."
    )
    return text, "", ""


def _done(
    title: str, message: str = _SUCCESS, close: str = ""
) -> Callable[[PendingOperation], dict[str, Any]]:
    def result(operation: PendingOperation) -> dict[str, Any]:
        context: dict[str, Any] = {"title": title, "message": message}
        context["back_url"] = reverse(close) if close else _profile_url()
        return context

    return result


def _profile_url() -> str:
    return reverse("web:section", kwargs={"slug": "perfil"})


register(
    OperationKind(
        name=QUESTIONS,
        title="Actualizar preguntas de seguridad",
        description="Actualizar preguntas de seguridad",
        start_url=url("profile:questions"),
        execute=_questions,
        result=_done("Preguntas de seguridad actualizadas"),
    )
)
register(
    OperationKind(
        name=IMAGE,
        title="Actualizar imagen de seguridad",
        description="Actualizar imagen de seguridad",
        start_url=url("profile:image"),
        execute=_image,
        result=_done("Imagen de seguridad actualizada"),
    )
)
register(
    OperationKind(
        name=PASSWORD_CHANGE,
        title="Actualizar contraseña",
        description="Actualizar contraseña",
        start_url=url("profile:password"),
        execute=_password,
        result=_done("Contraseña actualizada"),
    )
)
register(
    OperationKind(
        name=USERNAME,
        title="Personaliza tu nombre de usuario",
        description="Cambio de usuario",
        start_url=url("profile:username"),
        execute=_username,
        result=_done("Cambio de usuario", "Se ha cambiado el usuario correctamente"),
    )
)
register(
    OperationKind(
        name=DEVICE_REMOVE,
        title="Eliminar dispositivo",
        description="Eliminar dispositivo",
        start_url=url("profile:devices"),
        execute=_device_removal,
        result=_done(
            "Dispositivo eliminado", "El proceso se ha realizado con éxito.", "profile:devices"
        ),
    )
)

# "Bloquear mi acceso" without a session (the FAQ's fraud case): cédula + usuario, then
# a code to the member's e-mail and mobile. Public: the browser that started it holds
# it. Its outcome is the "Tu acceso fue bloqueado" page.
register(
    OperationKind(
        name=SELF_BLOCK,
        title="Bloquear mi acceso",
        description="Bloquear mi acceso",
        start_url=url("profile:recover_block"),
        execute=_self_block,
        result_url=url("profile:blocked"),
        layout="web/public.html",
        public=True,
    )
)

# "¿Olvidaste tu contraseña?" step 3: the code, after the security questions. Its
# operation is to let this attempt choose the new password (step 4, its own page).
register(
    OperationKind(
        name=RECOVERY,
        title="Recuperar contraseña",
        description="Recuperar contraseña",
        start_url=url("profile:recover"),
        execute=_recovery_code,
        result_url=url("profile:recover_password"),
        layout="web/public.html",
        public=True,
    )
)

# Login from a browser that is not a registered device: the "Nuevo dispositivo" form
# (register it? alias) is the confirmation; the code opens the session. Public (no
# session yet), one pending per member (a newer login voids the older code); the
# device cookie is set on the response of the request that executed it.
register(
    OperationKind(
        name=LOGIN_DEVICE,
        title="Iniciar Sesión",
        description=session.DEVICE_CODE_DESCRIPTION,
        start_url=url("session:login"),
        execute=_login_device,
        result_url=session.login_device_next,
        layout="web/public.html",
        public=True,
        single=True,
        respond=_login_device_cookie,
        code_intro=_login_device_intro,
    )
)

# Regístrate, Paso 5: the code once the cédula and both consents are accepted. Public
# (no session yet: the browser that started it holds it); one pending per member, as
# a second registration voids the first one's code. Its result is "¡Registro exitoso!".
register(
    OperationKind(
        name=REGISTRATION,
        title="Regístrate",
        description="Registro en En Línea",
        start_url=url("enrol:register"),
        execute=_registration,
        result=_registration_result,
        result_template="access/enrolment/register_done.html",
        layout="web/public.html",
        public=True,
        single=True,
        errors=_ENROLMENT_ERRORS,
    )
)

# Primer ingreso, Paso 7: Paso 6 ("¿Deseas registrarlo?") is the confirmation; the code
# applies every choice at once, then logs the member out for Paso 9 (the device cookie
# and the logout on the response of the request that executed it).
register(
    OperationKind(
        name=FIRST_LOGIN,
        title="Primer ingreso",
        description="Configuración de tus credenciales",
        start_url=url("enrol:setup_device"),
        execute=_first_login,
        result_url=url("enrol:setup_done"),
        layout="web/public.html",
        single=True,
        respond=_first_login_done,
        code_intro=_first_login_intro,
        errors=_ENROLMENT_ERRORS,
    )
)
