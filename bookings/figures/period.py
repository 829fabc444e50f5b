"""The period figures are computed over: whole local days (Asia/Shanghai), first and last
date inclusive, as the half-open span of instants [local midnight of ``first``, local
midnight after ``last``).

Parsed from ``?from=YYYY-MM-DD&to=YYYY-MM-DD``, or ``?year=YYYY`` (with ``&month=M``), by
:func:`period_parse`; bad input is ``ValidationFailed`` with a code of its own
(``figures_bad_date``, ``figures_period_reversed``, ``figures_period_too_long``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone

from alliance.errors import ValidationFailed
from resources.selectors import alliance_zone, local_midnight

#: The longest period figures are computed over: a leap year and a day's slack.
PERIOD_MAX_DAYS = 367


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValidationFailed("figures_period_reversed", fields={"to": ["period_reversed"]})
        if self.days > PERIOD_MAX_DAYS:
            raise ValidationFailed(
                "figures_period_too_long",
                params={"days": PERIOD_MAX_DAYS},
                fields={"to": ["period_too_long"]},
            )

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (aware, local midnight of ``first``)."""
        return local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The instant after the period (local midnight after ``last``): exclusive."""
        return local_midnight(self.last + dt.timedelta(days=1))

    def months(self) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
        """The calendar months the period touches, each clipped to the period: (first day of
        the month, start, end) in order."""
        months = []
        day = self.first.replace(day=1)
        while day <= self.last:
            following = (day + dt.timedelta(days=32)).replace(day=1)
            start = max(local_midnight(day), self.start)
            end = min(local_midnight(following), self.end)
            months.append((day, start, end))
            day = following
        return months

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return cls(first, following - dt.timedelta(days=1))

    @classmethod
    def this_year(cls, now: dt.datetime | None = None) -> Period:
        """1 January of the current local year to today."""
        today = (now or timezone.now()).astimezone(alliance_zone()).date()
        return cls(today.replace(month=1, day=1), today)


def _date(params: Mapping[str, str], name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(params[name]).strip())
    except ValueError:
        raise ValidationFailed("figures_bad_date", fields={name: ["bad_date"]}) from None


def _int(params: Mapping[str, str], name: str, low: int, high: int) -> int:
    try:
        value = int(str(params[name]).strip())
    except ValueError:
        raise ValidationFailed("figures_bad_date", fields={name: ["bad_date"]}) from None
    if not low <= value <= high:
        raise ValidationFailed("figures_bad_date", fields={name: ["bad_date"]})
    return value


def period_parse(params: Mapping[str, str], *, now: dt.datetime | None = None) -> Period:
    """The period a query string asks for: ``from`` and ``to`` (both, ISO dates), or
    ``year`` (and ``month``); nothing means this year to date."""
    if "from" in params or "to" in params:
        if "from" not in params or "to" not in params:
            missing = "to" if "from" in params else "from"
            raise ValidationFailed("figures_bad_date", fields={missing: ["required"]})
        return Period(_date(params, "from"), _date(params, "to"))
    if "year" in params:
        year = _int(params, "year", 2000, 2100)
        if "month" in params:
            return Period.month(year, _int(params, "month", 1, 12))
        return Period.year(year)
    if "month" in params:
        raise ValidationFailed("figures_bad_date", fields={"year": ["required"]})
    return Period.this_year(now)
