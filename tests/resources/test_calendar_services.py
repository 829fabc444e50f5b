"""Opening hours, closures and make-up working days: resources.services."""

import datetime as dt

import pytest

from alliance.errors import AccessDenied, NotFound, ValidationFailed
from alliance.models import MemberRole
from resources.calendar_services import (
    closure_create,
    closure_delete,
    makeup_day_delete,
    makeup_day_set,
    opening_hours_set,
)
from resources.models import Closure, MakeUpWorkingDay, OpeningHours
from tests.conftest import local
from tests.factories import (
    ClosureFactory,
    MakeUpWorkingDayFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db

T = dt.time


def rows(resource):
    return [
        (w.weekday, w.start_time, w.end_time)
        for w in OpeningHours.objects.filter(resource=resource).order_by("weekday", "start_time")
    ]


# --- opening_hours_set --------------------------------------------------------------------


def test_opening_hours_are_replaced_as_a_whole(manager, resource):
    windows = [
        (0, T(9), T(12)),
        (0, T(14), T(18)),
        (5, T(0), T(0)),  # Saturday, around the clock
        (6, T(20), T(0)),  # Sunday evening until midnight
    ]

    opening_hours_set(actor=manager, resource_id=resource.pk, windows=windows)

    assert rows(resource) == windows


def test_touching_windows_are_accepted(manager, resource):
    windows = [(2, T(8), T(12)), (2, T(12), T(18))]

    opening_hours_set(actor=manager, resource_id=resource.pk, windows=windows)

    assert rows(resource) == windows


def test_an_empty_list_closes_the_resource_every_week(manager, resource):
    opening_hours_set(actor=manager, resource_id=resource.pk, windows=[])

    assert rows(resource) == []


def test_setting_the_same_windows_again_writes_nothing(manager, resource):
    before = list(OpeningHours.objects.filter(resource=resource).values_list("pk", flat=True))

    opening_hours_set(
        actor=manager, resource_id=resource.pk, windows=[(d, T(8), T(20)) for d in range(5)]
    )

    after = list(OpeningHours.objects.filter(resource=resource).values_list("pk", flat=True))
    assert after == before


@pytest.mark.parametrize(
    "windows",
    [
        [(0, T(9), T(12)), (0, T(11, 30), T(13))],
        [(3, T(9), T(12)), (3, T(9), T(10))],
        [(4, T(20), T(0)), (4, T(23), T(23, 30))],
    ],
)
def test_overlapping_windows_on_one_day_are_refused(manager, resource, windows):
    before = rows(resource)

    with pytest.raises(ValidationFailed) as refused:
        opening_hours_set(actor=manager, resource_id=resource.pk, windows=windows)

    assert refused.value.code == "overlapping_opening_hours"
    assert rows(resource) == before


@pytest.mark.parametrize(
    "window",
    [
        (0, T(12), T(9)),
        (0, T(9), T(9)),
        (7, T(9), T(12)),
        (-1, T(9), T(12)),
        (0, T(9, 0, 30), T(12)),
        (0, "09:00", "12:00"),
        (0, T(9)),
    ],
)
def test_malformed_windows_are_refused(manager, resource, window):
    before = rows(resource)

    with pytest.raises(ValidationFailed) as refused:
        opening_hours_set(actor=manager, resource_id=resource.pk, windows=[window])

    assert refused.value.code == "invalid_opening_hours"
    assert rows(resource) == before


def test_a_researcher_cannot_set_opening_hours(researcher, resource):
    before = rows(resource)

    with pytest.raises(AccessDenied):
        opening_hours_set(actor=researcher, resource_id=resource.pk, windows=[])

    assert rows(resource) == before


# --- closures -----------------------------------------------------------------------------


def test_a_manager_closes_their_resource_for_maintenance(manager, resource):
    closure = closure_create(
        actor=manager,
        resource_id=resource.pk,
        start=local(2026, 12, 14, 8),
        end=local(2026, 12, 16, 18),
        reason="年度维护保养",
    )

    closure.refresh_from_db()
    assert (closure.resource_id, closure.reason) == (resource.pk, "年度维护保养")
    assert closure.start == local(2026, 12, 14, 8)


def test_the_secretariat_closes_the_whole_alliance_for_a_holiday(secretariat):
    closure = closure_create(
        actor=secretariat,
        resource_id=None,
        start=local(2027, 1, 1),
        end=local(2027, 1, 4),
        reason="元旦",
    )

    assert Closure.objects.get(pk=closure.pk).resource is None


def test_a_unit_manager_cannot_close_the_whole_alliance(manager):
    with pytest.raises(AccessDenied):
        closure_create(
            actor=manager,
            resource_id=None,
            start=local(2027, 1, 1),
            end=local(2027, 1, 4),
            reason="元旦",
        )

    assert not Closure.objects.exists()


def test_a_manager_of_another_unit_cannot_close_a_resource(resource, other_unit):
    stranger = MemberFactory(unit=other_unit, role=MemberRole.UNIT_MANAGER)

    with pytest.raises(AccessDenied):
        closure_create(
            actor=stranger,
            resource_id=resource.pk,
            start=local(2026, 12, 1, 8),
            end=local(2026, 12, 1, 12),
            reason="停电",
        )

    assert not Closure.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (local(2026, 12, 1, 12), local(2026, 12, 1, 12), "invalid_interval"),
        (local(2026, 12, 1, 12), local(2026, 12, 1, 8), "invalid_interval"),
        (dt.datetime(2026, 12, 1, 8), dt.datetime(2026, 12, 1, 12), "naive_datetime"),
    ],
)
def test_a_closure_needs_an_aware_non_empty_interval(manager, resource, start, end, code):
    with pytest.raises(ValidationFailed) as refused:
        closure_create(actor=manager, resource_id=resource.pk, start=start, end=end, reason="停电")

    assert refused.value.code == code
    assert not Closure.objects.exists()


