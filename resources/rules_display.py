"""A resource's booking rules in plain words, in the active language.

The API (``rules_display``), the web pages and the back office all show the rules with
this one function, so that "提前 3 天预约" never reads differently in two places. The
machine form stays the resource's own minutes fields; these sentences are for people.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from resources.models import Resource

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR


@dataclass(frozen=True)
class RuleLine:
    """One rule as a sentence; ``rule`` names it for clients that show an icon per rule."""

    rule: str
    text: str


def days_text(days: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def duration_text(minutes: int) -> str:
    """``90`` → "1 hour 30 minutes" (1 小时 30 分钟); whole days and hours read as such
    (``4320`` → "3 days"); ``0`` → "0 minutes"."""
    days, rest = divmod(minutes, MINUTES_PER_DAY)
    hours, mins = divmod(rest, MINUTES_PER_HOUR)
    parts = []
    if days:
        parts.append(days_text(days))
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if mins or not parts:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", mins) % {"count": mins})
    return " ".join(parts)


def _durations_line(resource: Resource) -> str:
    shortest = resource.min_duration_minutes
    longest = resource.max_duration_minutes
    if shortest == longest:
        return _("%(duration)s per booking") % {"duration": duration_text(shortest)}
    return _("%(shortest)s to %(longest)s per booking") % {
        "shortest": duration_text(shortest),
        "longest": duration_text(longest),
    }


def rules_display(resource: Resource) -> list[RuleLine]:
    """The resource's rules, one sentence each, in a fixed order (horizon, notice, length,
    steps, buffer, capacity, approval, check-in). Reads only the resource's own fields."""
    lines = [
        RuleLine(
            "max_days_ahead",
            _("Book up to %(days)s ahead") % {"days": days_text(resource.max_days_ahead)},
        ),
        RuleLine(
            "min_notice_minutes",
            _("At least %(duration)s ahead")
            % {"duration": duration_text(resource.min_notice_minutes)}
            if resource.min_notice_minutes
            else _("No notice needed"),
        ),
        RuleLine("duration", _durations_line(resource)),
        RuleLine(
            "slot_minutes",
            _("Booked in steps of %(duration)s")
            % {"duration": duration_text(resource.slot_minutes)},
        ),
    ]
    if resource.buffer_minutes:
        lines.append(
            RuleLine(
                "buffer_minutes",
                _("%(duration)s kept free after each booking")
                % {"duration": duration_text(resource.buffer_minutes)},
            )
        )
    lines.append(
        RuleLine(
            "capacity",
            ngettext("Up to %(count)d person", "Up to %(count)d people", resource.capacity)
            % {"count": resource.capacity},
        )
    )
    lines.append(
        RuleLine(
            "requires_approval",
            _("Requires approval") if resource.requires_approval else _("No approval needed"),
        )
    )
    lines.append(
        RuleLine(
            "requires_checkin",
            _("Check in by scanning the QR code")
            if resource.requires_checkin
            else _("No check-in needed"),
        )
    )
    return lines


def rules_display_text(resource: Resource) -> str:
    """The sentences on one line, for the back office's lists."""
    return _("; ").join(line.text for line in rules_display(resource))


# --- Quotas (issue 12; the rows are bookings.quota_models.Quota, passed in as words) -----


def quota_text(*, kind: str, scope: str, measure: str, period: str, limit: int) -> str:
    """One quota as a sentence: "Each member: at most 10 hours per week" (每位成员：每周最多
    10 小时); ``kind`` (a kind's label) when the quota covers every resource of a kind."""
    who = _("Each member") if scope == "member" else _("Each member unit")
    if measure == "bookings":
        amount = ngettext("%(count)d booking", "%(count)d bookings", limit) % {"count": limit}
    else:
        amount = ngettext("%(count)d hour", "%(count)d hours", limit) % {"count": limit}
    if measure == "hours_ahead":
        rule = _("at most %(amount)s booked ahead") % {"amount": amount}
    else:
        per = {"day": _("per day"), "week": _("per week"), "month": _("per month")}[period]
        rule = _("at most %(amount)s %(per)s") % {"amount": amount, "per": per}
    if kind:
        return _("%(who)s, all %(kind)s resources together: %(rule)s") % {
            "who": who,
            "kind": kind,
            "rule": rule,
        }
    return _("%(who)s: %(rule)s") % {"who": who, "rule": rule}


def quota_left_text(*, measure: str, left) -> str:
    """What is left of a quota: "2 bookings", "1.5 hours"."""
    if measure == "bookings":
        count = int(left)
        return ngettext("%(count)d booking", "%(count)d bookings", count) % {"count": count}
    return _("%(hours)s hours") % {"hours": f"{float(left):g}"}
