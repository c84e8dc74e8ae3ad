"""What every member page that starts an operation does with the flow's answer.

    started = operation_begin(request, member, "beneficiary_delete", content)
    if started is not None:
        return started        # the operation's next step: Confirmar, or its code
    # refused (the member's code rate limit): the reason is a message on this page

``send_code=True`` skips the flow's "Confirmar" page for a kind that has one, when the
page that started it already showed every detail (Diferir consumos' simulation).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused, operation_code_send, operation_start


def operation_begin(
    request: HttpRequest,
    member: Any,
    kind: str,
    content: dict[str, Any],
    *,
    send_code: bool = False,
) -> HttpResponse | None:
    """Open the operation and redirect to its next step; None (and a message) if refused."""
    try:
        operation = operation_start(member=member, kind=kind, content=content, request=request)
        if send_code:
            operation = operation_code_send(operation=operation, request=request)
    except OperationRefused as exc:
        messages.error(request, str(exc))
        return None
    return redirect(operation_next_url(operation))
