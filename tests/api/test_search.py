"""Search by time: GET /api/v1/resources/?free_from=…&free_to=…&duration=… keeps the resources
with a bookable slot of ``duration`` inside the window, lists their first slots, and with
``include_unfit=true`` says why the others do not fit (bookings.search.resource_search).

The clock is frozen at Monday 2026-11-23 08:00 in Shanghai.
"""

from __future__ import annotations

import pytest

from bookings.models import Booking
from bookings.search import resource_search
from bookings.services import booking_create
from tests.api.world import World, client_for, world_build
from tests.conftest import local
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    MakeUpWorkingDayFactory,
    ResourceFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/api/v1/resources/"
TUESDAY = "2026-11-24"


@pytest.fixture
def world() -> World:
    return world_build()


@pytest.fixture
def venue(world):
    """A venue with a lunch break: open 08:00–12:00 and 14:00–18:00 on weekdays."""
    return ResourceFactory(
        unit=world.other_resource.unit,
        name="学术报告厅",
        kind="venue",
        hours=[(d, "08:00", "12:00") for d in range(5)] + [(d, "14:00", "18:00") for d in range(5)],
    )


def search(member, start, end, **params) -> dict[str, dict]:
    response = client_for(member).get(URL, {"free_from": start, "free_to": end, **params})
    assert response.status_code == 200, response.json()
    return {row["name"]: row for row in response.json()["results"]}


def slots(row) -> list[tuple[str, str]]:
    return [(s["start"][11:16], s["end"][11:16]) for s in row["first_slots"]]


def test_a_venue_with_a_lunch_break_is_free_for_two_hours_in_the_afternoon(world, venue):
    BookingFactory(
        resource=venue,
        member=world.researcher,
        start=local(2026, 11, 24, 8),
        end=local(2026, 11, 24, 11),
    )

    found = search(world.researcher, f"{TUESDAY}T09:00", f"{TUESDAY}T18:00", duration=120)

    # Not free for the whole window (the old meaning), yet 14:00–16:00 fits.
    assert slots(found["学术报告厅"]) == [
        ("14:00", "16:00"),
        ("14:30", "16:30"),
        ("15:00", "17:00"),
    ]
    assert found["学术报告厅"]["duration_minutes"] == 120
    assert found["学术报告厅"]["unfit"] is None


def test_a_slot_never_spans_the_lunch_break(world, venue):
    found = search(
        world.researcher, f"{TUESDAY}T11:00", f"{TUESDAY}T15:00", duration=120, kind="venue"
    )

    assert "学术报告厅" not in found  # 11:00–13:00 or 13:00–15:00 would cross the break
    assert "报告厅" in found  # open 08:00–20:00 (the factory's hours)


def test_without_duration_each_resource_s_minimum_applies(world):
    ResourceFactory(
        unit=world.resource.unit, name="离心机", min_duration_minutes=120, slot_minutes=60
    )

    found = search(world.researcher, f"{TUESDAY}T10:00", f"{TUESDAY}T11:00")

    assert set(found) == {"冷冻电镜", "报告厅"}  # 离心机 needs two hours
    assert found["报告厅"]["duration_minutes"] == 30
    assert slots(found["报告厅"]) == [("10:00", "10:30"), ("10:30", "11:00")]


def test_the_buffer_after_other_bookings_is_kept(world):
    buffered = ResourceFactory(unit=world.resource.unit, name="培养箱", buffer_minutes=60)
    BookingFactory(
        resource=buffered,
        member=world.researcher,
        start=local(2026, 11, 24, 12),
        end=local(2026, 11, 24, 13),
    )

    found = search(world.researcher, f"{TUESDAY}T10:00", f"{TUESDAY}T15:00", duration=60)

    # 11:00–12:00 leaves no clean-up hour before 12:00; after 13:00 the buffer runs to 14:00.
    assert slots(found["培养箱"]) == [("10:00", "11:00"), ("14:00", "15:00")]


def test_min_notice_and_the_horizon_bound_the_slots(world):
    # Now is 08:00 with 60 minutes' notice: the first slot is 09:00, not 08:30.
    found = search(world.researcher, "2026-11-23T08:00", "2026-11-23T10:00", duration=60)
    assert slots(found["报告厅"]) == [("09:00", "10:00")]

    # 30 days ahead ends on 2026-12-23.
    assert search(world.researcher, "2026-12-24T08:00", "2026-12-24T12:00") == {}


