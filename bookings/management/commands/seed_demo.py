"""``python manage.py seed_demo``: load the demo alliance (bookings/demo_data.py).

Idempotent: units are found by name, resources by (unit, name), members by username,
alliance-wide and maintenance closures by (resource, start, reason), make-up days by date,
bookings by (resource, member, purpose); what exists is left alone, and opening hours are
set to the demo's (a no-op when they already are). So a second run writes nothing.

Every write goes through the services, as the system (``actor=SYSTEM``); bookings go through
the scheduler (bookings.services), past ones with ``now=`` set to a moment before them.

Demo accounts get the password in the DEMO_PASSWORD environment variable. Without it the
command uses the public default DEMO_DEFAULT_PASSWORD, and prints it, only when DEBUG is on;
with DEBUG off it refuses. Passwords of accounts that already exist are never changed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from alliance.access import member_manages_unit
from alliance.actors import SYSTEM
from alliance.errors import Conflict, DomainError, ValidationFailed
from alliance.models import Member, MemberRole, Unit
from alliance.services import member_create, password_hash_make, unit_create
from bookings import demo_data as data
from bookings.models import Booking, BookingStatus
from bookings.qualifications import (
    qualification_grant,
    qualification_request,
    qualification_schedule,
)
from bookings.services import booking_approve, booking_cancel, booking_create, booking_reject
from resources.calendar_services import closure_create, makeup_day_set, opening_hours_set
from resources.models import Closure, MakeUpWorkingDay, OpeningHours, Qualification, Resource
from resources.selectors import alliance_zone, local_midnight
from resources.services import resource_create

#: Public, documented, for a laptop only (DEBUG on). Set DEMO_PASSWORD anywhere else.
DEMO_DEFAULT_PASSWORD = "gmkxc-demo-2026"  # noqa: S105
#: How many days a demo booking may move to find an open, free day.
MAX_SHIFT_DAYS = 21
#: Refusals that mean "this day does not work, try the next one".
MOVABLE_CODES = {"closed", "outside_opening_hours", "too_little_notice", "conflict"}


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def demo_password_get(*, debug: bool) -> tuple[str, bool]:
    """The demo accounts' password and whether it is the public default."""
    password = os.environ.get("DEMO_PASSWORD", "")
    if password:
        return password, False
    if debug:
        return DEMO_DEFAULT_PASSWORD, True
    raise CommandError(
        "DEMO_PASSWORD is not set and DEBUG is off: refusing to create demo accounts with the "
        "public default password. Set DEMO_PASSWORD to the password the demo accounts get."
    )


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _local(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=alliance_zone())


def _units_seed(report: SeedReport) -> dict[str, Unit]:
    units = {unit.name: unit for unit in Unit.objects.all()}
    for name, short_name, kind, contact in data.UNITS:
        if name not in units:
            units[name] = unit_create(
                actor=SYSTEM, name=name, kind=kind, short_name=short_name, contact_name=contact
            )
            report.created["units"] += 1
    return units


def _resources_seed(units: dict[str, Unit], report: SeedReport) -> dict[str, Resource]:
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
                assets = dict(zip(data.ASSET_FIELDS, data.ASSETS.get(name, ()), strict=False))
                if assets:
                    assets["original_value"] = Decimal(assets["original_value"])
                    assets["purchase_date"] = dt.date.fromisoformat(assets["purchase_date"])
                if name in data.QUALIFICATION_RULES:
                    valid_days, idle_days = data.QUALIFICATION_RULES[name]
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
                    **data.resource_whereabouts(unit_name),
                    description=data.DESCRIPTIONS[profile],
                    capacity=capacity,
                    allowed_unit_ids=allowed,
                    **dict(zip(data.RULE_FIELDS, rules, strict=True)),
                    **assets,
                )
                report.created["resources"] += 1
            windows = [(day, _time(s), _time(e)) for day, s, e in data.HOURS[hours]]
            opening_hours_set(actor=SYSTEM, resource_id=resource.pk, windows=windows)
            resources[name] = resource
    return resources


def _members_seed(units: dict[str, Unit], password: str, report: SeedReport) -> dict[str, Member]:
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


def _calendar_seed(resources: dict[str, Resource], report: SeedReport) -> None:
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


def _booking_place(
    *,
    resource: Resource,
    member: Member,
    days: int,
    start_time: str,
    minutes: int,
    attendees: int,
    purpose: str,
    now: dt.datetime,
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
            )
        except (ValidationFailed, Conflict) as refusal:
            if refusal.code not in MOVABLE_CODES:
                raise
            continue
        return booking, booked_at
    return None


