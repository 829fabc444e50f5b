"""The instrument's use page (its QR code's target) and the managers' running sessions:
start and stop by htmx, refusals in their own words, a constant number of queries."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from alliance.models import MemberRole
from bookings.models import BookingStatus, UsageSession
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db

NINE = local(2026, 11, 24, 9)


def signed_in(member):
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def lab():
    return ResourceFactory(name="共聚焦显微镜", allows_walk_up=False)


def test_a_member_with_a_due_booking_starts_and_stops_from_the_qr_page(lab):
    member = MemberFactory()
    booking = BookingFactory(
        resource=lab, member=member, start=NINE, end=NINE + dt.timedelta(hours=1)
    )
    client = signed_in(member)
    with time_machine.travel(NINE, tick=False):
        page = client.get(f"/r/{lab.pk}/use/?code={lab.checkin_code}")
        assert "开始使用" in page.content.decode()
        started = client.post(
            f"/r/{lab.pk}/use/start/", {"code": lab.checkin_code}, HTTP_HX_REQUEST="true"
        )
    assert "结束使用" in started.content.decode()
    assert 'data-testid="usage-timer"' in started.content.decode()
    with time_machine.travel(NINE + dt.timedelta(minutes=20), tick=False):
        stopped = client.post(
            f"/r/{lab.pk}/use/stop/", {"code": lab.checkin_code}, HTTP_HX_REQUEST="true"
        )
    assert "开始使用" in stopped.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert UsageSession.objects.get().stopped_at == NINE + dt.timedelta(minutes=20)


def test_a_refused_start_says_why_and_records_nothing(lab):
    client = signed_in(MemberFactory())
    answer = client.post(
        f"/r/{lab.pk}/use/start/", {"code": lab.checkin_code}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    assert "只能在预约时段内使用" in answer.content.decode()
    assert not UsageSession.objects.exists()


def test_the_use_page_needs_sign_in(lab):
    answer = Client().get(f"/r/{lab.pk}/use/?code={lab.checkin_code}")
    assert answer.status_code == 302
    assert "/sign-in/" in answer["Location"]


def _sessions(unit, count):
    for _ in range(count):
        resource = ResourceFactory(unit=unit)
        UsageSession.objects.create(
            resource=resource, member=MemberFactory(), started_at=NINE, source="qr_scan"
        )


def test_managers_see_and_stop_the_running_sessions_of_their_resources(
    lab, django_assert_num_queries
):
    manager = MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER)
    elsewhere = ResourceFactory()
    not_mine = UsageSession.objects.create(
        resource=elsewhere, member=MemberFactory(), started_at=NINE, source="qr_scan"
    )
    client = signed_in(manager)
    _sessions(lab.unit, 2)
    client.get("/staff/usage/")  # warm the session caches
    # Session, user, member, unread notices, decisions awaiting a staff member; the sessions.
    with django_assert_num_queries(6) as few:
        page = client.get("/staff/usage/")
    _sessions(lab.unit, 8)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/staff/usage/")
    assert page.content.decode().count("weui-btn_warn") == 10
    assert elsewhere.name not in page.content.decode()
    one = UsageSession.objects.filter(resource__unit=lab.unit).first()
    client.post(f"/staff/usage/{one.pk}/stop/")
    assert UsageSession.objects.filter(stopped_at__isnull=True).count() == 10  # 9 + not_mine
    assert client.post(f"/staff/usage/{not_mine.pk}/stop/").status_code == 404


def test_the_use_page_renders_in_constant_queries(lab, django_assert_num_queries):
    member = MemberFactory()
    client = signed_in(member)
    client.get(f"/r/{lab.pk}/use/")
    with django_assert_num_queries(7) as few:
        client.get(f"/r/{lab.pk}/use/")
    for hour in range(8):
        UsageSession.objects.create(
            resource=lab,
            member=member,
            started_at=NINE - dt.timedelta(hours=hour + 1),
            stopped_at=NINE - dt.timedelta(hours=hour, minutes=30),
            source="qr_scan",
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(f"/r/{lab.pk}/use/")
