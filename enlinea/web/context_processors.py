from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from enlinea.web.menu import SECTIONS


def institution(request: HttpRequest) -> dict[str, Any]:
    """Branding and the menu for every template; nothing hard-codes the cooperative."""
    return {
        "institution": settings.INSTITUTION,
        "menu_sections": SECTIONS,
        "show_dev_tools": settings.DEBUG or settings.DEMO_MODE,
    }
