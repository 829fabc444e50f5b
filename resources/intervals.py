"""Arithmetic on half-open intervals [start, end) of aware datetimes.

Lists are kept sorted and disjoint ("normalised"); every function returns a normalised list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.utils import timezone

from alliance.errors import ValidationFailed


class Interval(NamedTuple):
    start: dt.datetime
    end: dt.datetime

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


def merge(intervals: Iterable[tuple[dt.datetime, dt.datetime]]) -> list[Interval]:
    """Sort and join overlapping or touching intervals; drop empty ones."""
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if result and start <= result[-1].end:
            if end > result[-1].end:
                result[-1] = Interval(result[-1].start, end)
        else:
            result.append(Interval(start, end))
    return result


def subtract(base: list[Interval], holes: list[Interval]) -> list[Interval]:
    """``base`` minus ``holes``; both normalised."""
    result: list[Interval] = []
    j = 0
    for start, end in base:
        cursor = start
        while j < len(holes) and holes[j].end <= cursor:
            j += 1
        k = j
        while k < len(holes) and holes[k].start < end:
            if holes[k].start > cursor:
                result.append(Interval(cursor, holes[k].start))
            cursor = max(cursor, holes[k].end)
            k += 1
        if cursor < end:
            result.append(Interval(cursor, end))
    return result


def clip(intervals: list[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The parts of ``intervals`` inside [start, end)."""
    return [Interval(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def covers(intervals: list[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether one interval of a normalised list contains all of [start, end)."""
    return any(s <= start and end <= e for s, e in intervals)


def overlapping(intervals: list[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return [i for i in intervals if i.start < end and i.end > start]


def interval_validate(start: dt.datetime, end: dt.datetime) -> None:
    """Refuse input that is not an aware, non-empty interval, with the error's code."""
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        raise ValidationFailed("invalid", fields={"start": ["invalid"], "end": ["invalid"]})
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationFailed("naive_datetime")
    if end <= start:
        raise ValidationFailed("invalid_interval")
