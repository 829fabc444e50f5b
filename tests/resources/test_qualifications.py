"""Qualifications (上机资格) through their services: each transition by the right side, the
wrong side refused with nothing written, the history and the notices of each step."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from alliance.models import MemberRole
from bookings.qualifications import (
    qualification_cancel,
    qualification_grant,
    qualification_refuse,
    qualification_request,
    qualification_revoke,
    qualification_schedule,
)
from notifications.models import Notification, NotificationKind
from resources.models import Qualification, QualificationEvent, QualificationStatus
from tests.conftest import FROZEN_NOW, local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db
NOW = FROZEN_NOW


@pytest.fixture
def krios():
    return ResourceFactory(
        name="冷冻电镜 Titan Krios",
        requires_qualification=True,
        qualification_valid_days=365,
        qualification_idle_days=90,
    )


@pytest.fixture
def member():
    return MemberFactory(name="李研究员")


@pytest.fixture
def manager(krios):
    return MemberFactory(unit=krios.unit, role=MemberRole.UNIT_MANAGER, name="张主任")


@pytest.fixture
def secretariat():
    return MemberFactory(role=MemberRole.SECRETARIAT, name="秘书处")


def request(member, resource, **kwargs):
    return qualification_request(member=member, resource_id=resource.pk, now=NOW, **kwargs)


def counts():
    return (
        Qualification.objects.count(),
        QualificationEvent.objects.count(),
        Notification.objects.count(),
    )


def test_a_request_is_recorded_and_told_to_the_resources_deciders(
    krios, member, manager, secretariat
):
    qualification = request(member, krios, note="做单颗粒分析")

    assert qualification.status == QualificationStatus.REQUESTED
    event = qualification.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "requested",
        "",
        "requested",
        member,
    )
    told = Notification.objects.filter(kind=NotificationKind.QUAL_REQUESTED)
    assert {n.member for n in told} == {manager, secretariat}
    assert all(n.qualification == qualification for n in told)
    assert "做单颗粒分析" in told.first().body


def test_the_whole_chain_schedule_then_grant_computes_the_lapse(krios, member, manager):
    qualification = request(member, krios)
    training = local(2026, 11, 25, 14)

    qualification_schedule(
        actor=manager,
        qualification_id=qualification.pk,
        training_at=training,
        place="B1 电镜室",
        now=NOW,
    )
    granted = qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)

    assert granted.status == QualificationStatus.GRANTED
    assert granted.granted_at == NOW
    assert granted.expires_at == NOW + dt.timedelta(days=365)
    assert granted.lapses_at == NOW + dt.timedelta(days=90)  # idle limit comes first
    assert list(granted.events.values_list("action", flat=True)) == [
        "requested",
        "scheduled",
        "granted",
    ]
    member_notices = Notification.objects.filter(member=member).values_list("kind", flat=True)
    assert set(member_notices) == {"qual_scheduled", "qual_granted"}
    scheduled = Notification.objects.get(member=member, kind="qual_scheduled")
    assert "B1 电镜室" in scheduled.body


def test_a_fixed_validity_shorter_than_the_idle_limit_decides_the_lapse(member):
    resource = ResourceFactory(
        requires_qualification=True, qualification_valid_days=30, qualification_idle_days=90
    )
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    qualification = request(member, resource)

    granted = qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)

    assert granted.lapses_at == granted.expires_at == NOW + dt.timedelta(days=30)


def test_a_grant_without_limits_never_lapses(member):
    resource = ResourceFactory(requires_qualification=True)
    manager = MemberFactory(unit=resource.unit, role=MemberRole.UNIT_MANAGER)
    qualification = request(member, resource)

    granted = qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)

    assert (granted.expires_at, granted.lapses_at) == (None, None)


def test_refusal_needs_a_reason_and_tells_the_member(krios, member, manager):
    qualification = request(member, krios)
    before = counts()

    with pytest.raises(ValidationFailed) as refused:
        qualification_refuse(actor=manager, qualification_id=qualification.pk, reason=" ", now=NOW)
    assert refused.value.extra["fields"] == {"reason": ["required"]}
    assert counts() == before

    qualification_refuse(
        actor=manager, qualification_id=qualification.pk, reason="未完成安全培训", now=NOW
    )
    qualification.refresh_from_db()
    assert (qualification.status, qualification.reason) == ("refused", "未完成安全培训")
    notice = Notification.objects.get(member=member, kind="qual_refused")
    assert "未完成安全培训" in notice.body


def test_revoke_takes_a_grant_back_with_a_reason(krios, member, manager):
    qualification = request(member, krios)
    qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)

    qualification_revoke(
        actor=manager, qualification_id=qualification.pk, reason="违规操作", now=NOW
    )

    qualification.refresh_from_db()
    assert qualification.status == QualificationStatus.REVOKED
    event = qualification.events.last()
    assert (event.action, event.reason, event.actor) == ("revoked", "违规操作", manager)
    assert Notification.objects.filter(member=member, kind="qual_revoked").exists()


def test_the_member_withdraws_a_request_and_the_deciders_are_told(krios, member, manager):
    qualification = request(member, krios)

    qualification_cancel(actor=member, qualification_id=qualification.pk, now=NOW)

    qualification.refresh_from_db()
    assert qualification.status == QualificationStatus.CANCELLED
    assert Notification.objects.filter(member=manager, kind="qual_cancelled").exists()


def test_after_a_refusal_or_withdrawal_the_member_may_ask_again(krios, member, manager):
    first = request(member, krios)
    qualification_cancel(actor=member, qualification_id=first.pk, now=NOW)

    second = request(member, krios)

    assert second.pk != first.pk
    assert second.status == QualificationStatus.REQUESTED


@pytest.mark.parametrize(
    ("step", "code"),
    [
        ("granted", "qualification_state"),  # no second grant, no schedule after a grant
        ("refused", "qualification_state"),
    ],
)
def test_a_decided_qualification_cannot_be_decided_again(krios, member, manager, step, code):
    qualification = request(member, krios)
    if step == "granted":
        qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)
    else:
        qualification_refuse(actor=manager, qualification_id=qualification.pk, reason="x", now=NOW)
    before = counts()

    for attempt in (
        lambda: qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW),
        lambda: qualification_refuse(
            actor=manager, qualification_id=qualification.pk, reason="y", now=NOW
        ),
        lambda: qualification_cancel(actor=member, qualification_id=qualification.pk, now=NOW),
        lambda: qualification_schedule(
            actor=manager,
            qualification_id=qualification.pk,
            training_at=local(2026, 11, 30, 9),
            now=NOW,
        ),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == code

    assert counts() == before


def test_only_a_grant_can_be_revoked(krios, member, manager):
    qualification = request(member, krios)
    before = counts()

    with pytest.raises(Conflict) as refused:
        qualification_revoke(actor=manager, qualification_id=qualification.pk, reason="x", now=NOW)

    assert refused.value.code == "qualification_state"
    assert counts() == before


def test_the_wrong_side_is_refused_and_nothing_is_written(krios, member, manager):
    qualification = request(member, krios)
    other_manager = MemberFactory(role=MemberRole.UNIT_MANAGER)  # another unit's
    stranger = MemberFactory()
    before = counts()

    for attempt in (
        lambda: qualification_grant(actor=member, qualification_id=qualification.pk, now=NOW),
        lambda: qualification_grant(
            actor=other_manager, qualification_id=qualification.pk, now=NOW
        ),
        lambda: qualification_refuse(
            actor=stranger, qualification_id=qualification.pk, reason="x", now=NOW
        ),
        lambda: qualification_cancel(actor=manager, qualification_id=qualification.pk, now=NOW),
        lambda: qualification_cancel(actor=stranger, qualification_id=qualification.pk, now=NOW),
    ):
        with pytest.raises(AccessDenied):
            attempt()

    assert counts() == before


@pytest.mark.parametrize(
    ("resource_kwargs", "exception", "code"),
    [
        ({"requires_qualification": False}, ValidationFailed, "qualification_not_required"),
        (
            {"requires_qualification": True, "is_retired": True},
            ValidationFailed,
            "resource_retired",
        ),
    ],
)
def test_a_request_for_a_resource_that_takes_none_is_refused(
    member, resource_kwargs, exception, code
):
    resource = ResourceFactory(**resource_kwargs)

    with pytest.raises(exception) as refused:
        request(member, resource)

    assert refused.value.code == code
    assert counts() == (0, 0, 0)


def test_an_unknown_resource_is_not_found(member):
    with pytest.raises(NotFound):
        qualification_request(member=member, resource_id=987654, now=NOW)


def test_an_inactive_member_cannot_ask(krios):
    member = MemberFactory(is_active=False)

    with pytest.raises(AccessDenied):
        request(member, krios)

    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("open_status", ["requested", "granted"])
def test_one_open_qualification_per_member_and_resource(krios, member, manager, open_status):
    qualification = request(member, krios)
    if open_status == "granted":
        qualification_grant(actor=manager, qualification_id=qualification.pk, now=NOW)
    before = counts()

    with pytest.raises(Conflict) as refused:
        request(member, krios)

    assert refused.value.code == "qualification_exists"
    assert counts() == before


def test_the_database_keeps_one_open_qualification_per_member_and_resource(krios, member):
    Qualification.objects.create(member=member, resource=krios)

    with pytest.raises(IntegrityError), transaction.atomic():
        Qualification.objects.create(
            member=member, resource=krios, status=QualificationStatus.SCHEDULED
        )

    Qualification.objects.create(member=member, resource=krios, status="refused")  # closed: fine


def test_training_must_be_aware_and_ahead(krios, member, manager):
    qualification = request(member, krios)
    before = counts()

    for when, code in (
        (NOW - dt.timedelta(minutes=1), "training_in_the_past"),
        (dt.datetime(2026, 12, 1, 9), "naive_datetime"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            qualification_schedule(
                actor=manager, qualification_id=qualification.pk, training_at=when, now=NOW
            )
        assert refused.value.code == code

    assert counts() == before
    qualification_schedule(
        actor=manager, qualification_id=qualification.pk, training_at=NOW, now=NOW
    )  # the edge: now itself


def test_a_member_whose_unit_may_not_book_the_resource_cannot_ask(krios, member):
    krios.allowed_units.add(krios.unit)  # only its own unit

    with pytest.raises(ValidationFailed) as refused:
        request(member, krios)

    assert refused.value.code == "not_allowed_for_unit"
    assert counts() == (0, 0, 0)
    assert request(MemberFactory(unit=krios.unit), krios).status == "requested"
