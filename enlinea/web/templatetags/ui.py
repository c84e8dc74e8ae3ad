"""Small helpers for the design-system partials."""

from __future__ import annotations

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def mmss(seconds: int | float | None) -> str:
    """Seconds left as ``02:58`` for countdowns."""
    total = max(0, int(seconds or 0))
    return f"{total // 60:02d}:{total % 60:02d}"


@register.simple_tag
def seconds_until(moment) -> int:
    """Whole seconds from now until ``moment`` (never negative)."""
    return max(0, int((moment - timezone.now()).total_seconds()))
