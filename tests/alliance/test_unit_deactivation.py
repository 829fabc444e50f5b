"""A deactivated member unit, through the services: its members can no longer book, approve,
cancel others' bookings, manage resources or invite, each refusal with its own code; its
resources cannot be booked and are never free in searches; a refusal writes nothing.

Its members still see and cancel their own bookings. Bookings already made are left as
they are: approved ones stand; pending ones can be rejected or cancelled but not approved,
and expire at their start like any undecided booking.

The clock is frozen at Monday 2026-11-23 08:00 in Asia/Shanghai.
"""

import pytest

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied, Conflict, ValidationFailed
from alliance.models import Member, MemberRole, Unit
from alliance.services import member_create, member_update, unit_deactivate, unit_reactivate
from alliance.tokens import member_invite_renew
from bookings.jobs import bookings_expire_due
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.search import resource_search
from bookings.services import booking_approve, booking_cancel, booking_create, booking_reject
from notifications.models import Notification
from resources.calendar_services import closure_create
from resources.models import Resource
from resources.services import resource_create, resource_update
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

START, END = local(2026, 11, 24, 9), local(2026, 11, 24, 10)
NOW = local(2026, 11, 23, 8)


@pytest.fixture
def bay():
    """The unit that will be deactivated: 深圳湾实验室, with a manager, a researcher and a
    resource that needs approval."""
    unit = UnitFactory(name="深圳湾实验室")
    return {
        "unit": unit,
        "manager": MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER, name="张主任"),
        "researcher": MemberFactory(unit=unit, name="李研究员"),
        "resource": ResourceFactory(unit=unit, name="冷冻电镜", requires_approval=True),
    }


@pytest.fixture
def campus():
    """Another unit, which stays active, with a researcher and a resource."""
    unit = UnitFactory(name="南方科技大学")
    return {
        "unit": unit,
        "researcher": MemberFactory(unit=unit, name="王研究员"),
        "resource": ResourceFactory(unit=unit, name="报告厅", kind="venue"),
    }


@pytest.fixture
def secretariat():
    return MemberFactory(
        unit=UnitFactory(name="联合体秘书处"), role=MemberRole.SECRETARIAT, name="赵秘书"
    )


def deactivate(unit, secretariat):
    unit_deactivate(actor=secretariat, unit_id=unit.pk)


def fresh(member):
    """The member as the API loads it (with their unit), after the deactivation."""
    return Member.objects.select_related("unit").get(pk=member.pk)


def book(member, resource, start=START, end=END):
    return booking_create(
        member=member, resource_id=resource.pk, start=start, end=end, purpose="冷冻样品观察"
    )


def writes():
    return (Booking.objects.count(), BookingEvent.objects.count(), Notification.objects.count())


# --- Booking and searching ----------------------------------------------------------------


def test_a_member_of_a_deactivated_unit_cannot_book(bay, campus, secretariat):
    deactivate(bay["unit"], secretariat)
    before = writes()

    with pytest.raises(ValidationFailed) as refused:
        book(fresh(bay["researcher"]), campus["resource"])

    assert refused.value.code == "booking_unit_inactive"
    assert writes() == before


def test_a_resource_of_a_deactivated_unit_cannot_be_booked(bay, campus, secretariat):
    deactivate(bay["unit"], secretariat)
    before = writes()

    with pytest.raises(ValidationFailed) as refused:
        book(fresh(campus["researcher"]), bay["resource"])

    assert refused.value.code == "resource_unit_inactive"
    assert writes() == before


def test_a_deactivated_units_resources_are_never_free_in_a_search(bay, campus, secretariat):
    def search(member) -> dict[int, str | None]:
        results = resource_search(
            resources=Resource.objects.select_related("unit"),
            member=member,
            start=START,
            end=END,
            duration=END - START,
            now=NOW,
        )
        return {pk: result.reason for pk, result in results.items()}

    assert search(campus["researcher"]) == {bay["resource"].pk: None, campus["resource"].pk: None}

    deactivate(bay["unit"], secretariat)

    assert search(fresh(campus["researcher"])) == {
        bay["resource"].pk: "resource_unit_inactive",
        campus["resource"].pk: None,
    }
    assert set(search(fresh(bay["researcher"])).values()) == {"booking_unit_inactive"}


def test_reactivating_the_unit_lets_its_members_book_again(bay, campus, secretariat):
    deactivate(bay["unit"], secretariat)
    unit_reactivate(actor=secretariat, unit_id=bay["unit"].pk)

    booking = book(fresh(bay["researcher"]), bay["resource"])

    assert booking.status == BookingStatus.PENDING


# --- Bookings already made ----------------------------------------------------------------


@pytest.fixture
def pending(bay, campus):
    """Pending bookings of the bay's resource: one by the campus researcher, one by the bay
    researcher."""
    return {
        "of_bay_resource": book(campus["researcher"], bay["resource"]),
        "by_bay_member": book(
            bay["researcher"], bay["resource"], local(2026, 11, 25, 9), local(2026, 11, 25, 10)
        ),
    }


@pytest.mark.parametrize(
    ("which", "code"),
    [("of_bay_resource", "resource_unit_inactive"), ("by_bay_member", "booking_unit_inactive")],
)
def test_a_pending_booking_of_or_by_a_deactivated_unit_cannot_be_approved(
    bay, secretariat, pending, which, code
):
    deactivate(bay["unit"], secretariat)
    before = writes()

    with pytest.raises(ValidationFailed) as refused:
        booking_approve(actor=secretariat, booking_id=pending[which].pk)

    assert refused.value.code == code
    assert writes() == before
    assert Booking.objects.get(pk=pending[which].pk).status == BookingStatus.PENDING


