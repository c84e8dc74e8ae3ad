from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from enlinea.access.selectors import previous_login
from enlinea.access.services import SESSION_KEY


def session_info(request: HttpRequest) -> dict[str, Any]:
    """The header's "Última conexión" and "Dispositivo" (the session before this one),
    and the idle-timeout timings the member layout hands to app.js."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "idle_timeout_seconds": settings.ACCESS_IDLE_TIMEOUT_SECONDS,
        "idle_warning_seconds": settings.ACCESS_IDLE_WARNING_SECONDS,
        # Lazy: only pages with the member's header pay for the query.
        "previous_login": SimpleLazyObject(
            lambda: previous_login(user=user, current_id=request.session.get(SESSION_KEY))
        ),
    }
