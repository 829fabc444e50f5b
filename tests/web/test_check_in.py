"""Check in by scanning: the page the resource's printed QR code opens. The due booker is
checked in by a POST; everyone else sees the resource and "book now", never anybody's
booking or name; a GET changes nothing."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from bookings.models import Booking, BookingEvent
from resources.qr import checkin_path
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def world(frozen_now):
    """A booking by 张研究员 of the 质谱仪 starting at 08:10, ten minutes from now (check-in
    opens 15 minutes before)."""
    resource = ResourceFactory(name="质谱仪", building="C栋", room="101")
    booker = MemberFactory(name="张研究员")
    booking = BookingFactory(
        resource=resource,
        member=booker,
        start=local(2026, 11, 23, 8, 10),
        end=local(2026, 11, 23, 9, 10),
        purpose="蛋白质组学测试",
    )
    return type("World", (), {"resource": resource, "booker": booker, "booking": booking})


def url(resource, code=None):
    path = checkin_path(resource)
    return path if code is None else path.split("?")[0] + f"?code={code}"


def test_the_qr_path_is_the_web_check_in_route(world):
    expected = reverse("web:check-in", args=[world.resource.pk])
    assert checkin_path(world.resource) == (f"{expected}?code={world.resource.checkin_code}")


def test_a_get_shows_the_due_booker_their_booking_and_changes_nothing(world):
    response = signed_in(world.booker).get(url(world.resource))

    assert response.status_code == 200
    assert 'data-state="due"' in response.text
    assert "蛋白质组学测试" in response.text
    assert 'data-testid="check-in-button"' in response.text
    assert Booking.objects.get(pk=world.booking.pk).checked_in_at is None


@pytest.mark.parametrize("htmx", [False, True])
def test_the_due_booker_is_checked_in_by_the_post(world, frozen_now, htmx):
    headers = HTMX if htmx else {}

    response = signed_in(world.booker).post(url(world.resource), **headers)

    assert response.status_code == 200
    assert 'data-state="checked_in"' in response.text
    assert "质谱仪" in response.text
    assert ("<html" in response.text) is not htmx
    booking = Booking.objects.get(pk=world.booking.pk)
    assert booking.checked_in_at == frozen_now
    assert booking.events.filter(action=BookingEvent.Action.CHECKED_IN).count() == 1


def test_a_booker_too_early_sees_the_resource_and_is_not_checked_in(world, frozen_now):
    early = BookingFactory(
        resource=world.resource,
        member=MemberFactory(name="早到者"),
        start=frozen_now + dt.timedelta(hours=3),
        end=frozen_now + dt.timedelta(hours=4),
        purpose="早到的预约",
    )
    client = signed_in(early.member)

    for response in (client.get(url(world.resource)), client.post(url(world.resource))):
        assert 'data-state="none_due"' in response.text
        assert "质谱仪" in response.text
        assert reverse("web:resource", args=[world.resource.pk]) in response.text
        assert "张研究员" not in response.text
        assert "蛋白质组学测试" not in response.text
    assert Booking.objects.get(pk=early.pk).checked_in_at is None
    assert Booking.objects.get(pk=world.booking.pk).checked_in_at is None


def test_a_stranger_sees_the_resource_and_book_now_but_no_booking_or_name(world):
    client = signed_in(MemberFactory())

    for response in (client.get(url(world.resource)), client.post(url(world.resource))):
        assert response.status_code == 200
        html = response.text
        assert 'data-state="none_due"' in html
        assert "质谱仪" in html
        assert "C栋 101" in html
        assert world.resource.unit.name in html
        assert 'data-testid="book-now"' in html
        assert "张研究员" not in html
        assert "蛋白质组学测试" not in html
    assert Booking.objects.get(pk=world.booking.pk).checked_in_at is None


def test_a_wrong_code_shows_only_the_resource_and_checks_nobody_in(world):
    client = signed_in(world.booker)

    for response in (
        client.get(url(world.resource, code="wrong")),
        client.post(url(world.resource, code="wrong")),
        client.post(url(world.resource, code="")),
    ):
        html = response.text
        assert 'data-state="wrong_code"' in html
        assert 'data-code="check_in_code_invalid"' in html
        assert "蛋白质组学测试" not in html
        assert 'data-testid="book-now"' in html
    assert Booking.objects.get(pk=world.booking.pk).checked_in_at is None


def test_not_signed_in_offers_sign_in_back_to_this_page_and_book_now(world, client):
    response = client.get(url(world.resource))

    html = response.text
    assert 'data-state="visitor"' in html
    assert "质谱仪" in html
    assert "张研究员" not in html
    assert "蛋白质组学测试" not in html
    assert reverse("web:resource", args=[world.resource.pk]) in html
    assert "?next=/r/" in html
    assert f"%3Fcode%3D{world.resource.checkin_code}" in html
    post = client.post(url(world.resource))
    assert post.status_code == 302
    assert post["Location"].startswith(reverse("web:sign-in") + "?next=")
    assert Booking.objects.get(pk=world.booking.pk).checked_in_at is None


def test_an_unknown_resource_is_not_found(world, client):
    assert client.get("/r/999999/check-in/?code=x").status_code == 404


def test_book_now_leads_to_the_resource_page(world, client):
    response = client.get(reverse("web:resource", args=[world.resource.pk]))

    assert response.status_code == 200
    assert "质谱仪" in response.text


def test_the_page_reads_a_constant_number_of_queries(world, django_assert_num_queries):
    client = signed_in(world.booker)
    client.get(url(world.resource))
    with django_assert_num_queries(6):
        client.get(url(world.resource))
    for day in range(1, 12):
        BookingFactory(
            resource=world.resource,
            member=world.booker,
            start=world.booking.start + dt.timedelta(days=day),
            end=world.booking.end + dt.timedelta(days=day),
        )
    with django_assert_num_queries(6):
        client.get(url(world.resource))