def test_such_a_pending_booking_can_still_be_rejected(bay, secretariat, pending):
    deactivate(bay["unit"], secretariat)

    booking = booking_reject(
        actor=secretariat, booking_id=pending["of_bay_resource"].pk, reason="单位已停用"
    )

    assert booking.status == BookingStatus.REJECTED


def test_such_a_pending_booking_expires_when_it_starts(bay, secretariat, pending):
    deactivate(bay["unit"], secretariat)

    assert bookings_expire_due(now=local(2026, 11, 25, 10)) == 2

    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.EXPIRED}


def test_a_member_of_a_deactivated_unit_still_cancels_their_own_booking(bay, secretariat, pending):
    deactivate(bay["unit"], secretariat)

    booking = booking_cancel(actor=fresh(bay["researcher"]), booking_id=pending["by_bay_member"].pk)

    assert booking.status == BookingStatus.CANCELLED


# --- Deciding, managing and inviting --------------------------------------------------------


def test_the_manager_of_a_deactivated_unit_can_no_longer_approve(bay, secretariat, pending):
    deactivate(bay["unit"], secretariat)
    before = writes()

    with pytest.raises(AccessDenied) as refused:
        booking_approve(actor=fresh(bay["manager"]), booking_id=pending["of_bay_resource"].pk)

    assert refused.value.code == "actor_unit_inactive"
    assert writes() == before


def test_the_manager_of_a_deactivated_unit_can_no_longer_cancel_others_bookings(
    bay, secretariat, pending
):
    deactivate(bay["unit"], secretariat)

    with pytest.raises(AccessDenied) as refused:
        booking_cancel(actor=fresh(bay["manager"]), booking_id=pending["by_bay_member"].pk)

    assert refused.value.code == "actor_unit_inactive"
    assert Booking.objects.get(pk=pending["by_bay_member"].pk).status == BookingStatus.PENDING


def test_the_manager_of_a_deactivated_unit_can_no_longer_manage_its_resources(bay, secretariat):
    deactivate(bay["unit"], secretariat)
    manager = fresh(bay["manager"])

    with pytest.raises(AccessDenied) as refused:
        resource_update(actor=manager, resource_id=bay["resource"].pk, capacity=2)
    assert refused.value.code == "actor_unit_inactive"
    with pytest.raises(AccessDenied) as refused:
        closure_create(
            actor=manager, resource_id=bay["resource"].pk, start=START, end=END, reason="检修"
        )
    assert refused.value.code == "actor_unit_inactive"

    assert Resource.objects.get(pk=bay["resource"].pk).capacity == 10
    assert not bay["resource"].closures.exists()


def test_the_manager_of_a_deactivated_unit_can_no_longer_invite(bay, secretariat):
    newcomer = MemberFactory(unit=bay["unit"], name="新研究员")
    deactivate(bay["unit"], secretariat)
    manager = fresh(bay["manager"])
    members_before = Member.objects.count()

    with pytest.raises(AccessDenied) as refused:
        member_create(actor=manager, unit_id=bay["unit"].pk, name="又一位", role="researcher")
    assert refused.value.code == "actor_unit_inactive"
    with pytest.raises(AccessDenied) as refused:
        member_invite_renew(actor=manager, member_id=newcomer.pk)
    assert refused.value.code == "actor_unit_inactive"

    assert Member.objects.count() == members_before
    assert not newcomer.invite_codes.exists()


def test_nobody_shares_a_new_resource_for_a_deactivated_unit(bay, secretariat):
    deactivate(bay["unit"], secretariat)

    with pytest.raises(ValidationFailed) as refused:
        resource_create(actor=secretariat, unit_id=bay["unit"].pk, kind="lab", name="新实验室")

    assert refused.value.code == "unit_inactive"
    assert not Resource.objects.filter(name="新实验室").exists()


# --- The secretariat stays able to act ------------------------------------------------------


def test_a_unit_with_active_secretariat_members_is_not_deactivated(secretariat):
    with pytest.raises(Conflict) as refused:
        unit_deactivate(actor=secretariat, unit_id=secretariat.unit_id)

    assert refused.value.code == "unit_has_secretariat"
    assert Unit.objects.get(pk=secretariat.unit_id).is_active


def test_nobody_becomes_secretariat_in_a_deactivated_unit(bay, secretariat):
    deactivate(bay["unit"], secretariat)

    with pytest.raises(ValidationFailed) as refused:
        member_update(actor=secretariat, member_id=bay["manager"].pk, role=MemberRole.SECRETARIAT)

    assert refused.value.code == "unit_inactive"
    assert Member.objects.get(pk=bay["manager"].pk).role == MemberRole.UNIT_MANAGER


def test_only_the_secretariat_deactivates_a_unit(bay, campus):
    with pytest.raises(AccessDenied) as refused:
        unit_deactivate(actor=bay["manager"], unit_id=campus["unit"].pk)

    assert refused.value.code == "permission_denied"
    assert Unit.objects.get(pk=campus["unit"].pk).is_active


def test_the_system_deactivates_and_reactivates_a_unit(bay):
    unit_deactivate(actor=SYSTEM, unit_id=bay["unit"].pk)
    assert not Unit.objects.get(pk=bay["unit"].pk).is_active

    unit_reactivate(actor=SYSTEM, unit_id=bay["unit"].pk)
    assert Unit.objects.get(pk=bay["unit"].pk).is_active


def test_approved_bookings_of_a_deactivated_unit_stand(bay, campus, secretariat):
    approved = BookingFactory(
        member=campus["researcher"], resource=bay["resource"], start=START, end=END
    )

    deactivate(bay["unit"], secretariat)

    assert Booking.objects.get(pk=approved.pk).status == BookingStatus.APPROVED
