"""The public summary (issue 11): what the alliance's website and the mini-program's home
card show anyone, signed in or not. Three numbers, no personal data:

- **shared resources**: resources in the catalogue (not retired);
- **hours shared this year**: external hours (bookings.figures.usage) since 1 January;
- **units served this year**: distinct units with effective use of a resource another unit
  owns, since 1 January.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

from bookings.figures.common import hours
from bookings.figures.period import Period
from bookings.figures.usage import EXTERNAL, sessions_in_period
from resources.models import Resource


@dataclass(frozen=True)
class PublicSummary:
    year: int
    shared_resources: int
    hours_shared: float
    units_served: int


def public_summary(*, now: dt.datetime | None = None) -> PublicSummary:
    """Two queries; open to anyone (no actor)."""
    now = now or timezone.now()
    period = Period.this_year(now)
    shared = (
        sessions_in_period(period=period, now=now)
        .filter(EXTERNAL)
        .aggregate(h=Sum("within"), units=Count("user_unit", distinct=True))
    )
    return PublicSummary(
        year=period.first.year,
        shared_resources=Resource.objects.filter(is_retired=False).count(),
        hours_shared=hours(shared["h"]),
        units_served=shared["units"],
    )


PUBLIC_SUMMARY_CACHE_KEY = "figures:public_summary"
PUBLIC_SUMMARY_SECONDS = 300


def public_summary_cached() -> dict:
    """The public summary as a plain dict, from the shared cache for five minutes: the
    website and the mini-program's home card ask for it on every visit."""
    summary = cache.get(PUBLIC_SUMMARY_CACHE_KEY)
    if summary is None:
        summary = asdict(public_summary())
        cache.set(PUBLIC_SUMMARY_CACHE_KEY, summary, PUBLIC_SUMMARY_SECONDS)
    return summary
