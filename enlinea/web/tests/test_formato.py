from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from enlinea.web.templatetags.formato import dinero, fecha, fecha_corta
from enlinea.web.templatetags.ui import mmss

UTC = dt.UTC


def test_fecha_is_local_time_with_spanish_month() -> None:
    # 16:03 UTC is 11:03 in Guayaquil (UTC-5).
    moment = dt.datetime(2026, 1, 24, 16, 3, tzinfo=UTC)
    assert fecha(moment) == "24/ene./2026 11:03"


@pytest.mark.parametrize(
    ("month", "abbr"),
    list(
        enumerate(
            [
                "ene.",
                "feb.",
                "mar.",
                "abr.",
                "may.",
                "jun.",
                "jul.",
                "ago.",
                "sep.",
                "oct.",
                "nov.",
                "dic.",
            ],
            start=1,
        )
    ),
)
def test_every_month_has_its_manual_abbreviation(month: int, abbr: str) -> None:
    assert fecha(dt.date(2025, month, 1)) == f"01/{abbr}/2025"


def test_fecha_corta_drops_the_time_after_converting_to_local() -> None:
    # 02:00 UTC on the 1st is still the 31st in Guayaquil.
    assert fecha_corta(dt.datetime(2025, 8, 1, 2, 0, tzinfo=UTC)) == "31/jul./2025"


def test_filters_in_templates_and_empty_values() -> None:
    template = Template("{% load formato %}{{ a|dinero }}|{{ b|fecha }}|{{ c|dinero }}")
    when = dt.datetime(2026, 1, 23, 13, 1, tzinfo=ZoneInfo("America/Guayaquil"))
    assert (
        template.render(Context({"a": 125502, "b": when, "c": None}))
        == "$ 1,255.02|23/ene./2026 13:01|"
    )
    assert dinero(None) == ""
    assert fecha(None) == ""


@pytest.mark.parametrize(
    ("seconds", "text"), [(180, "03:00"), (178, "02:58"), (0, "00:00"), (-4, "00:00")]
)
def test_countdown_text(seconds: int, text: str) -> None:
    assert mmss(seconds) == text
