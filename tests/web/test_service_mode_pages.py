"""Service modes in the web app (issue 10): the resource page lets the member choose
self-use or assisted use (and an operator), tells an unqualified member they may book
assisted use, and an operator sees their assisted sessions at /me/operating/.

The clock is frozen on Monday 2026-11-23 08:00 in Shanghai (tests/conftest.py)."""

import re

import pytest
from django.urls import reverse

from alliance.models import MemberRole
from bookings.models import Booking
from bookings.services import booking_create
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def member():
    return MemberFactory(name="张三")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


@pytest.fixture
def nmr():
    """Offers self-use (needs a qualification) and assisted use (an hour's notice)."""
    return ResourceFactory(
        name="核磁共振波谱仪",
        offers_assisted=True,
        requires_qualification=True,
        assisted_min_notice_minutes=60,
    )


@pytest.fixture
def operator(nmr):
    person = MemberFactory(unit=nmr.unit, name="钱工程师")
    nmr.operators.add(person)
    return person


def page(resource):
    return reverse("web:resource", args=[resource.pk])


def book_url(resource):
    return reverse("web:resource-book", args=[resource.pk])


def test_an_unqualified_member_is_told_they_may_book_assisted_use_and_is_offered_slots(
    signed_in, nmr, operator
):
    html = signed_in.get(page(nmr)).content.decode()
    assert 'data-testid="assisted-instead"' in html
    assert 'data-testid="cannot-book"' not in html
    assert 'data-state="free"' in html
    assert "服务方式：" in html
    assert "委托上机" in html


def test_without_assisted_use_an_unqualified_member_still_cannot_book(signed_in):
    krios = ResourceFactory(requires_qualification=True)
    html = signed_in.get(page(krios)).content.decode()
    assert 'data-code="not_qualified"' in html
    assert 'data-testid="assisted-instead"' not in html


def test_the_form_offers_only_assisted_use_to_an_unqualified_member(signed_in, nmr, operator):
    html = signed_in.get(
        book_url(nmr) + "?start=2026-11-24T09:00", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert re.search(r'name="mode" value="assisted" data-testid="mode-only"', html)
    assert 'data-testid="mode-self_use"' not in html
    assert f'<option value="{operator.pk}"' in html


def test_a_resource_offering_both_lets_a_member_choose_and_name_an_operator(
    signed_in, member, operator
):
    both = ResourceFactory(offers_assisted=True, assisted_min_notice_minutes=60)
    both.operators.add(operator)
    operator.unit = both.unit
    operator.save()
    html = signed_in.get(
        book_url(both) + "?start=2026-11-24T09:00", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-testid="mode-self_use" checked' in html
    assert 'data-testid="mode-assisted"' in html

    response = signed_in.post(
        book_url(both),
        {
            "start": "2026-11-24T09:00",
            "minutes": "60",
            "purpose": "氢谱",
            "mode": "assisted",
            "operator": str(operator.pk),
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="booked"' in response.content.decode()
    booking = Booking.objects.get()
    assert (booking.member, booking.mode, booking.operator) == (member, "assisted", operator)


def test_booking_assisted_use_from_the_page_picks_an_operator(signed_in, nmr, operator):
    response = signed_in.post(
        book_url(nmr),
        {"start": "2026-11-24T09:00", "minutes": "60", "purpose": "碳谱", "mode": "assisted"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="booked"' in response.content.decode()
    assert Booking.objects.get().operator == operator


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"mode": "self_use"}, "not_qualified"),
        ({"mode": "assisted", "operator": "abc"}, "invalid"),
        ({"mode": "assisted", "start": "2026-11-23T08:30"}, "too_little_notice"),
    ],
)
def test_refusals_are_said_in_words_and_write_nothing(signed_in, nmr, operator, data, code):
    body = {"start": "2026-11-24T09:00", "minutes": "60", "purpose": "氢谱", **data}
    response = signed_in.post(book_url(nmr), body, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Booking.objects.count() == 0
    html = response.content.decode()
    assert 'data-testid="booked"' not in html


def _assign(operator, resource, count):
    for i in range(count):
        booking_create(
            member=MemberFactory(),
            resource_id=resource.pk,
            start=local(2026, 11, 24, 8) + i * (local(2026, 11, 24, 9) - local(2026, 11, 24, 8)),
            end=local(2026, 11, 24, 9) + i * (local(2026, 11, 24, 9) - local(2026, 11, 24, 8)),
            purpose=f"委托 {i}",
            mode="assisted",
            now=local(2026, 11, 23, 8),
        )


@pytest.mark.parametrize("count", [1, 6])
def test_an_operator_sees_their_assisted_sessions_in_constant_queries(
    client, nmr, operator, count, django_assert_num_queries
):
    _assign(operator, nmr, count)
    client.force_login(operator.user)
    # Session, user, member, unread notices; the sessions with resource, booker and unit.
    with django_assert_num_queries(5):
        html = client.get(reverse("web:my-operating")).content.decode()
    assert html.count('data-testid="operating-') == count + 1  # the list and each row
    assert "核磁共振波谱仪" in html


def test_someone_else_sees_no_session_and_me_links_the_page(signed_in, nmr, operator):
    _assign(operator, nmr, 1)
    html = signed_in.get(reverse("web:my-operating")).content.decode()
    assert 'data-testid="operating-empty"' in html
    assert 'href="/me/operating/"' in signed_in.get(reverse("web:me")).content.decode()


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("web:my-operating"))
    assert response.status_code == 302


def test_staff_book_assisted_use_on_behalf_of_a_member_from_the_schedule(client, nmr, operator):
    manager = MemberFactory(unit=nmr.unit, role=MemberRole.UNIT_MANAGER)
    manager.user.is_staff = True
    manager.user.save()
    researcher = MemberFactory(name="王五")
    client.force_login(manager.user)
    form = client.get(
        reverse("web:staff-book") + f"?resource={nmr.pk}", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-testid="book-mode"' in form
    assert f'<option value="{operator.pk}">钱工程师</option>' in form

    client.post(
        reverse("web:staff-book"),
        {
            "resource": nmr.pk,
            "member": researcher.pk,
            "start": "2026-11-24T09:00",
            "minutes": "60",
            "purpose": "代预约委托",
            "mode": "assisted",
            "operator": str(operator.pk),
        },
        HTTP_HX_REQUEST="true",
    )
    booking = Booking.objects.get()
    assert (booking.member, booking.mode, booking.operator) == (researcher, "assisted", operator)
