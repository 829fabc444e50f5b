"""Every write to the working calendar: a resource's opening hours, closures (its own and
alliance-wide) and make-up working days (调休). The conventions are resources.services'
(keyword-only, access through alliance.access, a domain error on refusal, nothing written
then); writes that change what the scheduler reads take the resource's row lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from alliance.access import member_is_secretariat, member_refusal
from alliance.actors import Actor, actor_is_system, actor_require
from alliance.errors import NotFound, ValidationFailed
from alliance.services import text_clean
from resources.intervals import interval_validate
from resources.locking import resource_lock
from resources.models import MIDNIGHT, Closure, MakeUpWorkingDay, OpeningHours, Weekday
from resources.services import DAY_MINUTES, resource_manage_require


def _calendar_require(actor: Actor) -> None:
    """Alliance-wide calendar entries (holidays, make-up days): secretariat or SYSTEM."""
    actor_require(actor)
    if actor_is_system(actor) or member_is_secretariat(actor):
        return
    raise member_refusal(actor)


# --- Opening hours ------------------------------------------------------------------------


def _minutes(moment: dt.time, *, is_end: bool) -> int:
    """Minutes since midnight; an end of 00:00 is midnight at the end of the day (1440)."""
    if is_end and moment == MIDNIGHT:
        return DAY_MINUTES
    return moment.hour * 60 + moment.minute


def _windows_clean(
    windows: Iterable[tuple[int, dt.time, dt.time]],
) -> list[tuple[int, dt.time, dt.time]]:
    """Validate weekly windows and return them sorted. See opening_hours_set."""
    clean = []
    for window in windows:
        try:
            weekday, start, end = window
        except (TypeError, ValueError):
            raise ValidationFailed("invalid_opening_hours") from None
        if (
            not isinstance(weekday, int)
            or isinstance(weekday, bool)
            or weekday not in Weekday.values
            or not isinstance(start, dt.time)
            or not isinstance(end, dt.time)
            or start.tzinfo is not None
            or end.tzinfo is not None
            or start.second
            or start.microsecond
            or end.second
            or end.microsecond
            or _minutes(end, is_end=True) <= _minutes(start, is_end=False)
        ):
            raise ValidationFailed("invalid_opening_hours")
        clean.append((weekday, start, end))
    clean.sort(key=lambda w: (w[0], w[1]))
    for (day_a, _start_a, end_a), (day_b, start_b, _end_b) in zip(clean, clean[1:], strict=False):
        if day_a == day_b and _minutes(start_b, is_end=False) < _minutes(end_a, is_end=True):
            raise ValidationFailed("overlapping_opening_hours", weekday=day_a)
    return clean


def opening_hours_set(
    *,
    actor: Actor,
    resource_id: int,
    windows: Iterable[tuple[int, dt.time, dt.time]],
) -> list[OpeningHours]:
    """Replace all weekly opening windows of a resource at once.

    ``windows`` are (weekday 0=Monday..6, start, end) in local wall-clock time, whole
    minutes, end after start; an end of 00:00 means midnight at the end of that day.
    Windows of one day may touch (they merge) but not overlap. An empty list closes the
    resource. Writes nothing when the windows are already exactly these.
    """
    actor_require(actor)
    clean = _windows_clean(windows)
    with transaction.atomic():
        resource = resource_lock(resource_id)
        resource_manage_require(actor, resource)
        current = list(resource.opening_hours.order_by("weekday", "start_time"))
        if [(w.weekday, w.start_time, w.end_time) for w in current] == clean:
            return current
        if current:
            resource.opening_hours.all().delete()
        resource.save(update_fields=["updated_at"])  # a new version of its rules
        return OpeningHours.objects.bulk_create(
            OpeningHours(resource=resource, weekday=weekday, start_time=start, end_time=end)
            for weekday, start, end in clean
        )


# --- Closures and the working calendar ----------------------------------------------------


def closure_create(
    *,
    actor: Actor,
    resource_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
) -> Closure:
    """Close one resource (maintenance, outage) or, with ``resource_id=None``, the whole
    alliance (a public holiday) over [start, end).

    Access: the resource's managers; alliance-wide closures the secretariat only. Bookings
    already made inside the closure are not touched.
    """
    actor_require(actor)
    reason = text_clean(reason, field="reason", max_length=200, required=True)
    interval_validate(start, end)
    with transaction.atomic():
        if resource_id is None:
            _calendar_require(actor)
            resource = None
        else:
            resource = resource_lock(resource_id)
            resource_manage_require(actor, resource)
            resource.save(update_fields=["updated_at"])  # a new version of its rules
        return Closure.objects.create(resource=resource, start=start, end=end, reason=reason)


def closure_delete(*, actor: Actor, closure_id: int) -> None:
    """Lift a closure. Access as for closure_create."""
    with transaction.atomic():
        closure = Closure.objects.select_related("resource").filter(pk=closure_id).first()
        if closure is None:
            raise NotFound()
        if closure.resource is None:
            _calendar_require(actor)
        else:
            resource_manage_require(actor, closure.resource)
        closure.delete()


def makeup_day_set(
    *, actor: Actor, date: dt.date, opens_as: int = Weekday.MONDAY, note: str = ""
) -> MakeUpWorkingDay:
    """Declare ``date`` a make-up working day (调休) on which resources open as on the
    weekday ``opens_as``; setting a date again changes its entry. Secretariat only."""
    _calendar_require(actor)
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ValidationFailed("invalid", fields={"date": ["invalid"]})
    if (
        not isinstance(opens_as, int)
        or isinstance(opens_as, bool)
        or opens_as not in Weekday.values
    ):
        raise ValidationFailed("invalid", fields={"opens_as": ["invalid_choice"]})
    note = text_clean(note, field="note", max_length=100, required=False)
    with transaction.atomic():
        day = MakeUpWorkingDay.objects.select_for_update(no_key=True).filter(date=date).first()
        if day is None:
            try:
                with transaction.atomic():  # a savepoint: the loser of a race carries on
                    return MakeUpWorkingDay.objects.create(date=date, opens_as=opens_as, note=note)
            except IntegrityError:  # created meanwhile by someone else: update theirs
                day = MakeUpWorkingDay.objects.select_for_update(no_key=True).get(date=date)
        if (day.opens_as, day.note) != (opens_as, note):
            day.opens_as, day.note = opens_as, note
            day.save(update_fields=["opens_as", "note"])
        return day


def makeup_day_delete(*, actor: Actor, date: dt.date) -> None:
    """Turn a make-up working day back into an ordinary day. Secretariat only."""
    _calendar_require(actor)
    with transaction.atomic():
        deleted, _ = MakeUpWorkingDay.objects.filter(date=date).delete()
        if not deleted:
            raise NotFound()
