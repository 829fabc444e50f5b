"""The demo alliance's seeding steps (bookings.demo_data, bookings.demo_places), run by
``python manage.py seed_demo`` (its docstring says what makes a second run write nothing).
Every write goes through the services as the system; bookings go through the scheduler."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from alliance.access import member_manages_unit
from alliance.actors import SYSTEM
from alliance.errors import Conflict, ValidationFailed
from alliance.models import Member, MemberRole, Unit
from alliance.services import member_create, password_hash_make, unit_create
from bookings import demo_data as data
from bookings import demo_instruments as chain
from bookings import demo_places as places
from bookings.models import Booking, BookingStatus
from bookings.qualifications import (
    qualification_grant,
    qualification_request,
    qualification_schedule,
)
from bookings.services import booking_approve, booking_cancel, booking_create, booking_reject
from resources.calendar_services import closure_create, makeup_day_set, opening_hours_set
from resources.models import (
    Closure,
    MakeUpWorkingDay,
    Qualification,
    Resource,
)
from resources.selectors import alliance_zone, local_midnight
from resources.services import resource_create

#: How many days a demo booking may move to find an open, free day.
MAX_SHIFT_DAYS = 21
#: Refusals that mean "this day does not work, try the next one".
MOVABLE_CODES = {"closed", "outside_opening_hours", "too_little_notice", "conflict"}


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    #: The resources this run created: only they get the demo's service modes.
    new_resources: set[str] = field(default_factory=set)


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _local(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=alliance_zone())


def units_seed(report: SeedReport) -> dict[str, Unit]:
    units = {unit.name: unit for unit in Unit.objects.all()}
    for name, short_name, kind, contact in data.UNITS:
        if name not in units:
            units[name] = unit_create(
                actor=SYSTEM, name=name, kind=kind, short_name=short_name, contact_name=contact
            )
            report.created["units"] += 1
    return units


def resources_seed(units: dict[str, Unit], report: SeedReport) -> dict[str, Resource]:
    """Create missing resources and set every demo resource's opening hours."""
    existing = {(r.unit_id, r.name): r for r in Resource.objects.all()}
    resources: dict[str, Resource] = {}
    for unit_name, (site, rows) in data.RESOURCES.items():
        unit = units[unit_name]
        for name, capacity, profile, hours, room in rows:
            resource = existing.get((unit.pk, name))
            if resource is None:
                kind, *rules = data.RULES[profile]
                allowed = [units[u].pk for u in data.RESTRICTED.get((unit_name, name), [])]
                assets = dict(zip(chain.ASSET_FIELDS, chain.ASSETS.get(name, ()), strict=False))
                if assets:
                    assets["original_value"] = Decimal(assets["original_value"])
                    assets["purchase_date"] = dt.date.fromisoformat(assets["purchase_date"])
                if name in chain.QUALIFICATION_RULES:
                    valid_days, idle_days = chain.QUALIFICATION_RULES[name]
                    assets.update(
                        requires_qualification=True,
                        qualification_valid_days=valid_days,
                        qualification_idle_days=idle_days,
                    )
                resource = resource_create(
                    actor=SYSTEM,
                    unit_id=unit.pk,
                    kind=kind,
                    name=name,
                    building=site,
                    room=room,
                    **places.resource_whereabouts(unit_name),
                    description=data.DESCRIPTIONS[profile],
                    capacity=capacity,
                    allowed_unit_ids=allowed,
                    **dict(zip(data.RULE_FIELDS, rules, strict=True)),
                    **assets,
                )
                report.created["resources"] += 1
                report.new_resources.add(name)
            windows = [(day, _time(s), _time(e)) for day, s, e in data.HOURS[hours]]
            opening_hours_set(actor=SYSTEM, resource_id=resource.pk, windows=windows)
            resources[name] = resource
    return resources


