"""Sample orders (送样检测, issue 10): every transition by the right and the wrong side, the
submit rules (mode offered, allow-list, active units), cancel until received, the report
file checks by content and size, the history and the notices, and nothing written on
refusal."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from bookings.models import (
    SampleHazard,
    SampleOrder,
    SampleReportFile,
    SampleStatus,
    UsageSession,
)
from bookings.samples import (
    ReportUpload,
    sample_order_accept,
    sample_order_cancel,
    sample_order_confirm,
    sample_order_receive,
    sample_order_refuse,
    sample_order_report,
    sample_order_start_testing,
)
from bookings.usage import usage_record_manual
from notifications.models import Notification, NotificationKind
from tests.bookings import sample_support
from tests.bookings.sample_support import (
    PDF,
    at_step,
    snapshot,
    submitted,
)
from tests.conftest import FROZEN_NOW, local
from tests.factories import BookingFactory, UnitFactory

lab, sides, report_root = sample_support.lab, sample_support.sides, sample_support.report_root
_chinese = sample_support.chinese_without_delivery

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen_now", "report_root"),
]


# --- Submitting ---------------------------------------------------------------------------


def test_submit_records_the_order_its_history_and_tells_the_unit_managers(lab, sides):
    order = submitted(
        lab, sides["requester"], hazard=SampleHazard.CHEMICAL, hazard_details="含少量乙腈"
    )
    assert order.status == SampleStatus.SUBMITTED
    assert order.unit_id == sides["requester"].unit_id
    assert order.submitted_at == FROZEN_NOW
    event = order.events.get()
    assert (event.actor, event.from_status, event.to_status) == (
        sides["requester"],
        "",
        SampleStatus.SUBMITTED,
    )
    told = Notification.objects.get()
    assert told.member == sides["manager"]
    assert told.kind == NotificationKind.SAMPLE_SUBMITTED
    assert "液相色谱质谱联用仪" in told.title


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"sample_count": 0}, "sample_count"),
        ({"sample_count": True}, "sample_count"),
        ({"sample_count": 1001}, "sample_count"),
        ({"description": "  "}, "description"),
        ({"hazard": "explosive"}, "hazard"),
        ({"hazard": SampleHazard.BIOLOGICAL, "hazard_details": ""}, "hazard_details"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(lab, sides, values, field):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        submitted(lab, sides["requester"], **values)
    assert field in refused.value.extra["fields"]
    assert snapshot() == before


def test_a_resource_that_takes_no_samples_refuses(lab, sides):
    lab.offers_samples = False
    lab.save()
    with pytest.raises(ValidationFailed) as refused:
        submitted(lab, sides["requester"])
    assert refused.value.code == "mode_not_offered"
    assert not SampleOrder.objects.exists()


def test_the_allow_list_and_inactive_units_refuse_as_for_bookings(lab, sides):
    lab.allowed_units.set([UnitFactory()])
    with pytest.raises(ValidationFailed) as refused:
        submitted(lab, sides["requester"])
    assert refused.value.code == "not_allowed_for_unit"
    lab.allowed_units.set([sides["requester"].unit])
    assert submitted(lab, sides["requester"]).pk
    unit = sides["requester"].unit
    unit.is_active = False
    unit.save()
    with pytest.raises(ValidationFailed) as refused:
        submitted(lab, sides["requester"])
    assert refused.value.code == "booking_unit_inactive"
    lab.is_retired = True
    lab.save()
    with pytest.raises(ValidationFailed) as refused:
        submitted(lab, sides["colleague"])
    assert refused.value.code == "resource_retired"
    assert SampleOrder.objects.count() == 1


def test_an_unknown_resource_is_not_found(sides):
    with pytest.raises(NotFound):
        submitted(type("R", (), {"pk": 999999})(), sides["requester"])


def test_a_missing_actor_is_an_error(lab):
    with pytest.raises(TypeError):
        submitted(lab, None)


# --- The handlers' steps ------------------------------------------------------------------


def test_accept_defaults_to_the_resources_turnaround_and_tells_the_requester(lab, sides):
    order = submitted(lab, sides["requester"])
    order = sample_order_accept(actor=sides["manager"], order_id=order.pk, note="请周三前送到")
    assert order.status == SampleStatus.ACCEPTED
    assert order.expected_completion == dt.date(2026, 11, 28)  # 23 Nov + 5 days
    assert order.accepted_at == FROZEN_NOW
    told = Notification.objects.get(member=sides["requester"])
    assert told.kind == NotificationKind.SAMPLE_ACCEPTED
    assert "2026-11-28" in told.body
    assert "请周三前送到" in told.body
    event = order.events.last()
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        sides["manager"],
        SampleStatus.SUBMITTED,
        SampleStatus.ACCEPTED,
        "请周三前送到",
    )


def test_accept_with_a_date_and_not_in_the_past(lab, sides):
    order = submitted(lab, sides["requester"])
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        sample_order_accept(
            actor=sides["manager"], order_id=order.pk, expected_completion=dt.date(2026, 11, 22)
        )
    assert refused.value.code == "sample_completion_past"
    assert snapshot() == before
    order = sample_order_accept(
        actor=sides["secretariat"], order_id=order.pk, expected_completion=dt.date(2026, 11, 23)
    )
    assert order.expected_completion == dt.date(2026, 11, 23)


def test_refuse_needs_a_reason_and_ends_the_order(lab, sides):
    order = submitted(lab, sides["requester"])
    with pytest.raises(ValidationFailed):
        sample_order_refuse(actor=sides["manager"], order_id=order.pk, reason=" ")
    order = sample_order_refuse(actor=sides["manager"], order_id=order.pk, reason="不测生物样品")
    assert (order.status, order.refusal_reason, order.refused_at) == (
        SampleStatus.REFUSED,
        "不测生物样品",
        FROZEN_NOW,
    )
    assert Notification.objects.filter(
        member=sides["requester"], kind=NotificationKind.SAMPLE_REFUSED
    ).exists()
    with pytest.raises(Conflict) as late:
        sample_order_accept(actor=sides["manager"], order_id=order.pk)
    assert late.value.code == "sample_order_state"


def test_the_whole_way_to_confirmed_records_every_step(lab, sides):
    order = at_step(lab, sides, "reported")
    assert order.status == SampleStatus.REPORTED
    assert None not in (order.received_at, order.testing_at, order.reported_at)
    assert order.report_files.get().content_type == "application/pdf"
    order = sample_order_confirm(actor=sides["requester"], order_id=order.pk, note="收到，谢谢")
    assert order.status == SampleStatus.CONFIRMED
    history = list(order.events.values_list("to_status", flat=True))
    assert history == [
        "submitted",
        "accepted",
        "received",
        "testing",
        "reported",
        "confirmed",
    ]
    kinds = list(Notification.objects.order_by("pk").values_list("member__name", "kind"))
    assert kinds == [
        ("王主任", "sample_submitted"),
        ("张博", "sample_accepted"),
        ("张博", "sample_received"),
        ("张博", "sample_testing"),
        ("张博", "sample_reported"),
        ("王主任", "sample_confirmed"),
    ]


HANDLER_STEPS = {
    "accept": (lambda a, o: sample_order_accept(actor=a, order_id=o), "submitted"),
    "refuse": (lambda a, o: sample_order_refuse(actor=a, order_id=o, reason="不"), "submitted"),
    "receive": (lambda a, o: sample_order_receive(actor=a, order_id=o), "accepted"),
    "testing": (lambda a, o: sample_order_start_testing(actor=a, order_id=o), "received"),
    "report": (
        lambda a, o: sample_order_report(actor=a, order_id=o, files=[ReportUpload("r.pdf", PDF)]),
        "testing",
    ),
}
REQUESTER_STEPS = {
    "cancel": (lambda a, o: sample_order_cancel(actor=a, order_id=o), "accepted"),
    "confirm": (lambda a, o: sample_order_confirm(actor=a, order_id=o), "reported"),
}


def order_at(lab, sides, status):
    if status == "submitted":
        return submitted(lab, sides["requester"])
    return at_step(lab, sides, status)


@pytest.mark.parametrize("step", sorted(HANDLER_STEPS))
@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("requester", AccessDenied),
        ("colleague", NotFound),
        ("other_manager", NotFound),
        ("stranger", NotFound),
    ],
)
def test_the_handlers_steps_refuse_the_wrong_side_and_write_nothing(
    lab, sides, step, who, error, report_root
):
    call, status = HANDLER_STEPS[step]
    order = order_at(lab, sides, status)
    before = snapshot()
    with pytest.raises(error):
        call(sides[who], order.pk)
    assert snapshot() == before
    assert SampleReportFile.objects.filter(order=order).count() == 0
    assert not list(report_root.rglob("*.pdf")) or status == "reported"


@pytest.mark.parametrize("step", sorted(REQUESTER_STEPS))
@pytest.mark.parametrize(
    ("who", "error"),
    [("manager", AccessDenied), ("secretariat", AccessDenied), ("stranger", NotFound)],
)
def test_the_requesters_steps_refuse_the_other_side_and_write_nothing(lab, sides, step, who, error):
    call, status = REQUESTER_STEPS[step]
    order = order_at(lab, sides, status)
    before = snapshot()
    with pytest.raises(error):
        call(sides[who], order.pk)
    assert snapshot() == before


@pytest.mark.parametrize("step", sorted(HANDLER_STEPS) + ["confirm"])
def test_every_step_from_the_wrong_status_is_a_conflict(lab, sides, step):
    call, status = (HANDLER_STEPS | REQUESTER_STEPS)[step]
    wrong = "testing" if status != "testing" else "accepted"
    order = order_at(lab, sides, wrong)
    actor = sides["requester"] if step == "confirm" else sides["manager"]
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        call(actor, order.pk)
    assert refused.value.code == "sample_order_state"
    assert snapshot() == before


@pytest.mark.parametrize("status", ["submitted", "accepted"])
def test_the_requester_cancels_until_the_samples_are_received(lab, sides, status):
    order = order_at(lab, sides, status)
    order = sample_order_cancel(actor=sides["requester"], order_id=order.pk, reason="样品坏了")
    assert (order.status, order.cancel_reason, order.cancelled_at) == (
        SampleStatus.CANCELLED,
        "样品坏了",
        FROZEN_NOW,
    )
    told = Notification.objects.filter(kind=NotificationKind.SAMPLE_CANCELLED).get()
    assert told.member == sides["manager"]


@pytest.mark.parametrize("status", ["received", "testing", "reported"])
def test_cancelling_after_the_samples_arrived_is_refused(lab, sides, status):
    order = order_at(lab, sides, status)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        sample_order_cancel(actor=sides["requester"], order_id=order.pk)
    assert refused.value.code == "sample_cancel_too_late"
    assert snapshot() == before


def test_a_deactivated_unit_manager_can_no_longer_handle(lab, sides):
    order = submitted(lab, sides["requester"])
    lab.unit.is_active = False
    lab.unit.save()
    with pytest.raises((AccessDenied, NotFound)):
        sample_order_accept(actor=sides["manager"], order_id=order.pk)
    assert SampleOrder.objects.get().status == SampleStatus.SUBMITTED


# --- The database's own guarantees --------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "lost"},
        {"status": SampleStatus.ACCEPTED},  # no date
        {"status": SampleStatus.REFUSED, "refused_at": FROZEN_NOW},  # no reason
        {"status": SampleStatus.TESTING, "accepted_at": FROZEN_NOW},
        {"status": SampleStatus.CANCELLED},
        {"hazard": SampleHazard.RADIOACTIVE},
        {"sample_count": 0},
    ],
)
def test_the_database_refuses_a_half_stepped_order(lab, sides, changes):
    order = submitted(lab, sides["requester"])
    with pytest.raises(IntegrityError), transaction.atomic():
        SampleOrder.objects.filter(pk=order.pk).update(**changes)


def test_a_cancelled_order_never_had_its_samples_received(lab, sides):
    order = at_step(lab, sides, "received")
    with pytest.raises(IntegrityError), transaction.atomic():
        SampleOrder.objects.filter(pk=order.pk).update(
            status=SampleStatus.CANCELLED, cancelled_at=FROZEN_NOW
        )


# --- Recorded use -------------------------------------------------------------------------


def test_a_manual_session_may_name_the_order_it_served(lab, sides):
    order = at_step(lab, sides, "testing")
    session = usage_record_manual(
        actor=sides["manager"],
        resource_id=lab.pk,
        member_id=sides["manager"].pk,
        started_at=local(2026, 11, 22, 9),
        stopped_at=local(2026, 11, 22, 11),
        reason="补录送样检测",
        sample_order_id=order.pk,
        samples=3,
    )
    assert session.sample_order == order
    assert list(order.sessions.all()) == [session]


def test_a_session_serves_a_booking_or_an_order_not_both(lab, sides):
    order = at_step(lab, sides, "testing")
    booking = BookingFactory(
        resource=lab,
        member=sides["requester"],
        start=local(2026, 11, 20, 9),
        end=local(2026, 11, 20, 10),
    )
    before = UsageSession.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        usage_record_manual(
            actor=sides["manager"],
            resource_id=lab.pk,
            member_id=sides["manager"].pk,
            started_at=local(2026, 11, 22, 9),
            stopped_at=local(2026, 11, 22, 11),
            reason="补录",
            sample_order_id=order.pk,
            booking_id=booking.pk,
        )
    assert "sample_order" in refused.value.extra["fields"]
    assert UsageSession.objects.count() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageSession.objects.create(
            resource=lab,
            member=sides["manager"],
            booking=booking,
            sample_order=order,
            started_at=local(2026, 11, 22, 9),
            stopped_at=local(2026, 11, 22, 10),
            source="qr_scan",
        )
