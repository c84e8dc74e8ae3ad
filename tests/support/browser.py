"""Playwright on Debian's Chromium, with an accessibility check and a network guard."""

from __future__ import annotations

from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import FloatRect, Locator, Page, Route

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()


def guard_network(page: Page, origin: str) -> list[str]:
    """Abort and record every request that leaves the server under test."""
    outside: list[str] = []
    allowed = urlsplit(origin).netloc

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.netloc == allowed:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", handle)
    return outside


def wait_styled(page: Page) -> None:
    """Wait for the page's stylesheets and fonts.

    A click that navigates returns once the new page's URL and first elements are
    there, before its stylesheet has loaded: anything measured then is measured
    half-styled (tables too wide, buttons too small).
    """
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")


def page_width(page: Page) -> int:
    """The page's full width once styled: more than the viewport means it scrolls sideways."""
    wait_styled(page)
    return page.evaluate("document.documentElement.scrollWidth")


def styled_box(locator: Locator) -> FloatRect | None:
    """The element's box once its page is styled."""
    wait_styled(locator.page)
    return locator.bounding_box()


def assert_accessible(page: Page) -> None:
    """axe-core on the current page (once styled): no serious or critical violations."""
    wait_styled(page)
    # axe-core is injected once per document (a page that only swapped a fragment keeps
    # it) and asked for violations only, without the passed checks' nodes: a quarter
    # less time per check.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    response = page.evaluate(
        "(options) => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"Accessibility violations on {page.url}:\n" + "\n".join(bad)
