"""``python manage.py seed_demo``: load the demo alliance (bookings/demo_data.py).

Idempotent: units are found by name, resources by (unit, name), members by username,
alliance-wide and maintenance closures by (resource, start, reason), make-up days by date,
bookings by (resource, member, purpose), sample orders by (resource, requester, description),
quotas by what they limit; what exists is left alone, and opening hours are set to the
demo's (a no-op when they already are). So a second run writes nothing. The instrument
chain's data (bookings.demo_instruments) is applied to resources when the seed creates them.

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

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from alliance.errors import DomainError
from alliance.models import Member, Unit
from bookings import demo_data as data
from bookings.demo_seed import (
    SeedReport,
    bookings_seed,
    calendar_seed,
    members_seed,
    qualifications_seed,
    resources_seed,
    units_seed,
)
from bookings.demo_seed_chain import (
    assisted_bookings_seed,
    quotas_seed,
    sample_orders_seed,
    service_modes_seed,
)
from bookings.models import Booking
from resources.models import (
    Closure,
    MakeUpWorkingDay,
    OpeningHours,
    Resource,
)

#: Public, documented, for a laptop only (DEBUG on). Set DEMO_PASSWORD anywhere else.
DEMO_DEFAULT_PASSWORD = "gmkxc-demo-2026"  # noqa: S105


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


def demo_seed(*, password: str, now: dt.datetime) -> SeedReport:
    """Load the demo alliance; see the module docstring. Everything but the bookings is
    written in one transaction; the booking services open their own durable ones, so a run
    that fails among the bookings is completed by the next."""
    report = SeedReport()
    with transaction.atomic():  # One commit for everything but the bookings.
        units = units_seed(report)
        resources = resources_seed(units, report)
        members = members_seed(units, password, report)
        calendar_seed(resources, report)
        service_modes_seed(resources, members, report)
        quotas_seed(resources, report)
    qualifications_seed(resources, members, now, report)
    bookings_seed(resources, members, now, report)
    assisted_bookings_seed(resources, members, now, report)
    sample_orders_seed(resources, members, now, report)
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
