"""Every new staff action (issue 9) for every kind of actor, through the services: who may
close a resource over a booking, retire it with its bookings, cancel someone else's booking
and book on someone's behalf; a refusal writes nothing.

The scene: resource of unit A; the booking is a researcher of unit B's. Actors: a
researcher of A, A's manager (the resource's), B's manager (the booker's), the secretariat,
A's manager deactivated, and a secretariat member and a manager whose unit is deactivated.
"""

import datetime as dt

import pytest

from alliance.errors import AccessDenied, ValidationFailed
from alliance.models import MemberRole
from bookings.closures import (
    closure_create_with_cancellations,
    closure_hits_preview,
    resource_retire_with_cancellations,
)
from bookings.models import Booking, BookingEvent
from bookings.services import booking_cancel, booking_create
from notifications.models import Notification
from resources.models import Closure, Resource
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

ACTORS = [
    "researcher@A",
    "manager@A",
    "manager@B",
    "secretariat",
    "manager@A inactive",
    "secretariat of an inactive unit",
    "manager of an inactive unit",
]
MAY = {
    "close": {"manager@A", "secretariat"},
    "preview": {"manager@A", "secretariat"},
    "retire": {"manager@A", "secretariat"},
    "cancel": {"manager@A", "manager@B", "secretariat"},
    "book on behalf": {"manager@A", "secretariat"},
}


@pytest.fixture
def scene():
    unit_a, unit_b = UnitFactory(name="A"), UnitFactory(name="B")
    closed_unit = UnitFactory(name="C", is_active=False)
    resource = ResourceFactory(unit=unit_a)
    booker = MemberFactory(unit=unit_b)
    booking = BookingFactory(
        resource=resource,
        member=booker,
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
    )
    manager, secretariat = MemberRole.UNIT_MANAGER, MemberRole.SECRETARIAT
    actors = {
        "researcher@A": MemberFactory(unit=unit_a),
        "manager@A": MemberFactory(unit=unit_a, role=manager),
        "manager@B": MemberFactory(unit=unit_b, role=manager),
        "secretariat": MemberFactory(role=secretariat),
        "manager@A inactive": MemberFactory(unit=unit_a, role=manager, is_active=False),
        "secretariat of an inactive unit": MemberFactory(unit=closed_unit, role=secretariat),
        "manager of an inactive unit": MemberFactory(unit=closed_unit, role=manager),
    }
    return {"resource": resource, "booker": booker, "booking": booking, "actors": actors}


ACTIONS = {
    "close": lambda s, actor: closure_create_with_cancellations(
        actor=actor,
        resource_id=s["resource"].pk,
        start=local(2026, 11, 24, 8),
        end=local(2026, 11, 24, 12),
        reason="维修",
        confirm=True,
    ),
    "preview": lambda s, actor: closure_hits_preview(
        actor=actor,
        resource_id=s["resource"].pk,
        start=local(2026, 11, 24, 8),
        end=local(2026, 11, 24, 12),
    ),
    "retire": lambda s, actor: resource_retire_with_cancellations(
        actor=actor, resource_id=s["resource"].pk, reason="报废", confirm=True
    ),
    "cancel": lambda s, actor: booking_cancel(
        actor=actor, booking_id=s["booking"].pk, reason="设备故障"
    ),
    "book on behalf": lambda s, actor: booking_create(
        actor=actor,
        member=s["booker"],
        resource_id=s["resource"].pk,
        start=local(2026, 11, 24, 14),
        end=local(2026, 11, 24, 15),
        purpose="代预约",
    ),
}


def snapshot():
    return (
        list(Booking.objects.order_by("pk").values_list("pk", "status")),
        Closure.objects.count(),
        list(Resource.objects.values_list("pk", "is_retired")),
        BookingEvent.objects.count(),
        Notification.objects.count(),
    )


def test_every_table_names_known_actors():
    assert set(MAY) == set(ACTIONS)
    for allowed in MAY.values():
        assert allowed <= set(ACTORS)


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", ACTORS)
def test_each_staff_action_for_each_actor(scene, action, who):
    actor = scene["actors"][who]
    before = snapshot()

    if who in MAY[action]:
        ACTIONS[action](scene, actor)
        if action != "preview":
            assert snapshot() != before
        return
    with pytest.raises(AccessDenied) as refused:
        ACTIONS[action](scene, actor)

    inactive_unit = who.endswith("of an inactive unit")
    if inactive_unit:
        assert refused.value.code == "actor_unit_inactive"
    elif action == "book on behalf":
        assert refused.value.code == "on_behalf_not_allowed"
    else:
        assert refused.value.code == "permission_denied"
    assert snapshot() == before


def test_on_behalf_the_beneficiary_s_unit_must_be_active(scene):
    closed = MemberFactory(unit=UnitFactory(name="D", is_active=False))
    before = snapshot()

    with pytest.raises(ValidationFailed) as refused:
        booking_create(
            actor=scene["actors"]["secretariat"],
            member=closed,
            resource_id=scene["resource"].pk,
            start=local(2026, 11, 24, 14),
            end=local(2026, 11, 24, 15),
            purpose="代预约",
        )

    assert refused.value.code == "booking_unit_inactive"
    assert snapshot() == before


def test_on_behalf_the_allow_list_is_the_beneficiary_s(scene):
    resource = scene["resource"]
    resource.allowed_units.set([resource.unit])
    before = snapshot()

    with pytest.raises(ValidationFailed) as refused:
        ACTIONS["book on behalf"](scene, scene["actors"]["manager@A"])

    assert refused.value.code == "not_allowed_for_unit"
    assert snapshot() == before


def test_on_behalf_is_recorded_and_told(scene):
    manager = scene["actors"]["manager@A"]

    booking = ACTIONS["book on behalf"](scene, manager)

    assert booking.member == scene["booker"]
    assert booking.unit == scene["booker"].unit
    event = booking.events.get()
    assert (event.action, event.actor) == (BookingEvent.Action.CREATED_ON_BEHALF, manager)
    notice = Notification.objects.get(member=scene["booker"], kind="booked_for")
    assert manager.name in notice.body
    assert notice.booking == booking


def test_booking_for_oneself_by_naming_oneself_is_an_ordinary_booking(scene):
    manager = scene["actors"]["manager@A"]
    booking = booking_create(
        actor=manager,
        member=manager,
        resource_id=scene["resource"].pk,
        start=local(2026, 11, 24, 14),
        end=local(2026, 11, 24, 14) + dt.timedelta(hours=1),
        purpose="自用",
    )

    assert booking.events.get().action == BookingEvent.Action.CREATED
    assert not Notification.objects.filter(kind="booked_for").exists()