def test_every_slot_found_is_one_the_scheduler_accepts(world, venue):
    ClosureFactory(
        resource=venue, start=local(2026, 11, 24, 15), end=local(2026, 11, 24, 16), reason="布展"
    )
    found = search(world.researcher, f"{TUESDAY}T08:00", f"{TUESDAY}T18:00", duration=90)
    for row in found.values():
        for slot in row["first_slots"]:
            booking = booking_create(
                member=world.researcher,
                resource_id=row["id"],
                start=local(2026, 11, 24, int(slot["start"][11:13]), int(slot["start"][14:16])),
                end=local(2026, 11, 24, int(slot["end"][11:13]), int(slot["end"][14:16])),
                purpose="验证",
            )
            Booking.objects.filter(pk=booking.pk).delete()  # free it for the next slot


def unfit(member, start, end, **params) -> dict[str, str | None]:
    found = search(member, start, end, include_unfit="true", **params)
    return {name: (row["unfit"] or {}).get("code") for name, row in found.items()}


def test_the_others_say_why_they_do_not_fit(world, venue):
    closed = ResourceFactory(unit=world.resource.unit, name="质谱仪")
    ClosureFactory(
        resource=closed, start=local(2026, 11, 24), end=local(2026, 11, 25), reason="年度维护"
    )
    booked = ResourceFactory(unit=world.resource.unit, name="测序仪")
    BookingFactory(
        resource=booked,
        member=world.other_researcher,
        start=local(2026, 11, 24, 14),
        end=local(2026, 11, 24, 16),
    )
    ResourceFactory(unit=world.resource.unit, name="短时仪器", max_duration_minutes=60)
    ResourceFactory(
        unit=world.resource.unit, name="粗粒度", slot_minutes=90, min_duration_minutes=90
    )
    only_theirs = ResourceFactory(unit=world.other_resource.unit, name="专用平台")
    only_theirs.allowed_units.set([world.other_resource.unit])

    reasons = unfit(world.researcher, f"{TUESDAY}T14:00", f"{TUESDAY}T16:00", duration=120)

    assert reasons == {
        # Those with a slot come first, in catalogue order.
        "冷冻电镜": None,
        "学术报告厅": None,
        "报告厅": None,
        "短时仪器": "too_long",
        "测序仪": "fully_booked",
        "粗粒度": "not_on_slot_boundary",
        "质谱仪": "closed_in_window",
        "专用平台": "not_allowed_for_unit",
    }
    assert [name for name, code in reasons.items() if code is None] == [
        "冷冻电镜",
        "学术报告厅",
        "报告厅",
    ]


def test_the_reason_speaks_the_caller_s_language(world):
    closed = ResourceFactory(unit=world.resource.unit, name="质谱仪")
    ClosureFactory(
        resource=closed, start=local(2026, 11, 24), end=local(2026, 11, 25), reason="年度维护"
    )
    client = client_for(world.researcher)
    params = {
        "free_from": f"{TUESDAY}T14:00",
        "free_to": f"{TUESDAY}T16:00",
        "include_unfit": "true",
    }

    english = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en").json()["results"][-1]["unfit"]
    chinese = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][-1]["unfit"]

    assert english == {
        "code": "closed_in_window",
        "message": "The resource is closed in this window: 年度维护.",
    }
    assert chinese["code"] == "closed_in_window"
    assert chinese["message"] == "该资源在此时段内关闭：年度维护。"


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2026-11-23T07:00", "2026-11-23T09:00", "too_little_notice"),  # notice until 09:00
        ("2026-12-24T09:00", "2026-12-24T11:00", "too_far_ahead"),
        ("2026-11-28T09:00", "2026-11-28T11:00", "not_open_in_window"),  # Saturday
        ("2026-11-24T20:00", "2026-11-24T23:00", "not_open_in_window"),  # after hours
    ],
)
def test_a_window_outside_notice_horizon_or_hours_says_so(world, start, end, code):
    assert unfit(world.researcher, start, end, duration=60)["报告厅"] == code


def test_a_make_up_working_day_opens_a_saturday(world):
    MakeUpWorkingDayFactory(date=local(2026, 11, 28).date(), opens_as=0)

    assert "报告厅" in search(world.researcher, "2026-11-28T09:00", "2026-11-28T11:00", duration=60)


def test_an_alliance_wide_closure_closes_everything(world):
    ClosureFactory(resource=None, start=local(2026, 11, 24), end=local(2026, 11, 25), reason="假日")

    assert set(unfit(world.researcher, f"{TUESDAY}T09:00", f"{TUESDAY}T12:00").values()) == {
        "closed_in_window"
    }