def test_a_closure_needs_a_reason(manager, resource):
    with pytest.raises(ValidationFailed) as refused:
        closure_create(
            actor=manager,
            resource_id=resource.pk,
            start=local(2026, 12, 1, 8),
            end=local(2026, 12, 1, 12),
            reason="  ",
        )

    assert refused.value.extra["fields"] == {"reason": ["required"]}
    assert not Closure.objects.exists()


def test_a_manager_lifts_a_closure_of_their_resource(manager, resource):
    closure = ClosureFactory(
        resource=resource, start=local(2026, 12, 1, 8), end=local(2026, 12, 1, 12)
    )

    closure_delete(actor=manager, closure_id=closure.pk)

    assert not Closure.objects.exists()


def test_a_unit_manager_cannot_lift_a_holiday(manager):
    holiday = ClosureFactory(
        resource=None, start=local(2027, 1, 1), end=local(2027, 1, 4), reason="元旦"
    )

    with pytest.raises(AccessDenied):
        closure_delete(actor=manager, closure_id=holiday.pk)

    assert Closure.objects.filter(pk=holiday.pk).exists()


def test_lifting_an_unknown_closure_is_not_found(secretariat):
    with pytest.raises(NotFound):
        closure_delete(actor=secretariat, closure_id=987654)


# --- make-up working days -----------------------------------------------------------------


def test_the_secretariat_declares_and_changes_a_make_up_day(secretariat):
    makeup_day_set(actor=secretariat, date=dt.date(2027, 1, 31), note="春节调休")
    makeup_day_set(actor=secretariat, date=dt.date(2027, 1, 31), opens_as=4, note="春节调休")

    day = MakeUpWorkingDay.objects.get()
    assert (day.date, day.opens_as, day.note) == (dt.date(2027, 1, 31), 4, "春节调休")


def test_a_unit_manager_cannot_declare_make_up_days(manager):
    with pytest.raises(AccessDenied):
        makeup_day_set(actor=manager, date=dt.date(2027, 1, 31))

    assert not MakeUpWorkingDay.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"date": dt.date(2027, 1, 31), "opens_as": 7}, "opens_as"),
        ({"date": local(2027, 1, 31)}, "date"),
        ({"date": "2027-01-31"}, "date"),
    ],
)
def test_bad_make_up_days_are_refused(secretariat, arguments, field):
    with pytest.raises(ValidationFailed) as refused:
        makeup_day_set(actor=secretariat, **arguments)

    assert list(refused.value.extra["fields"]) == [field]
    assert not MakeUpWorkingDay.objects.exists()


def test_the_secretariat_removes_a_make_up_day(secretariat):
    MakeUpWorkingDayFactory(date=dt.date(2027, 1, 31))

    makeup_day_delete(actor=secretariat, date=dt.date(2027, 1, 31))

    assert not MakeUpWorkingDay.objects.exists()


def test_a_researcher_cannot_remove_a_make_up_day(researcher):
    MakeUpWorkingDayFactory(date=dt.date(2027, 1, 31))

    with pytest.raises(AccessDenied):
        makeup_day_delete(actor=researcher, date=dt.date(2027, 1, 31))

    assert MakeUpWorkingDay.objects.exists()


def test_removing_an_unknown_make_up_day_is_not_found(secretariat):
    with pytest.raises(NotFound):
        makeup_day_delete(actor=secretariat, date=dt.date(2027, 1, 31))
