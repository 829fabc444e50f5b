"""Fault reports (issue 10): who may report, a stopping report that takes the instrument out
of service through the closure flow (its bookings cancelled with the reason, their bookers
offered free slots), the managers' steps by the right and the wrong side, the photo checks,
and nothing written when refused."""

import datetime as dt
import io

import pytest

from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from alliance.models import MemberRole
from bookings.faults import (
    expected_back,
    fault_acknowledge,
    fault_dismiss,
    fault_list,
    fault_report_create,
    fault_resolve,
    fault_update,
    member_may_report_fault,
    resource_out_of_service,
)
from bookings.models import Booking, BookingEvent, BookingStatus, FaultEvent, FaultReport
from notifications.models import Notification, NotificationKind
from resources.models import Closure
from tests.conftest import FROZEN_NOW, local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory
from tests.resources.photo_support import camera_jpeg, image_bytes, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture(autouse=True)
def _chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False


@pytest.fixture
def lab():
    return ResourceFactory(unit=UnitFactory(name="深圳湾实验室"), name="冷冻电镜")


@pytest.fixture
def people(lab):
    return {
        "reporter": MemberFactory(name="张博"),
        "booker": MemberFactory(name="李明"),
        "manager": MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER, name="王主任"),
        "other_manager": MemberFactory(role=MemberRole.UNIT_MANAGER),
        "secretariat": MemberFactory(role=MemberRole.SECRETARIAT),
        "stranger": MemberFactory(),
    }


def booked(resource, member, start, hours=1, status=BookingStatus.APPROVED):
    return BookingFactory(
        resource=resource,
        member=member,
        start=start,
        end=start + dt.timedelta(hours=hours),
        status=status,
    )


@pytest.fixture
def used(lab, people):
    """The reporter used the lab yesterday... well, last Friday."""
    return booked(lab, people["reporter"], local(2026, 11, 20, 9), status=BookingStatus.COMPLETED)


def nothing_written():
    assert not FaultReport.objects.exists()
    assert not FaultEvent.objects.exists()
    assert not Closure.objects.exists()
    assert not Notification.objects.exists()


# --- Who may report -------------------------------------------------------------------------


def test_a_member_who_used_the_resource_within_the_window_may_report(lab, people, settings):
    settings.FAULT_REPORT_WINDOW_DAYS = 180
    reporter = people["reporter"]
    edge = FROZEN_NOW - dt.timedelta(days=180)
    booked(lab, reporter, edge - dt.timedelta(hours=1))  # ends exactly at the window's edge
    assert member_may_report_fault(reporter, lab, FROZEN_NOW)
    assert not member_may_report_fault(reporter, lab, FROZEN_NOW + dt.timedelta(minutes=1))


def test_a_booking_under_way_counts_but_a_future_or_cancelled_one_does_not(lab, people):
    reporter = people["reporter"]
    booked(lab, reporter, local(2026, 11, 24, 9))  # tomorrow: has not used it
    booked(lab, reporter, local(2026, 11, 20, 9), status=BookingStatus.CANCELLED)
    assert not member_may_report_fault(reporter, lab, FROZEN_NOW)
    booked(lab, reporter, FROZEN_NOW - dt.timedelta(minutes=30))  # under way now
    assert member_may_report_fault(reporter, lab, FROZEN_NOW)


def test_managers_of_the_unit_and_the_secretariat_may_always_report(lab, people):
    assert member_may_report_fault(people["manager"], lab, FROZEN_NOW)
    assert member_may_report_fault(people["secretariat"], lab, FROZEN_NOW)
    assert not member_may_report_fault(people["other_manager"], lab, FROZEN_NOW)
    assert not member_may_report_fault(people["stranger"], lab, FROZEN_NOW)


def test_an_inactive_member_may_not_report(lab, people, used):
    reporter = people["reporter"]
    reporter.is_active = False
    reporter.save()
    assert not member_may_report_fault(reporter, lab, FROZEN_NOW)


def test_a_stranger_is_refused_and_nothing_is_written(lab, people):
    with pytest.raises(AccessDenied) as refused:
        fault_report_create(
            actor=people["stranger"], resource_id=lab.pk, description="坏了", stop_instrument=True
        )
    assert refused.value.code == "fault_report_not_allowed"
    nothing_written()


