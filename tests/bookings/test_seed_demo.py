"""Specification of ``manage.py seed_demo``: the demo alliance of 004_*.txt, loaded
idempotently, every booking through the scheduler."""

import io
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from alliance.models import Member, MemberRole, Unit, UnitKind
from bookings.management.commands.seed_demo import DEMO_DEFAULT_PASSWORD
from bookings.models import BLOCKING_STATUSES, Booking, BookingEvent, BookingStatus, Quota
from bookings.rules import booking_rules_check
from bookings.sample_models import SampleOrder, SampleStatus
from bookings.service_modes import mode_min_notice_minutes, mode_qualified
from resources.models import (
    Closure,
    MakeUpWorkingDay,
    OpeningHours,
    Qualification,
    Resource,
    ResourceKind,
)
from resources.qualifications import qualification_refusal
from resources.selectors import resource_calendar_get
from resources.services import RULE_DEFAULTS, rules_validate
from tests.conftest import FROZEN_NOW

User = get_user_model()
TEST_PASSWORD = "seed-demo-test-password"
WRITES = ("INSERT", "UPDATE", "DELETE")
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the whole module, since a seed takes seconds; every test then runs in
    its own rolled-back transaction on top. The rows are flushed when the module is done."""
    with django_db_blocker.unblock():
        with (
            pytest.MonkeyPatch.context() as patch,
            override_settings(PASSWORD_HASHERS=[MD5_HASHER]),
            time_machine.travel(FROZEN_NOW, tick=False),
        ):
            patch.setenv("DEMO_PASSWORD", TEST_PASSWORD)
            output = seed()
        yield output
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded(seeded_once, db, frozen_now, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", TEST_PASSWORD)
    return seeded_once


def fingerprint() -> dict[str, list]:
    """Every row the seed writes, in full, in pk order."""
    models = [Unit, User, Member, Resource, Resource.allowed_units.through, OpeningHours]
    models += [Closure, MakeUpWorkingDay, Booking, BookingEvent]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def test_thirty_member_units_of_the_alliance(seeded):
    units = Unit.objects.all()

    assert units.count() == 30
    names = set(units.values_list("name", flat=True))
    for named in ["中国科学院深圳理工大学", "深圳湾实验室", "光明科学城开发建设署"]:
        assert named in names
    assert {"华侨城（光明）集团", "光明区委组织部", "中山大学·深圳"} <= names
    assert set(units.values_list("kind", flat=True)) == set(UnitKind.values)


def test_exactly_seventy_eight_resources_of_all_three_kinds(seeded):
    kinds = Counter(Resource.objects.values_list("kind", flat=True))

    assert sum(kinds.values()) == 78
    assert set(kinds) == set(ResourceKind.values)


def test_the_shared_resources_named_by_the_alliance(seeded):
    bay_lab = Resource.objects.filter(unit__name="深圳湾实验室", kind=ResourceKind.EQUIPMENT)
    siat_labs = Resource.objects.filter(unit__name="中国科学院深圳理工大学", kind="lab")
    venues = set(Resource.objects.filter(kind="venue").values_list("name", flat=True))

    assert bay_lab.count() == 9
    assert {"科研大装置", "单细胞技术平台", "新药筛选平台"} <= set(
        bay_lab.values_list("name", flat=True)
    )
    assert siat_labs.count() >= 10
    assert Resource.objects.filter(
        unit__name="光明科学城开发建设署", name__contains="智库+总设计师"
    ).exists()
    assert {"白求恩党群服务中心", "光明青年人才驿站"} <= venues
    assert {"深圳党史馆现场教学基地", "深圳市方志馆现场教学基地"} <= venues


def test_every_resource_opens_and_keeps_consistent_rules(seeded):
    resources = Resource.objects.prefetch_related("opening_hours", "allowed_units")

    for resource in resources:
        assert resource.opening_hours.all(), resource.name
        assert resource.location.strip(), resource.name
        rules_validate({key: getattr(resource, key) for key in RULE_DEFAULTS})
    around_the_clock = resources.get(name="生物信息计算平台").opening_hours.all()
    assert len(around_the_clock) == 7
    lunch_break = resources.get(name="分子生物学公共实验室").opening_hours.filter(weekday=0)
    assert lunch_break.count() == 2
    assert resources.filter(allowed_units__isnull=False).distinct().count() >= 1
    assert resources.filter(requires_approval=False).exists()
    assert resources.filter(buffer_minutes__gt=0, kind="equipment").exists()


def test_demo_members_of_every_role_with_back_office_staff(seeded):
    members = Member.objects.select_related("user")

    assert set(members.values_list("role", flat=True)) == set(MemberRole.values)
    for member in members:
        assert member.user.is_staff is (member.role != MemberRole.RESEARCHER), member.user
        assert member.user.check_password(TEST_PASSWORD)
    assert "mishuchu" in seeded  # the summary lists the demo accounts
    assert TEST_PASSWORD not in seeded


def test_the_calendar_has_holidays_make_up_days_and_maintenance(seeded):
    assert Closure.objects.filter(resource__isnull=True, reason="春节假期").count() == 2
    assert Closure.objects.filter(resource__isnull=False).exists()
    assert MakeUpWorkingDay.objects.count() >= 4


def test_bookings_went_through_the_scheduler_and_keep_every_rule(seeded, frozen_now):
    bookings = Booking.objects.select_related("resource", "member", "member__unit")

    assert bookings.filter(end__lte=frozen_now).exists()
    assert bookings.filter(start__gt=frozen_now).exists()
    assert {BookingStatus.PENDING, BookingStatus.APPROVED, BookingStatus.REJECTED} <= set(
        bookings.values_list("status", flat=True)
    )
    for booking in bookings:
        created = booking.events.get(action=BookingEvent.Action.CREATED)
        assert created.actor_id == booking.member_id
        assert booking.events.order_by("at", "pk").last().to_status == booking.status
        resource = booking.resource
        booking_rules_check(
            resource=resource,
            member=booking.member,
            allowed_unit_ids=set(resource.allowed_units.values_list("pk", flat=True)),
            start=booking.start,
            end=booking.end,
            attendees=booking.attendees,
            now=created.at,
            calendar=lambda resource=resource, booking=booking: resource_calendar_get(
                resource=resource, start=booking.start, end=booking.end
            ),
            qualified=mode_qualified(
                mode=booking.mode,
                qualified=qualification_refusal(
                    member=booking.member, resource=resource, now=created.at
                )
                is None,
            ),
            min_notice_minutes=mode_min_notice_minutes(resource=resource, mode=booking.mode),
        )
    blocking = bookings.filter(status__in=BLOCKING_STATUSES).order_by("resource_id", "start")
    previous = None
    for booking in blocking:
        if previous is not None and previous.resource_id == booking.resource_id:
            assert booking.start >= previous.blocked_until
        previous = booking


def test_a_second_run_writes_nothing(seeded):
    before = fingerprint()

    with CaptureQueriesContext(connection) as queries:
        second = seed()

    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    assert fingerprint() == before
    assert "nothing new" in second


def test_a_second_run_leaves_edited_rows_alone_and_restores_missing_ones(seeded):
    Unit.objects.filter(name="深圳湾实验室").update(short_name="自建简称")
    Closure.objects.filter(reason="冷冻电镜年度维护保养").delete()
    OpeningHours.objects.filter(resource__name="质谱平台", weekday=6).delete()

    seed()

    assert Unit.objects.get(name="深圳湾实验室").short_name == "自建简称"
    assert Closure.objects.filter(reason="冷冻电镜年度维护保养").count() == 1
    assert OpeningHours.objects.filter(resource__name="质谱平台", weekday=6).count() == 1
    assert Unit.objects.count() == 30
    assert Resource.objects.count() == 78


def forget_account(username: str) -> None:
    """Remove a demo account that has no bookings, so that the next run creates it again."""
    Member.objects.filter(user__username=username).delete()
    User.objects.filter(username=username).delete()


def test_without_a_password_and_debug_off_it_refuses_and_writes_nothing(
    seeded, monkeypatch, settings
):
    forget_account("mishuchu2")
    before = fingerprint()
    monkeypatch.delenv("DEMO_PASSWORD")
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEMO_PASSWORD is not set and DEBUG is off"):
        seed()

    assert fingerprint() == before


def test_with_debug_on_the_documented_default_password_is_used_and_printed(
    seeded, monkeypatch, settings
):
    forget_account("mishuchu2")
    monkeypatch.delenv("DEMO_PASSWORD")
    settings.DEBUG = True

    output = seed()

    assert f"Password of new demo accounts: {DEMO_DEFAULT_PASSWORD}" in output
    assert User.objects.get(username="mishuchu2").check_password(DEMO_DEFAULT_PASSWORD)
    assert User.objects.get(username="mishuchu").check_password(TEST_PASSWORD)


def test_the_large_instruments_carry_asset_data_and_their_qualifications(seeded):
    krios = Resource.objects.get(name="冷冻电镜平台")
    assert krios.unit.name == "深圳湾实验室"
    assert krios.original_value == Decimal("45000000.00")
    assert krios.classification_code == "0101"
    assert krios.expected_yearly_hours == 1400
    assert krios.requires_qualification
    with_assets = Resource.objects.exclude(asset_number="")
    assert {r.unit.name for r in with_assets} == {"深圳湾实验室", "中国科学院深圳理工大学"}
    assert with_assets.filter(specialised=True).exists()
    statuses = set(Qualification.objects.values_list("status", flat=True))
    assert {"granted", "training_scheduled", "requested"} <= statuses


def test_the_demo_shows_the_instrument_chain_assisted_use_samples_and_a_quota(seeded):
    """Someone trying the demo finds each service mode in use: an assisted booking run by an
    operator of the owning unit for a member not yet qualified, sample orders waiting and
    accepted, and a weekly quota on the scarcest instrument."""
    assisted = Booking.objects.get(mode="assisted")
    assert assisted.operator.unit_id == assisted.resource.unit_id
    assert assisted.operator in assisted.resource.operators.all()
    assert (
        qualification_refusal(member=assisted.member, resource=assisted.resource, now=FROZEN_NOW)
        == "not_qualified"
    )
    orders = SampleOrder.objects.all()
    assert {o.status for o in orders} == {SampleStatus.SUBMITTED, SampleStatus.ACCEPTED}
    assert all(o.resource.offers_samples for o in orders)
    quota = Quota.objects.get()
    assert (quota.resource.name, quota.scope, quota.measure, quota.limit) == (
        "冷冻电镜平台",
        "member",
        "hours",
        24,
    )
