"""Service income on recorded use (issue 11, the assessment): managers state a session's fee
when they enter or correct it; bad sums are refused and write nothing; the database refuses
a negative fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from alliance.errors import AccessDenied, ValidationFailed
from alliance.models import MemberRole
from bookings.models import UsageSession
from bookings.usage import usage_correct, usage_record_manual
from tests.api.helpers import api_client
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory

pytestmark = pytest.mark.django_db

NINE = local(2026, 11, 24, 9)


@pytest.fixture
def lab():
    return ResourceFactory(name="冷冻电镜")


@pytest.fixture
def manager(lab):
    return MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER)


def enter(lab, actor, **changes):
    fields = {
        "actor": actor,
        "resource_id": lab.pk,
        "member_id": MemberFactory().pk,
        "started_at": NINE - dt.timedelta(hours=3),
        "stopped_at": NINE - dt.timedelta(hours=2),
        "reason": "用户忘记扫码",
        "now": NINE,
        **changes,
    }
    return usage_record_manual(**fields)


def test_a_session_entered_by_hand_keeps_its_fee(lab, manager):
    session = enter(lab, manager, fee=Decimal("480.5"))

    session.refresh_from_db()
    assert session.fee == Decimal("480.50")


def test_without_a_fee_the_session_has_none(lab, manager):
    assert enter(lab, manager).fee is None


@pytest.mark.parametrize("fee", [Decimal("-0.01"), Decimal("1.001"), 2.5, "abc", Decimal("1e10")])
def test_a_bad_fee_is_refused_and_nothing_is_written(lab, manager, fee):
    with pytest.raises(ValidationFailed) as refusal:
        enter(lab, manager, fee=fee)

    assert refusal.value.extra["fields"] == {"fee": ["invalid"]}
    assert not UsageSession.objects.exists()


def test_a_correction_sets_the_fee_and_leaves_it_when_not_given(lab, manager):
    session = enter(lab, manager)

    usage_correct(
        actor=manager, session_id=session.pk, reason="补登收费", fee=Decimal("100"), now=NINE
    )
    usage_correct(actor=manager, session_id=session.pk, reason="补登样品", samples=3, now=NINE)

    session.refresh_from_db()
    assert (session.fee, session.samples) == (Decimal("100.00"), 3)


def test_a_refused_correction_leaves_the_fee(lab, manager):
    session = enter(lab, manager, fee=Decimal("10"))

    with pytest.raises(ValidationFailed):
        usage_correct(actor=manager, session_id=session.pk, reason="x", fee=Decimal("-1"), now=NINE)
    with pytest.raises(AccessDenied):
        usage_correct(actor=MemberFactory(), session_id=session.pk, reason="x", fee=Decimal("1"))

    session.refresh_from_db()
    assert session.fee == Decimal("10.00")


def test_the_database_refuses_a_negative_fee(lab, manager):
    session = enter(lab, manager)

    with pytest.raises(IntegrityError), transaction.atomic():
        UsageSession.objects.filter(pk=session.pk).update(fee=Decimal("-1"))


def test_the_api_takes_and_answers_the_fee(lab, manager):
    client = api_client(manager)
    body = {
        "resource": lab.pk,
        "member": MemberFactory().pk,
        "started_at": "2026-11-20T09:00:00+08:00",
        "stopped_at": "2026-11-20T11:00:00+08:00",
        "reason": "补录",
    }

    refused = client.post("/api/v1/sessions/", {**body, "fee": "-3"}, format="json")
    entered = client.post("/api/v1/sessions/", {**body, "fee": "250.00"}, format="json")
    corrected = client.patch(
        f"/api/v1/sessions/{entered.json()['id']}/", {"reason": "改价", "fee": "200"}, format="json"
    )

    assert refused.status_code == 400
    assert "fee" in refused.json()["fields"]
    assert entered.status_code == 201
    assert entered.json()["fee"] == "250.00"
    assert corrected.json()["fee"] == "200.00"
    assert UsageSession.objects.count() == 1
