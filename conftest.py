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
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(
        username="andreslopez",
        password=MEMBER_PASSWORD,
        first_name="ANDRES DAVID",
        last_name="LOPEZ MAYA",
    )


@pytest.fixture
def other_member(django_user_model):
    return django_user_model.objects.create_user(username="mariaperez", password=MEMBER_PASSWORD)


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
    """Log a member in through the login page as a person would."""

    def _login(page, username: str = "andreslopez", password: str = MEMBER_PASSWORD) -> None:
        page.goto(live_server.url + "/")
        page.get_by_label("Usuario").fill(username)
        page.get_by_label("Contraseña").fill(password)
        page.get_by_role("button", name="Iniciar Sesión").click()
        page.wait_for_url("**/inicio/")

    return _login
