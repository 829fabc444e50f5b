"""The demo's instrument-sharing chain (bookings.demo_instruments): service modes on the
resources the seed creates, a quota, assisted bookings and sample orders, each through its
service. Run by ``seed_demo`` after bookings.demo_seed's steps."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from alliance.actors import SYSTEM
from alliance.models import Member
from bookings import demo_instruments as chain
from bookings.demo_seed import SeedReport, booking_place, resource_decider
from bookings.models import Booking, BookingStatus, Quota
from bookings.quota_services import quota_save
from bookings.sample_models import SampleOrder
from bookings.samples import sample_order_accept, sample_order_refuse, sample_order_submit
from bookings.services import booking_approve
from resources.models import (
    Resource,
    ServiceMode,
)
from resources.services import resource_update


def service_modes_seed(
    resources: dict[str, Resource], members: dict[str, Member], report: SeedReport
) -> None:
    """The demo's assisted use and sample submission, on the resources this run created
    (a manager's later edits are left alone, as with the asset data)."""
    for name, modes in chain.SERVICE_MODES.items():
        if name not in report.new_resources:
            continue
        modes = dict(modes)
        operators = [members[u].pk for u in modes.pop("operators", []) if u in members]
        resource_update(
            actor=SYSTEM, resource_id=resources[name].pk, operator_ids=operators, **modes
        )


def quotas_seed(resources: dict[str, Resource], report: SeedReport) -> None:
    for name, scope, measure, period, limit in chain.QUOTAS:
        target = {"resource": resources[name], "scope": scope, "measure": measure}
        if Quota.objects.filter(**target, period=period).exists():
            continue
        quota_save(
            actor=SYSTEM,
            resource_id=resources[name].pk,
            kind="",
            scope=scope,
            measure=measure,
            period=period,
            limit=limit,
        )
        report.created["quotas"] += 1


def assisted_bookings_seed(
    resources: dict[str, Resource],
    members: dict[str, Member],
    now: dt.datetime,
    report: SeedReport,
) -> None:
    existing = set(Booking.objects.values_list("resource_id", "member_id", "purpose"))
    for name, username, days, start, minutes, purpose in chain.ASSISTED_BOOKINGS:
        resource, member = resources[name], members.get(username)
        if member is None or (resource.pk, member.pk, purpose) in existing:
            continue
        if ServiceMode.ASSISTED not in Resource.objects.get(pk=resource.pk).service_modes:
            continue  # a manager turned assisted use off
        placed = booking_place(
            resource=resource,
            member=member,
            days=days,
            start_time=start,
            minutes=minutes,
            attendees=1,
            purpose=purpose,
            now=now,
            mode=ServiceMode.ASSISTED,
        )
        if placed is None:
            report.warnings.append(f"no open, free day found for booking “{purpose}”")
            continue
        booking, _ = placed
        report.created["bookings"] += 1
        if booking.status == BookingStatus.PENDING:
            booking_approve(
                actor=resource_decider(resource, members), booking_id=booking.pk, now=now
            )


def sample_orders_seed(
    resources: dict[str, Resource],
    members: dict[str, Member],
    now: dt.datetime,
    report: SeedReport,
) -> None:
    existing = set(SampleOrder.objects.values_list("resource_id", "requester_id", "description"))
    for name, username, count, description, decision in chain.SAMPLE_ORDERS:
        resource, member = resources[name], members.get(username)
        if member is None or (resource.pk, member.pk, description) in existing:
            continue
        if not Resource.objects.get(pk=resource.pk).offers_samples:
            continue  # a manager turned sample submission off
        order = sample_order_submit(
            actor=member,
            resource_id=resource.pk,
            sample_count=count,
            description=description,
            now=now,
        )
        report.created["sample orders"] += 1
        action, _, reason = decision.partition(": ")
        decider = resource_decider(resource, members)
        if action == "accept":
            sample_order_accept(actor=decider, order_id=order.pk, now=now)
        elif action == "refuse":
            sample_order_refuse(actor=decider, order_id=order.pk, reason=reason, now=now)
        elif action:
            raise CommandError(f"unknown decision {decision!r} in demo data")
