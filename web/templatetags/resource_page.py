"""Filters of the resource page.

``plain_minutes`` and ``plain_days`` put a resource's rule fields in plain words ("3 天",
not "4320"). Temporary: the rules' one display function (resources.rules_display, coming
with the API's resources work) replaces them, so that the rules never read differently in
two places. Their strings carry the context "resource page" so they never clash with it.
"""

from __future__ import annotations

from django import template
from django.utils.translation import npgettext

register = template.Library()

CONTEXT = "resource page"


@register.filter
def plain_days(days: int) -> str:
    days = int(days)
    return npgettext(CONTEXT, "%(count)d day", "%(count)d days", days) % {"count": days}


@register.filter
def plain_minutes(minutes: int) -> str:
    """``90`` → "1 小时 30 分钟"; ``4320`` → "3 天"; ``0`` → "0 分钟"."""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [plain_days(days)] if days else []
    if hours:
        parts.append(
            npgettext(CONTEXT, "%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        )
    if mins or not parts:
        parts.append(
            npgettext(CONTEXT, "%(count)d minute", "%(count)d minutes", mins) % {"count": mins}
        )
    return " ".join(parts)


@register.filter
def minutes_between(start, end) -> int:
    """The length of [start, end) in whole minutes (an alternative's length)."""
    return int((end - start).total_seconds() // 60)
