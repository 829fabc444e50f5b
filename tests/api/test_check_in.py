"""POST /api/v1/bookings/{id}/check-in/ and /check-out/: the mini-program scans the
resource's QR code on arrival and checks out on leaving."""

import pytest
import time_machine

from alliance.models import MemberRole
from bookings.services import booking_create
from tests.api.helpers import api_client
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    room = ResourceFactory(requires_approval=False)
    member = MemberFactory()
    return booking_create(
        member=member,
        resource_id=room.pk,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 11),
        purpose="样品制备",
        now=FROZEN_NOW,
    )


def check_in(client, booking, **body):
    return client.post(f"/api/v1/bookings/{booking.pk}/check-in/", body, format="json")


def test_booker_checks_in_with_the_qr_code_and_out_again(booking):
    client = api_client(booking.member)
    with time_machine.travel(local(2026, 11, 24, 8, 50), tick=False):
        answer = check_in(client, booking, code=booking.resource.checkin_code)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["checked_in_at"] == "2026-11-24T08:50:00+08:00"
    with time_machine.travel(local(2026, 11, 24, 10, 40), tick=False):
        out = client.post(f"/api/v1/bookings/{booking.pk}/check-out/", {}, format="json")
    assert out.status_code == 200
    assert (out.json()["status"], out.json()["checked_out_at"]) == (
        "completed",
        "2026-11-24T10:40:00+08:00",
    )


def test_wrong_code_early_and_late_check_ins_are_refused_with_their_codes(booking):
    client = api_client(booking.member)
    code = booking.resource.checkin_code
    with time_machine.travel(local(2026, 11, 24, 9), tick=False):
        wrong = check_in(client, booking, code="forged")
    with time_machine.travel(local(2026, 11, 24, 8), tick=False):
        early = check_in(client, booking, code=code)
    with time_machine.travel(local(2026, 11, 24, 10), tick=False):
        late = check_in(client, booking, code=code)
    assert (wrong.status_code, wrong.json()["code"]) == (400, "check_in_code_invalid")
    assert (early.status_code, early.json()["code"]) == (409, "check_in_not_open")
    assert (late.status_code, late.json()["code"]) == (409, "check_in_closed")
    booking.refresh_from_db()
    assert booking.checked_in_at is None


def test_check_out_before_check_in_is_409(booking):
    with time_machine.travel(local(2026, 11, 24, 9), tick=False):
        answer = api_client(booking.member).post(
            f"/api/v1/bookings/{booking.pk}/check-out/", {}, format="json"
        )
    assert (answer.status_code, answer.json()["code"]) == (409, "not_checked_in")


def test_others_cannot_check_in_and_strangers_see_404(booking):
    manager = MemberFactory(unit=booking.resource.unit, role=MemberRole.UNIT_MANAGER)
    with time_machine.travel(local(2026, 11, 24, 9), tick=False):
        stranger = check_in(
            api_client(MemberFactory()), booking, code=booking.resource.checkin_code
        )
        by_manager = check_in(api_client(manager), booking)
    assert stranger.status_code == 404
    assert by_manager.status_code == 200


def test_overlong_code_is_a_validation_error(booking):
    answer = check_in(api_client(booking.member), booking, code="x" * 65)
    assert answer.status_code == 400
    assert answer.json()["fields"]["code"][0]["code"] == "max_length"
