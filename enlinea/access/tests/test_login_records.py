from __future__ import annotations

import pytest

from enlinea.access.models import LoginRecord
from enlinea.access.services import browser_name


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
            "Microsoft Edge",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36",
            "Google Chrome",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            "Mozilla Firefox",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari",
        ),
        ("", "Navegador desconocido"),
    ],
)
def test_browser_names_as_the_manual_writes_them(agent: str, name: str) -> None:
    assert browser_name(agent) == name


def test_device_label_matches_the_manuals_header() -> None:
    record = LoginRecord(browser="Microsoft Edge", ip="179.60.191.12")
    assert record.device_label == "Microsoft Edge - WEB - 179.60.191.12"
