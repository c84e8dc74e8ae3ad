"""The day, the week (Monday to Sunday) and the month a moment falls in, in the
cooperative's time zone (``settings.TIME_ZONE``, America/Guayaquil).

Each window is ``[start, end)`` as aware datetimes: a transfer at 23:59:59 local time
belongs to its day, one at 00:00:00 to the next. Local midnights are computed in the
zone itself, so the windows stay right in a zone with daylight saving time too.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


def period_windows(at: dt.datetime) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """``{"daily": (start, end), "weekly": …, "monthly": …}`` around ``at``."""
    if timezone.is_naive(at):
        raise ValueError("period_windows needs an aware datetime")
    zone = timezone.get_default_timezone()
    today = at.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    first = today.replace(day=1)
    return {
        "daily": (_midnight(today, zone), _midnight(today + dt.timedelta(days=1), zone)),
        "weekly": (_midnight(monday, zone), _midnight(monday + dt.timedelta(days=7), zone)),
        "monthly": (_midnight(first, zone), _midnight(_next_month(first), zone)),
    }
