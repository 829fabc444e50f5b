"""Similar resources (issue 12): when a slot is taken, free slots of the same length on
resources like it, offered after the same resource's alternatives.

Similar means (docs/decisions/0013-recurring-series.md):

- the same kind (lab, instrument, venue), not retired, another resource;
- for instruments, the same class of the national classification: the first four digits of
  ``classification_code`` (the 中类, e.g. ``0101``), or its two when only the category is
  given; an instrument without a code has no similar ones (nothing says what it is like);
- for labs and venues the kind alone (they have no classification);
- bookable by the member: open to their unit, in service, a qualification held where one is
  required, room for the attendees: bookings.search.resource_search decides exactly as the
  scheduler would.

Reads: the candidates and everything the search decides on for them in one round trip on
PostgreSQL, two statements elsewhere (bookings.similar_reads), whatever the number of
candidates (at most SIMILAR_CANDIDATES are looked at); none for an instrument without a
class. The search covers the day after the slot first (SIMILAR_NEAR), and the whole reach
only when that could change the answer (_may_find_more): then the reads go out twice.
similar_resources_get is the same choice of candidates through the ORM, which
similar_reads' tests compare against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from alliance.models import Member
from bookings.search import WINDOW_REASONS, SearchResult, resource_search
from bookings.similar_reads import similar_search_read
from resources.models import Resource, ResourceKind

#: How many similar slots a conflict offers, and how many resources are looked at for them.
SIMILAR_COUNT = 3
SIMILAR_CANDIDATES = 20
#: How far past the asked slot's end the search looks first, before the whole reach.
SIMILAR_NEAR = dt.timedelta(days=1)


@dataclass(frozen=True)
class SimilarSlot:
    resource_id: int
    resource_name: str
    start: dt.datetime
    end: dt.datetime

    def as_dict(self) -> dict:
        return {
            "resource": self.resource_id,
            "resource_name": self.resource_name,
            "start": self.start,
            "end": self.end,
        }


def similar_class(resource: Resource) -> str | None:
    """The classification prefix similar instruments share, or None when there is none."""
    code = resource.classification_code or ""
    return code[:4] if len(code) >= 4 else (code or None)


def similar_resources_get(*, resource: Resource) -> list[Resource]:
    """The candidates like ``resource`` (same kind, same class for instruments), not retired,
    by name; at most SIMILAR_CANDIDATES. One query (none for an instrument without a code).
    The definition through the ORM; similar_slots reads the same through
    bookings.similar_reads."""
    candidates = Resource.objects.filter(kind=resource.kind, is_retired=False).exclude(
        pk=resource.pk
    )
    if resource.kind == ResourceKind.EQUIPMENT:
        prefix = similar_class(resource)
        if prefix is None:
            return []
        candidates = candidates.filter(classification_code__startswith=prefix)
    return list(candidates.select_related("unit").order_by("name", "pk")[:SIMILAR_CANDIDATES])


def similar_slots(
    *,
    resource: Resource,
    member: Member,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    attendees: int = 1,
) -> list[SimilarSlot]:
    """Up to SIMILAR_COUNT free slots as long as [start, end) on resources similar to
    ``resource`` that ``member`` may book: for each, its first bookable slot from ``start``
    on (within BOOKING_ALTERNATIVES_SEARCH_DAYS), nearest first. Writes nothing."""
    prefix = similar_class(resource) if resource.kind == ResourceKind.EQUIPMENT else None
    if resource.kind == ResourceKind.EQUIPMENT and prefix is None:
        return []  # nothing says what it is like
    duration = end - start
    window_start = max(start, now)
    reach = end + dt.timedelta(days=settings.BOOKING_ALTERNATIVES_SEARCH_DAYS)
    # The day after the slot first: where most answers are, and a few days' calendars
    # instead of the whole reach's (docs/performance.md, "Fourth pass").
    near = min(reach, max(end, window_start) + SIMILAR_NEAR)
    candidates, found = _search(
        resource, prefix, member, window_start, near, duration, attendees, now
    )
    if reach > near and _may_find_more(found):
        candidates, found = _search(
            resource, prefix, member, window_start, reach, duration, attendees, now
        )
    if not candidates:
        return []
    names = {r.pk: r.name for r in candidates}
    slots = [
        SimilarSlot(resource_id, names[resource_id], slot.start, slot.end)
        for resource_id, result in found.items()
        if result.duration == duration
        for slot in result.first_slots[:1]
    ]
    slots.sort(key=lambda s: (abs(s.start - start), s.start, s.resource_name))
    return slots[:SIMILAR_COUNT]


def _search(resource, prefix, member, start, end, duration, attendees, now):
    """The candidates and resource_search's answer for them over [start, end)."""
    candidates, reads = similar_search_read(
        resource=resource,
        prefix=prefix,
        limit=SIMILAR_CANDIDATES,
        member=member,
        start=start,
        end=end,
        now=now,
    )
    if not candidates:
        return [], {}
    found = resource_search(
        resources=candidates,
        member=member,
        start=start,
        end=end,
        duration=duration,
        attendees=attendees,
        now=now,
        count=1,
        reads=reads,
    )
    return candidates, found


def _may_find_more(found: dict[int, SearchResult]) -> bool:
    """Whether the whole reach could answer otherwise than its first part did.

    Every slot found lies within the first part, and every slot found only in the whole
    reach starts after any of them (had it ended inside the first part, the first part
    would have found it; all are as long), so it is further from the asked start. Hence
    the whole reach can change the answer only when fewer than SIMILAR_COUNT were found and
    some candidate missed for a reason that depends on the window (search.WINDOW_REASONS).
    """
    fits = sum(1 for result in found.values() if result.fits)
    return fits < SIMILAR_COUNT and any(
        result.reason in WINDOW_REASONS for result in found.values()
    )


def similar_answer(**kwargs) -> list[dict]:
    """similar_slots as the ``similar`` extra of a ``conflict`` answer (bookings.services)."""
    return [slot.as_dict() for slot in similar_slots(**kwargs)]
