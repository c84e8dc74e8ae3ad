from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import MEMBER_PASSWORD

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_login_page_sends_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/")
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    # The only inline style (brand colours) carries this response's nonce.
    nonce = next(v for v in csp["style-src"] if v.startswith("'nonce-"))[7:-1]
    assert f'<style nonce="{nonce}">' in response.content.decode()


def test_security_headers_are_present(client: Client) -> None:
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "HX-Request" in response["Vary"]


def test_hsts_is_sent_over_https_when_enabled(client: Client, settings) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/")


def test_session_and_csrf_cookies_are_httponly_and_samesite(
    client: Client, member, client_login
) -> None:
    page = client.get("/")
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"
    response = client_login(client)
    assert response.status_code == 302
    session = response.cookies["enlinea_sesion"]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_forms_without_csrf_token_are_refused_in_spanish(member) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/", {"username": "andreslopez", "password": MEMBER_PASSWORD})
    assert response.status_code == 403
    assert "La página expiró" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_htmx_requests_need_the_csrf_header_too(member) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/")
    token = str(page.context["csrf_token"])
    # The token is published to HTMX through hx-headers on <body>, never through a cookie read by JS.
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page.content.decode()
    refused = client.post(
        "/", {"username": "andreslopez", "password": MEMBER_PASSWORD}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 403
    accepted = client.post(
        "/",
        {"username": "andreslopez", "password": MEMBER_PASSWORD},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 302


def test_logout_only_by_post(client: Client, member) -> None:
    client.force_login(member)
    assert client.get(reverse("session:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("session:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_errors_show_spanish_pages_not_debug_pages(client: Client, settings) -> None:
    assert settings.DEBUG is False
    response = client.get("/no-existe/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Página no encontrada" in body
    assert "Traceback" not in body
    assert "URLconf" not in body


def test_server_error_page_is_spanish_and_hides_details(settings) -> None:
    settings.ROOT_URLCONF = "enlinea.web.tests.urls_boom"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Algo salió mal" in body
    assert "secreto interno" not in body