def _decider(resource: Resource, members: dict[str, Member]) -> Member:
    """A manager of the resource's unit, or else the first secretariat member."""
    deciders = [m for m in members.values() if member_manages_unit(m, resource.unit_id)]
    return min(deciders, key=lambda m: m.role != MemberRole.UNIT_MANAGER)


def _qualifications_seed(
    resources: dict[str, Resource],
    members: dict[str, Member],
    now: dt.datetime,
    report: SeedReport,
) -> None:
    """Training requests, scheduled trainings and grants through the qualification
    services, so that the demo's bookings of instruments that need one are allowed. A
    member with any qualification of the resource already is left alone."""
    existing = set(Qualification.objects.values_list("resource_id", "member_id"))
    for name, username, days_ago, decision in data.QUALIFICATIONS:
        resource, member = resources[name], members.get(username)
        if member is None or (resource.pk, member.pk) in existing:
            continue
        asked_at = now - dt.timedelta(days=days_ago)
        qualification = qualification_request(
            member=member, resource_id=resource.pk, note="已阅读仪器操作规程", now=asked_at
        )
        report.created["qualifications"] += 1
        decider = _decider(resource, members)
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


def _bookings_seed(
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
        placed = _booking_place(
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
                actor=_decider(resource, members), booking_id=booking.pk, now=decided_at
            )
        elif action == "reject":
            booking_reject(
                actor=_decider(resource, members),
                booking_id=booking.pk,
                reason=reason,
                now=decided_at,
            )
        elif action == "cancel":
            booking_cancel(actor=member, booking_id=booking.pk, reason=reason, now=decided_at)
        else:
            raise CommandError(f"unknown decision {decision!r} in demo data")


def demo_seed(*, password: str, now: dt.datetime) -> SeedReport:
    """Load the demo alliance; see the module docstring. Everything but the bookings is
    written in one transaction; the booking services open their own durable ones, so a run
    that fails among the bookings is completed by the next."""
    report = SeedReport()
    with transaction.atomic():  # One commit for everything but the bookings.
        units = _units_seed(report)
        resources = _resources_seed(units, report)
        members = _members_seed(units, password, report)
        _calendar_seed(resources, report)
    _qualifications_seed(resources, members, now, report)
    _bookings_seed(resources, members, now, report)
    return report


class Command(BaseCommand):
    help = (
        "Load the demo alliance: 30 member units, 78 shared resources, demo accounts of every "
        "role, holidays and some bookings. Safe to run again. Demo accounts get DEMO_PASSWORD "
        f"(with DEBUG on and DEMO_PASSWORD unset: {DEMO_DEFAULT_PASSWORD})."
    )

    def handle(self, *args, **options) -> None:
        password, is_default = demo_password_get(debug=settings.DEBUG)
        try:
            report = demo_seed(password=password, now=timezone.now())
        except DomainError as exc:
            raise CommandError(f"the demo data was refused: {exc}") from exc
        self._summary_write(report, is_default)

    def _summary_write(self, report: SeedReport, is_default: bool) -> None:
        out = self.stdout
        created = ", ".join(f"{n} {what}" for what, n in report.created.items() if n)
        out.write(self.style.SUCCESS(f"Demo data loaded ({created or 'nothing new'})."))
        kinds = Counter(Resource.objects.values_list("kind", flat=True))
        out.write(
            f"  {Unit.objects.count()} units; {sum(kinds.values())} resources "
            f"({', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items()))}); "
            f"{OpeningHours.objects.count()} opening windows"
        )
        out.write(
            f"  {Closure.objects.filter(resource__isnull=True).count()} alliance-wide closures, "
            f"{Closure.objects.filter(resource__isnull=False).count()} maintenance closures, "
            f"{MakeUpWorkingDay.objects.count()} make-up working days"
        )
        statuses = Booking.objects.values_list("status").annotate(n=Count("pk")).order_by()
        out.write(
            f"  {Booking.objects.count()} bookings ("
            + ", ".join(f"{n} {status}" for status, n in sorted(statuses))
            + ")"
        )
        out.write("Demo accounts (username / role / unit):")
        accounts = Member.objects.select_related("user", "unit").filter(
            user__username__in=[row[0] for row in data.MEMBERS]
        )
        for member in accounts.order_by("role", "user__username"):
            out.write(f"  {member.user.username:<16} {member.role:<13} {member.unit}")
        if is_default:
            out.write(
                f"Password of new demo accounts: {DEMO_DEFAULT_PASSWORD} "
                "(public demo default, DEBUG only; set DEMO_PASSWORD to choose another)"
            )
        else:
            out.write("Password of new demo accounts: the value of DEMO_PASSWORD")
        for warning in report.warnings:
            out.write(self.style.WARNING(f"Warning: {warning}"))