def test_bad_input_is_refused_and_nothing_is_written(lab, people, used):
    for values, field in [
        ({"description": "  "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"description": "坏了", "urgency": "panic"}, "urgency"),
        ({"description": "坏了", "stop_instrument": "yes"}, "stop_instrument"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            fault_report_create(actor=people["reporter"], resource_id=lab.pk, **values)
        assert field in refused.value.extra["fields"]
    nothing_written()


def test_an_unknown_resource_is_not_found(people):
    with pytest.raises(NotFound):
        fault_report_create(actor=people["secretariat"], resource_id=999_999, description="坏了")


# --- A stopping report ----------------------------------------------------------------------


def test_a_stopping_report_closes_the_instrument_and_cancels_its_bookings(lab, people, used):
    tomorrow = booked(lab, people["booker"], local(2026, 11, 24, 9))
    pending = booked(lab, people["booker"], local(2026, 11, 25, 9), status=BookingStatus.PENDING)
    after = booked(lab, people["booker"], local(2026, 12, 2, 9))  # after the default 7 days
    report = fault_report_create(
        actor=people["reporter"],
        resource_id=lab.pk,
        description="真空泵异响，样品台无法移动",
        urgency="urgent",
        stop_instrument=True,
    )
    closure = report.closure
    assert (closure.resource_id, closure.start, closure.end) == (
        lab.pk,
        FROZEN_NOW,
        FROZEN_NOW + dt.timedelta(days=7),
    )
    assert closure.reason == "设备故障报修停机：真空泵异响，样品台无法移动"
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[tomorrow.pk] == statuses[pending.pk] == BookingStatus.CANCELLED
    assert statuses[after.pk] == BookingStatus.APPROVED
    event = BookingEvent.objects.get(
        booking=tomorrow, action=BookingEvent.Action.CANCELLED_BY_CLOSURE
    )
    assert event.reason == closure.reason
    assert event.actor is None  # the system closed it; the report names the reporter
    told = Notification.objects.get(member=people["booker"], booking=tomorrow)
    assert "设备故障报修停机" in told.body
    assert "同一资源的空闲时段" in told.body or "Free on the same resource" in told.body
    history = list(report.events.values_list("action", "actor_id"))
    assert history == [("reported", people["reporter"].pk)]
    assert Notification.objects.filter(
        member=people["manager"], kind=NotificationKind.FAULT_REPORTED
    ).exists()
    assert resource_out_of_service(lab.pk) == report
    assert expected_back(report) == dt.date(2026, 11, 30)


def test_a_non_stopping_report_closes_nothing(lab, people, used):
    tomorrow = booked(lab, people["booker"], local(2026, 11, 24, 9))
    report = fault_report_create(
        actor=people["reporter"], resource_id=lab.pk, description="显示屏有划痕"
    )
    assert report.closure is None
    assert report.status == "open"
    assert report.urgency == "normal"
    assert not Closure.objects.exists()
    assert Booking.objects.get(pk=tomorrow.pk).status == BookingStatus.APPROVED
    assert resource_out_of_service(lab.pk) is None


def test_a_second_stopping_report_makes_no_second_closure(lab, people, used):
    first = fault_report_create(
        actor=people["reporter"], resource_id=lab.pk, description="坏了", stop_instrument=True
    )
    second = fault_report_create(
        actor=people["manager"], resource_id=lab.pk, description="也坏了", stop_instrument=True
    )
    assert second.closure is None
    assert Closure.objects.count() == 1
    assert resource_out_of_service(lab.pk) == first


# --- The managers' steps --------------------------------------------------------------------


@pytest.fixture
def stopped(lab, people, used):
    return fault_report_create(
        actor=people["reporter"], resource_id=lab.pk, description="坏了", stop_instrument=True
    )


def test_the_steps_by_a_manager_tell_the_reporter_and_keep_the_history(lab, people, stopped):
    manager = people["manager"]
    fault_acknowledge(actor=manager, fault_id=stopped.pk, note="已收到")
    later = booked(lab, people["booker"], local(2026, 12, 1, 9))  # after the closure's end
    report = fault_update(
        actor=manager, fault_id=stopped.pk, status="in_repair", expected_return=dt.date(2026, 12, 3)
    )
    assert report.status == "in_repair"
    assert expected_back(report) == dt.date(2026, 12, 3)
    report.closure.refresh_from_db()
    assert report.closure.end == local(2026, 12, 3)
    assert Booking.objects.get(pk=later.pk).status == BookingStatus.CANCELLED  # the extension
    report = fault_resolve(actor=people["secretariat"], fault_id=stopped.pk, note="已更换真空泵")
    assert report.closure is None
    assert not Closure.objects.exists()
    assert report.status == "resolved"
    assert report.resolved_at == FROZEN_NOW
    assert resource_out_of_service(lab.pk) is None
    assert list(report.events.values_list("action", "from_status", "to_status")) == [
        ("reported", "", "open"),
        ("acknowledged", "open", "acknowledged"),
        ("updated", "acknowledged", "in_repair"),
        ("resolved", "in_repair", "resolved"),
    ]
    kinds = list(
        Notification.objects.filter(member=people["reporter"])
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["fault_ack", "fault_update", "fault_resolved"]
    resolved = Notification.objects.get(member=people["reporter"], kind="fault_resolved")
    assert "已更换真空泵" in resolved.body


def test_resolving_later_ends_the_closure_then(lab, people, stopped, time_machine):
    time_machine.move_to(FROZEN_NOW + dt.timedelta(days=1))
    fault_resolve(actor=people["manager"], fault_id=stopped.pk, note="修好了")
    closure = Closure.objects.get()
    assert closure.end == FROZEN_NOW + dt.timedelta(days=1)


def test_resolving_does_not_restore_cancelled_bookings(lab, people, used):
    tomorrow = booked(lab, people["booker"], local(2026, 11, 24, 9))
    report = fault_report_create(
        actor=people["reporter"], resource_id=lab.pk, description="坏了", stop_instrument=True
    )
    fault_dismiss(actor=people["manager"], fault_id=report.pk, note="误报")
    assert Booking.objects.get(pk=tomorrow.pk).status == BookingStatus.CANCELLED
    assert resource_out_of_service(lab.pk) is None


@pytest.mark.parametrize("who", ["reporter", "other_manager", "stranger"])
def test_the_wrong_side_cannot_move_a_report_and_nothing_is_written(people, stopped, who):
    before = (FaultEvent.objects.count(), Notification.objects.count())
    for step in (
        lambda: fault_acknowledge(actor=people[who], fault_id=stopped.pk),
        lambda: fault_resolve(actor=people[who], fault_id=stopped.pk, note="好了"),
        lambda: fault_update(actor=people[who], fault_id=stopped.pk, status="in_repair"),
    ):
        with pytest.raises(AccessDenied if who == "reporter" else NotFound):
            step()
    stopped.refresh_from_db()
    assert stopped.status == "open"
    assert (FaultEvent.objects.count(), Notification.objects.count()) == before
    assert Closure.objects.get().end == FROZEN_NOW + dt.timedelta(days=7)


def test_a_closed_report_cannot_move_again(people, stopped):
    fault_resolve(actor=people["manager"], fault_id=stopped.pk, note="好了")
    for step in (
        lambda: fault_acknowledge(actor=people["manager"], fault_id=stopped.pk),
        lambda: fault_dismiss(actor=people["manager"], fault_id=stopped.pk, note="x"),
    ):
        with pytest.raises(Conflict) as refused:
            step()
        assert refused.value.code == "fault_report_closed"


def test_inputs_of_the_steps_are_checked(people, stopped):
    manager = people["manager"]
    with pytest.raises(ValidationFailed):
        fault_resolve(actor=manager, fault_id=stopped.pk, note=" ")
    with pytest.raises(ValidationFailed) as past:
        fault_update(actor=manager, fault_id=stopped.pk, expected_return=dt.date(2026, 11, 23))
    assert past.value.code == "fault_expected_return_past"
    with pytest.raises(ValidationFailed):
        fault_update(actor=manager, fault_id=stopped.pk, status="resolved")
    with pytest.raises(ValidationFailed):
        fault_update(actor=manager, fault_id=stopped.pk)
    assert FaultEvent.objects.count() == 1


def test_lists_show_mine_and_the_managers_their_resources(lab, people, stopped):
    other = fault_report_create(
        actor=people["other_manager"],
        resource_id=ResourceFactory(unit=people["other_manager"].unit).pk,
        description="别处坏了",
    )
    assert list(fault_list(member=people["reporter"])) == [stopped]
    assert list(fault_list(member=people["manager"])) == [stopped]
    assert list(fault_list(member=people["secretariat"])) == [other, stopped]
    assert list(fault_list(member=people["stranger"])) == []


# --- The photo ------------------------------------------------------------------------------


def test_the_photo_is_kept_upright_without_metadata(lab, people, used, media_root):
    from PIL import Image

    content = camera_jpeg()
    report = fault_report_create(
        actor=people["reporter"],
        resource_id=lab.pk,
        description="坏了",
        photo=io.BytesIO(content),
        photo_size=len(content),
    )
    with Image.open(report.photo.path) as kept:
        assert kept.size == (20, 40)  # turned upright
        assert not kept.getexif()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"not an image", "photo_not_image"),
        (image_bytes(format="GIF", mode="P"), "photo_unsupported_format"),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_is_written(
    lab, people, used, media_root, content, code
):
    with pytest.raises(ValidationFailed) as refused:
        fault_report_create(
            actor=people["reporter"],
            resource_id=lab.pk,
            description="坏了",
            stop_instrument=True,
            photo=io.BytesIO(content),
            photo_size=len(content),
        )
    assert refused.value.code == code
    nothing_written()
    assert stored_files(media_root) == []


def test_a_photo_too_large_is_refused(lab, people, used, media_root, settings):
    settings.PHOTO_MAX_BYTES = 100
    content = image_bytes()
    with pytest.raises(ValidationFailed) as refused:
        fault_report_create(
            actor=people["reporter"],
            resource_id=lab.pk,
            description="坏了",
            photo=io.BytesIO(content),
            photo_size=len(content),
        )
    assert refused.value.code == "photo_too_large"
    nothing_written()