def members_seed(units: dict[str, Unit], password: str, report: SeedReport) -> dict[str, Member]:
    usernames = [row[0] for row in data.MEMBERS]
    members = {
        m.user.username: m
        for m in Member.objects.select_related("user").filter(user__username__in=usernames)
    }
    password_hash = None
    taken = set(
        get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    for username, name, unit_name, role in data.MEMBERS:
        if username in members:
            continue
        if username in taken:
            report.warnings.append(f"user {username} exists without a member; left alone")
            continue
        password_hash = password_hash or password_hash_make(password=password)
        members[username] = member_create(
            actor=SYSTEM,
            unit_id=units[unit_name].pk,
            name=name,
            role=role,
            username=username,
            password_hash=password_hash,
        )
        report.created["members"] += 1
    return members


def _closure_ensure(
    resource: Resource | None, start: dt.datetime, end: dt.datetime, reason: str
) -> bool:
    if Closure.objects.filter(resource=resource, start=start, reason=reason).exists():
        return False
    closure_create(
        actor=SYSTEM,
        resource_id=resource.pk if resource else None,
        start=start,
        end=end,
        reason=reason,
    )
    return True


def calendar_seed(resources: dict[str, Resource], report: SeedReport) -> None:
    for first, last, name in data.HOLIDAYS:
        start = local_midnight(dt.date.fromisoformat(first))
        end = local_midnight(dt.date.fromisoformat(last) + dt.timedelta(days=1))
        report.created["closures"] += _closure_ensure(None, start, end, f"{name}假期")
    for date, opens_as, note in data.MAKEUP_DAYS:
        day = dt.date.fromisoformat(date)
        if not MakeUpWorkingDay.objects.filter(date=day).exists():
            report.created["make-up days"] += 1
        makeup_day_set(actor=SYSTEM, date=day, opens_as=opens_as, note=note)
    for name, start, end, reason in data.MAINTENANCE:
        created = _closure_ensure(resources[name], _local(start), _local(end), reason)
        report.created["closures"] += created


def booking_place(
    *,
    resource: Resource,
    member: Member,
    days: int,
    start_time: str,
    minutes: int,
    attendees: int,
    purpose: str,
    now: dt.datetime,
    mode: str | None = None,
) -> tuple[Booking, dt.datetime] | None:
    """Book through the scheduler on the first day from ``days`` on (earlier for past ones)
    that is open and free. Returns the booking and the moment it was made."""
    today = now.astimezone(alliance_zone()).date()
    step = 1 if days >= 0 else -1
    for shift in range(MAX_SHIFT_DAYS):
        day = today + dt.timedelta(days=days + step * shift)
        start = dt.datetime.combine(day, _time(start_time), tzinfo=alliance_zone())
        end = start + dt.timedelta(minutes=minutes)
        if days < 0 and end > now:
            continue
        booked_at = (
            start - dt.timedelta(minutes=resource.min_notice_minutes, days=1) if days < 0 else now
        )
        try:
            booking = booking_create(
                member=member,
                resource_id=resource.pk,
                start=start,
                end=end,
                purpose=purpose,
                attendees=attendees,
                now=booked_at,
                mode=mode,
            )
        except (ValidationFailed, Conflict) as refusal:
            if refusal.code not in MOVABLE_CODES:
                raise
            continue
        return booking, booked_at
    return None


def resource_decider(resource: Resource, members: dict[str, Member]) -> Member:
    """A manager of the resource's unit, or else the first secretariat member."""
    deciders = [m for m in members.values() if member_manages_unit(m, resource.unit_id)]
    return min(deciders, key=lambda m: m.role != MemberRole.UNIT_MANAGER)


def qualifications_seed(
    resources: dict[str, Resource],
    members: dict[str, Member],
    now: dt.datetime,
    report: SeedReport,
) -> None:
    """Training requests, scheduled trainings and grants through the qualification
    services, so that the demo's bookings of instruments that need one are allowed. A
    member with any qualification of the resource already is left alone."""
    existing = set(Qualification.objects.values_list("resource_id", "member_id"))
    for name, username, days_ago, decision in chain.QUALIFICATIONS:
        resource, member = resources[name], members.get(username)
        if member is None or (resource.pk, member.pk) in existing:
            continue
        asked_at = now - dt.timedelta(days=days_ago)
        qualification = qualification_request(
            member=member, resource_id=resource.pk, note="已阅读仪器操作规程", now=asked_at
        )
        report.created["qualifications"] += 1
        decider = resource_decider(resource, members)
        if decision == "grant":
            qualification_grant(
                actor=decider,
                qualification_id=qualification.pk,
                now=asked_at + dt.timedelta(days=2),
            )
        elif decision == "schedule":
            day = (now + dt.timedelta(days=3)).astimezone(alliance_zone()).date()
            qualification_schedule(
                actor=decider,
                qualification_id=qualification.pk,
                training_at=dt.datetime.combine(day, dt.time(14), tzinfo=alliance_zone()),
                place=resource.location,
                now=asked_at + dt.timedelta(hours=4),
            )


def bookings_seed(
    resources: dict[str, Resource],
    members: dict[str, Member],
    now: dt.datetime,
    report: SeedReport,
) -> None:
    existing = set(Booking.objects.values_list("resource_id", "member_id", "purpose"))
    for name, username, days, start, minutes, attendees, purpose, decision in data.BOOKINGS:
        resource, member = resources[name], members.get(username)
        if member is None or (resource.pk, member.pk, purpose) in existing:
            continue
        placed = booking_place(
            resource=resource,
            member=member,
            days=days,
            start_time=start,
            minutes=minutes,
            attendees=attendees,
            purpose=purpose,
            now=now,
        )
        if placed is None:
            report.warnings.append(f"no open, free day found for booking “{purpose}”")
            continue
        booking, booked_at = placed
        report.created["bookings"] += 1
        action, _, reason = decision.partition(": ")
        decided_at = booked_at + dt.timedelta(hours=2) if days < 0 else now
        if not action or (booking.status != BookingStatus.PENDING and action != "cancel"):
            continue
        if action == "approve":
            booking_approve(
                actor=resource_decider(resource, members), booking_id=booking.pk, now=decided_at
            )
        elif action == "reject":
            booking_reject(
                actor=resource_decider(resource, members),
                booking_id=booking.pk,
                reason=reason,
                now=decided_at,
            )
        elif action == "cancel":
            booking_cancel(actor=member, booking_id=booking.pk, reason=reason, now=decided_at)
        else:
            raise CommandError(f"unknown decision {decision!r} in demo data")
