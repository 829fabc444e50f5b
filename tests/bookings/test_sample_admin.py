"""The back office's sample orders (issue 10): scoped to the manager's unit, read-only, with
the history and report files inline."""

import pytest
from django.test import Client

from alliance.models import MemberRole
from bookings.models import SampleOrder
from tests.bookings import sample_support
from tests.bookings.sample_support import at_step
from tests.factories import MemberFactory, UnitFactory, UserFactory

lab, report_root = sample_support.lab, sample_support.report_root

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now", "report_root")]

LIST = "/admin/bookings/sampleorder/"


def staff(unit):
    return MemberFactory(user=UserFactory(is_staff=True), unit=unit, role=MemberRole.UNIT_MANAGER)


def signed(member):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member.user)
    return client


def test_a_manager_sees_their_units_orders_read_only(lab, settings):
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    manager, other = staff(lab.unit), staff(UnitFactory())
    order = at_step(lab, {"requester": MemberFactory(), "manager": manager}, "reported")
    detail = f"{LIST}{order.pk}/change/"
    assert detail in signed(manager).get(LIST).content.decode()
    assert detail not in signed(other).get(LIST).content.decode()
    assert signed(other).get(detail).status_code in (302, 403, 404)
    page = signed(manager).get(detail).content.decode()
    assert "报告.pdf" in page  # the report file inline
    assert 'name="_save"' not in page
    assert signed(manager).get(f"{LIST}add/").status_code == 403
    signed(manager).post(f"{detail.removesuffix('change/')}delete/", {"post": "yes"})
    assert SampleOrder.objects.filter(pk=order.pk).exists()