def test_a_caller_outside_the_allow_list_finds_nothing_and_learns_why(world):
    world.resource.allowed_units.set([world.other_researcher.unit])

    assert set(search(world.researcher, f"{TUESDAY}T10:00", f"{TUESDAY}T11:00")) == {"报告厅"}
    assert (
        unfit(world.researcher, f"{TUESDAY}T10:00", f"{TUESDAY}T11:00")["冷冻电镜"]
        == "not_allowed_for_unit"
    )
    assert set(search(world.other_researcher, f"{TUESDAY}T10:00", f"{TUESDAY}T11:00")) == {
        "冷冻电镜",
        "报告厅",
    }


def test_search_combines_with_the_other_filters(world, venue):
    found = search(world.researcher, f"{TUESDAY}T14:00", f"{TUESDAY}T16:00", kind="venue", q="学术")

    assert set(found) == {"学术报告厅"}


def test_without_a_search_the_rows_carry_no_slots(world):
    row = client_for(world.researcher).get(URL).json()["results"][0]

    assert (row["first_slots"], row["unfit"], row["duration_minutes"]) == (None, None, None)


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"duration": "60"}, "free_from", "required"),
        ({"include_unfit": "true"}, "free_from", "required"),
        (
            {"free_from": f"{TUESDAY}T10:00", "free_to": f"{TUESDAY}T12:00", "duration": "1.5"},
            "duration",
            "invalid",
        ),
        (
            {"free_from": f"{TUESDAY}T10:00", "free_to": f"{TUESDAY}T12:00", "duration": "0"},
            "duration",
            "min_value",
        ),
        (
            {
                "free_from": f"{TUESDAY}T10:00",
                "free_to": f"{TUESDAY}T12:00",
                "duration": "99999999",
            },
            "duration",
            "max_value",
        ),
        (
            {
                "free_from": f"{TUESDAY}T10:00",
                "free_to": f"{TUESDAY}T12:00",
                "include_unfit": "yes",
            },
            "include_unfit",
            "invalid",
        ),
    ],
)
def test_bad_search_parameters_are_400_with_the_field_s_code(world, params, field, code):
    response = client_for(world.researcher).get(URL, params)

    assert response.status_code == 400
    assert response.json()["fields"][field][0]["code"] == code


def test_an_anonymous_caller_is_refused(world):
    response = client_for(None).get(
        URL, {"free_from": f"{TUESDAY}T10:00", "free_to": f"{TUESDAY}T12:00"}
    )

    assert response.status_code == 401


#: The token and its last use (2), the resources, their photos, opening hours and
#: allow-lists (4), make-up days, closures, blocking bookings (3), the page's count, rows and
#: their photos (3).
SEARCH_QUERIES = 12


def test_the_search_runs_a_fixed_number_of_queries_whatever_the_catalogue_size(
    world, django_assert_num_queries
):
    client = client_for(world.researcher)
    params = {
        "free_from": f"{TUESDAY}T13:00",
        "free_to": f"{TUESDAY}T15:00",
        "include_unfit": "true",
        "duration": 60,
    }
    with django_assert_num_queries(SEARCH_QUERIES):
        assert client.get(URL, params).json()["count"] == 2
    for n in range(30):
        resource = ResourceFactory(unit=UnitFactory(), name=f"仪器{n}", buffer_minutes=n % 3 * 30)
        resource.allowed_units.set([world.researcher.unit, world.other_researcher.unit])
        ClosureFactory(resource=resource, start=local(2026, 11, 26), end=local(2026, 11, 27))
        BookingFactory(
            resource=resource,
            member=world.researcher,
            start=local(2026, 11, 24, 8 + n % 6),
            end=local(2026, 11, 24, 9 + n % 6),
        )

    with django_assert_num_queries(SEARCH_QUERIES - 1):  # the token's last use is fresh
        response = client.get(URL, {**params, "page_size": 50})

    results = response.json()["results"]
    assert len(results) == 32
    assert sum(row["unfit"] is None for row in results) == 32 - 5  # booked 13:00 and 14:00


def test_the_selector_answers_every_candidate(world, venue):
    results = resource_search(
        resources=[],
        member=world.researcher,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
        now=local(2026, 11, 23, 8),
    )
    assert results == {}


def test_the_default_length_is_the_minimum_in_whole_slots(world):
    ResourceFactory(
        unit=world.resource.unit, name="显微镜", slot_minutes=30, min_duration_minutes=45
    )

    found = search(world.researcher, f"{TUESDAY}T10:00", f"{TUESDAY}T11:00")

    assert found["显微镜"]["duration_minutes"] == 60
    assert slots(found["显微镜"]) == [("10:00", "11:00")]
