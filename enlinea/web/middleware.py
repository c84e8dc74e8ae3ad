from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class VaryOnHtmxMiddleware:
    """Pages answer HTMX requests with a fragment, so caches must key on HX-Request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class NoStoreMiddleware:
    """Every page the application makes is ``Cache-Control: no-store`` (finding 10).

    Member pages, the back office, HTMX fragments and downloads show a member's data
    (a complaint with cédula and e-mail, balances); stored in a shared computer's
    browser cache they come back with the Back button or from disk after logout.
    Anonymous pages get it too: the login, registration and recovery steps carry state
    (the security image, a masked contact, a username), and a public page such as
    Preguntas frecuentes is rendered differently for a member. Only the static files
    (CSS, JavaScript, images) are cacheable: WhiteNoise answers them before this
    middleware runs. ``add_never_cache_headers`` also wins over a view's own
    ``public``/``max-age`` (Django's ``patch_cache_control`` drops the opposite).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
