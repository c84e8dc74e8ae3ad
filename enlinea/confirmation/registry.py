"""The operation kinds the confirmation flow knows, each declared once by its app.

An app declares its kinds in ``enlinea/<app>/confirmations.py`` (imported at start-up
by ``ConfirmationConfig.ready``)::

    from enlinea.confirmation.registry import OperationKind, register, url

    register(
        OperationKind(
            name="beneficiary_delete",            # also the SecurityChallenge.kind
            title="Eliminar beneficiario",        # heading of the Confirmar and code pages
            description="Eliminar beneficiario",  # what the code e-mail says it is for
            start_url=url("beneficiaries:list"),  # "Regresar", "Cancelar", "Volver a empezar"
            details=lambda op: [("Beneficiario", op.content["name"])],
            execute=_delete,                      # (operation, request) -> result dict
            result=lambda op: {"title": "Beneficiario eliminado", ...},
        )
    )

and its view starts an operation from a validated form with
``confirmation.services.operation_start(member=…, kind="beneficiary_delete",
content={…}, request=request)`` and redirects to ``operation_next_url(operation)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

if TYPE_CHECKING:
    from enlinea.confirmation.models import PendingOperation

Rows = list[tuple[str, str]]


@dataclass(frozen=True)
class OperationKind:
    """How one kind of operation is shown, confirmed and executed.

    ``execute(operation, request)`` runs inside the transaction that spends the code
    (after ``challenge_use``, inside a savepoint); it must not open a durable atomic
    block. It returns the result to keep (JSON: ints and strings, e.g. the receipt
    number) or None. Raising one of ``errors`` (Spanish message) leaves nothing of it
    and makes the operation FAILED with that message; anything else is a bug (500,
    everything rolled back, the code still unspent).

    ``details(operation)`` gives the rows (label, value) of the "Confirmar" page; a
    kind whose own form already is the confirmation (Perfil's) sets it to None and
    the code is sent as soon as the operation starts.

    ``result(operation)`` gives the result page's context: ``title``, ``message``,
    optionally ``number`` (Comprobante N.º), ``when``, ``details``, ``next_steps``,
    ``pdf_url``, ``again_url``/``again_label`` and ``back_url``/``back_label``
    (default: ``start_url``, "Cerrar"). A kind whose outcome is shown by a page of its
    own (the next step of a longer flow, "Tu acceso fue bloqueado") sets
    ``result_url(operation)`` instead: a DONE operation's result redirects there.

    ``respond(operation, request, response)``: acts on the response of the request
    that executed the operation (only that one: a replay or a refresh gets the plain
    redirect), e.g. login's device cookie; returns the response to send.

    ``code_intro(operation)``: (text, link URL, link label) said above the code on the
    code page (login's «Lo registraremos como … Cambiar»); the link may be empty.

    ``single``: one pending operation of this kind per member: starting one ends
    (EXPIRED) the member's earlier pending ones, whose codes are then refused (a newer
    login voids the older one's code).

    ``public``: the operation is started without a login (password recovery,
    "Bloquear mi acceso" from the login page). Its pages then answer to the browser
    session that started it (``views.operation_session_remember``) instead of to a
    logged-in member; ``layout`` should be "web/public.html".
    """

    name: str
    title: str
    description: str
    start_url: Callable[[PendingOperation], str]
    execute: Callable[[PendingOperation, HttpRequest | None], Mapping[str, Any] | None]
    result: Callable[[PendingOperation], dict[str, Any]] | None = None
    details: Callable[[PendingOperation], Rows] | None = None
    result_url: Callable[[PendingOperation], str] | None = None
    confirm_title: str = "Confirmar"
    confirm_label: str = "Confirmar"
    result_template: str = "confirmation/result.html"
    layout: str = "web/member.html"
    errors: tuple[type[BaseException], ...] = field(default=(ValidationError,))
    public: bool = False
    respond: Callable[[PendingOperation, HttpRequest, HttpResponse], HttpResponse] | None = None
    code_intro: Callable[[PendingOperation], tuple[str, str, str]] | None = None
    single: bool = False

    def __post_init__(self) -> None:
        if (self.result is None) == (self.result_url is None):
            raise ImproperlyConfigured(
                f"Operation kind {self.name!r}: give exactly one of result and result_url"
            )

    @property
    def confirm_page(self) -> bool:
        return self.details is not None


_KINDS: dict[str, OperationKind] = {}


def register(kind: OperationKind) -> OperationKind:
    """Add a kind; a second kind with the same name is a programming error."""
    if len(kind.name) > 40:
        raise ImproperlyConfigured(f"Operation kind name too long: {kind.name!r}")
    existing = _KINDS.get(kind.name)
    if existing is not None and existing is not kind:
        raise ImproperlyConfigured(f"Operation kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests that register their own)."""
    _KINDS.pop(name, None)


def kind_get(name: str) -> OperationKind:
    try:
        return _KINDS[name]
    except KeyError as exc:
        raise ImproperlyConfigured(f"Unknown operation kind {name!r}") from exc


def kinds() -> dict[str, OperationKind]:
    return dict(_KINDS)


def url(name: str, **kwargs: Any) -> Callable[[PendingOperation], str]:
    """A ``start_url`` that is a fixed URL name: ``url("profile:image")``."""

    def resolve(operation: PendingOperation) -> str:
        return reverse(name, kwargs=kwargs or None)

    return resolve
