"""Filters of the resource page.

``plain_minutes`` puts a length in plain words ("1 小时 30 分钟", not "90") with the rules'
one display function (resources.rules_display), so lengths never read differently in two
places.
"""

from __future__ import annotations

from django import template

from resources.rules_display import duration_text

register = template.Library()


@register.filter
def plain_minutes(minutes: int) -> str:
    """``90`` → "1 小时 30 分钟"; ``4320`` → "3 天"; ``0`` → "0 分钟"."""
    return duration_text(int(minutes))


@register.filter
def minutes_between(start, end) -> int:
    """The length of [start, end) in whole minutes (an alternative's length)."""
    return int((end - start).total_seconds() // 60)
