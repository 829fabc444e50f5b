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
from django.db.models import Sum
from django.utils import timezone

from bookings.figures import rolled
from bookings.figures.common import EXTERNAL
from bookings.figures.period import Period
from bookings.figures.usage import served_pairs
from resources.models import Resource


@dataclass(frozen=True)
class PublicSummary:
    year: int
    shared_resources: int
    hours_shared: float
    units_served: int


def public_summary(*, now: dt.datetime | None = None) -> PublicSummary:
    """A fixed number of queries (the rollup, refreshed first, and the sessions still
    running); open to anyone (no actor)."""
    now = now or timezone.now()
    period = Period.this_year(now)
    rolled.fresh()
    shared = rolled.days(period).aggregate(us=Sum("external"))
    live = rolled.running(period, now).filter(EXTERNAL).aggregate(h=Sum("within"))
    units = {unit for _resource, unit in served_pairs(period, now)}
    return PublicSummary(
        year=period.first.year,
        shared_resources=Resource.objects.filter(is_retired=False).count(),
        hours_shared=rolled.hours_of(shared["us"], live["h"]),
        units_served=len(units),
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
