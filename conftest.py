"""Shared fixtures: the cast of users, a real SMTP server, and the browser."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.support.browser import CHROMIUM, LAUNCH_ARGS, guard_network
from tests.support.smtp import LocalSMTPServer

# Playwright's sync API runs an event loop in the test thread; the ORM calls made
# by the tests themselves (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

MEMBER_PASSWORD = "Progreso#2026"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in item.keywords or "postgres" in item.keywords:
            item.fixturenames.append("_engine_guard")


@pytest.fixture
def _engine_guard(request: pytest.FixtureRequest) -> None:
    """A PostgreSQL test on another engine fails loudly instead of proving nothing."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL: set DATABASE_URL (make test does).")


@pytest.fixture(autouse=True)
def _huey_immediate() -> Iterator[None]:
    """Background jobs run inline in tests (notifications are delivered at COMMIT)."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def _cheap_argon2(settings) -> None:
    """Argon2 as production, at the lowest cost (tests/support/hashers.py)."""
    settings.PASSWORD_HASHERS = ["tests.support.hashers.CheapArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


def enrolled_member_user(
    *,
    username: str,
    first_names: str,
    last_names: str,
    email: str,
    mobile_phone: str,
    image: str,
    password: str = MEMBER_PASSWORD,
):
    """A user as a finished "Primer ingreso" leaves it: a socio, an image, no temporaries."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from enlinea.access.models import OnlineProfile
    from enlinea.members.services import member_create
    from enlinea.members.tests.support import make_cedula

    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        first_name=first_names.upper(),
        last_name=last_names.upper(),
    )
    socio = member_create(
        identification_type="CEDULA",
        identification=make_cedula(),
        first_names=first_names,
        last_names=last_names,
        email=email,
        mobile_phone=mobile_phone,
    )
    socio.user = user
    socio.save(update_fields=["user"])
    now = timezone.now()
    OnlineProfile.objects.create(
        user=user,
        security_image=image,
        temporary=False,
        setup_completed_at=now,
        password_changed_at=now,
    )
    return user


@pytest.fixture
def member(db):
    return enrolled_member_user(
        username="andreslopez",
        first_names="Andres David",
        last_names="Lopez Maya",
        email="andres.lopez@example.com",
        mobile_phone="0991234567",
        image="delfin",
    )


@pytest.fixture
def other_member(db):
    return enrolled_member_user(
        username="mariaperez",
        first_names="Maria Fernanda",
        last_names="Perez Guaman",
        email="maria.perez@example.com",
        mobile_phone="0987654321",
        image="paloma",
    )


def device_trusted_token(username: str, user_agent: str = "") -> str:
    """Register a browser as the member's device; returns the cookie's token."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from enlinea.access.devices import device_register

    user = get_user_model().objects.get(username=username)
    request = RequestFactory().get("/", HTTP_USER_AGENT=user_agent, REMOTE_ADDR="127.0.0.1")
    _, token = device_register(user=user, alias="Dispositivo de pruebas", request=request)
    return token


@pytest.fixture
def client_login():
    """Log in with Django's test client through the login steps, from a registered device."""
    from django.urls import reverse

    from enlinea.access.devices import DEVICE_COOKIE

    def _login(client, username: str = "andreslopez", password: str = MEMBER_PASSWORD, **extra):
        if DEVICE_COOKIE not in client.cookies:
            client.cookies[DEVICE_COOKIE] = device_trusted_token(
                username, extra.get("HTTP_USER_AGENT", "")
            )
        client.post(reverse("session:login"), {"username": username}, **extra)
        response = client.post(reverse("session:password"), {"password": password}, **extra)
        assert response.status_code == 302, response.content.decode()
        return response

    return _login


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's ``admin_client``, with the back office's second factor verified."""
    from django.test import Client

    from enlinea.staff.testing import staff_login

    return staff_login(Client(), admin_user)


@pytest.fixture
def smtp_server(settings) -> Iterator[LocalSMTPServer]:
    """A real SMTP server; Django's SMTP backend is pointed at it for the test."""
    server = LocalSMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _playwright() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """Open a page with a viewport; returns (page, outside_requests)."""
    contexts = []

    def _open(viewport: dict[str, int]):
        context = browser.new_context(viewport=viewport, locale="es-EC")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        outside = guard_network(page, live_server.url)
        return page, outside

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def login(live_server):
    """Log a member in through the login pages as a person would.

    By default the browser is first registered as the member's device (as after a
    "Si, guardar"), so the login goes straight in without a security code.
    """
    from enlinea.access.devices import DEVICE_COOKIE

    def _login(
        page,
        username: str = "andreslopez",
        password: str = MEMBER_PASSWORD,
        *,
        known_device: bool = True,
    ) -> None:
        if known_device and not any(
            cookie["name"] == DEVICE_COOKIE for cookie in page.context.cookies()
        ):
            token = device_trusted_token(username, page.evaluate("navigator.userAgent"))
            page.context.add_cookies(
                [{"name": DEVICE_COOKIE, "value": token, "url": live_server.url}]
            )
        page.goto(live_server.url + "/")
        page.get_by_label("Usuario").fill(username)
        page.get_by_role("button", name="Continuar").click()
        page.get_by_label("Contraseña").fill(password)
        page.get_by_role("button", name="Iniciar Sesión").click()
        page.wait_for_url("**/inicio/")

    return _login
