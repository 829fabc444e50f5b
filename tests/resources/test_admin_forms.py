"""The back office speaks a secretary's units: rules in days, hours and minutes, and a day
that runs to midnight written 24:00."""

import datetime as dt

import pytest

from resources.admin_forms import MinutesField
from resources.models import OpeningHours
from tests.resources.admin_support import post_data, signed_in, url

pytestmark = pytest.mark.django_db


def test_a_notice_of_three_days_is_shown_as_three_days_not_4320_minutes(world):
    world.resource.min_notice_minutes = 3 * 24 * 60 + 90
    world.resource.save()
    page = signed_in(world.manager).get(url("resource_change", world.resource.pk))
    html = page.content.decode()
    assert 'name="min_notice_minutes_0" value="3"' in html
    assert 'name="min_notice_minutes_1" value="1"' in html
    assert 'name="min_notice_minutes_2" value="30"' in html
    assert "4410" not in html


def test_rules_are_entered_in_days_and_hours_and_stored_in_minutes(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    data = post_data(client.get(change))
    data.update(
        {
            "min_notice_minutes_0": "2",
            "min_notice_minutes_1": "",
            "min_notice_minutes_2": "",
            "max_duration_minutes_0": "3",
            "max_duration_minutes_1": "30",
        }
    )
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.resource.refresh_from_db()
    assert world.resource.min_notice_minutes == 2 * 24 * 60
    assert world.resource.max_duration_minutes == 3 * 60 + 30


def test_a_negative_or_missing_length_is_refused_and_nothing_is_written(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    data = post_data(client.get(change))
    data.update({"buffer_minutes_0": "-1"})
    response = client.post(change, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["buffer_minutes"]
    data.update({"buffer_minutes_0": "", "buffer_minutes_1": ""})
    response = client.post(change, data)
    assert response.context["adminform"].form.errors["buffer_minutes"]
    world.resource.refresh_from_db()
    assert world.resource.buffer_minutes == 0


def test_the_last_box_takes_what_is_left_so_no_stored_length_is_lost():
    field = MinutesField(units=("days", "hours", "minutes"))
    for minutes in (0, 1, 59, 60, 61, 1439, 1440, 4410, 43_200):
        assert field.clean(field.widget.decompress(minutes)) == minutes


def test_a_whole_day_is_written_00_00_to_24_00_and_shown_so(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    data = post_data(client.get(change))
    data["opening_hours-4-start_time"] = "00:00"
    data["opening_hours-4-end_time"] = "24:00"
    assert client.post(change, data).status_code == 302
    friday = OpeningHours.objects.get(resource=world.resource, weekday=4)
    assert (friday.start_time, friday.end_time) == (dt.time(0), dt.time(0))
    html = client.get(change).content.decode()
    assert 'name="opening_hours-4-start_time" value="00:00"' in html
    assert 'name="opening_hours-4-end_time" value="24:00"' in html


def test_a_window_that_closes_before_it_opens_is_refused_in_words(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    data = post_data(client.get(change))
    data["opening_hours-4-start_time"] = "14:00"
    data["opening_hours-4-end_time"] = "12:00"
    response = client.post(change, data)
    assert response.status_code == 200
    assert "A window must close after it opens." in response.content.decode()
    friday = OpeningHours.objects.get(resource=world.resource, weekday=4)
    assert friday.end_time == dt.time(20)
