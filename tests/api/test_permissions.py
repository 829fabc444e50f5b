"""Who may call what: every v1 endpoint of resources, bookings and approvals against every
kind of caller, with the status each must get.

The world: units A and B, each with a researcher and a unit manager, and the secretariat.
``resource`` belongs to A. ``booking`` is A's researcher's pending booking of A's resource;
``cross`` is A's researcher's pending booking of B's resource, which B's manager sees,
decides and may cancel (issue 9), and A's manager sees and may cancel but not decide.

Every request carries a real token (Bearer) the way the mini-program signs in.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db.models import Q

from alliance.access import (
    bookings_decidable_by,
    bookings_visible_to,
    member_can_decide_booking,
    member_can_view_booking,
)
from alliance.actors import SYSTEM
from bookings.models import Booking, BookingStatus, PurchaseCheck, UsageSession
from bookings.purchase_checks import purchase_report_compute
from bookings.series import series_create
from bookings.waitlist import waitlist_join
from bookings.waitlist_offer import waitlist_offer
from resources.photos import photo_add
from tests.api.helpers import api_client
from tests.api.permission_matrix import MATRIX, ROLES
from tests.api.world import World, world_build
from tests.bookings.sample_support import at_step
from tests.conftest import local
from tests.factories import BookingFactory, ClosureFactory
from tests.resources.photo_support import image_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

CASES = [
    pytest.param(endpoint, role, expected[i], id=f"{endpoint}-{role}")
    for endpoint, (_, expected) in MATRIX.items()
    for i, role in enumerate(ROLES)
]

#: The code each refusal carries.
REFUSAL_CODES = {
    400: {"cancel_reason_required"},
    401: {"not_authenticated"},
    403: {"not_bound", "permission_denied", "on_behalf_not_allowed", "fault_report_not_allowed"},
    404: {"not_found"},
    409: {"invalid_transition", "not_checked_in", "closure_hits_bookings", "instrument_in_use"},
}


@pytest.fixture
def world() -> World:
    return world_build()


@pytest.fixture
def ids(world, media_root, settings, tmp_path) -> dict[str, int]:
    settings.SAMPLE_REPORT_ROOT = tmp_path / "samples"
    world.resource.offers_samples = True
    world.resource.save()
    sides = {"requester": world.researcher, "manager": world.manager}
    samples = {
        f"sample_{step}": at_step(world.resource, sides, step)
        for step in ("accepted", "received", "testing", "reported")
    }

    def pending(resource, day):
        return BookingFactory(
            member=world.researcher,
            resource=resource,
            start=local(2026, 11, day, 10),
            end=local(2026, 11, day, 11),
            status=BookingStatus.PENDING,
        )

    closure = ClosureFactory(
        resource=world.resource, start=local(2026, 12, 2), end=local(2026, 12, 3)
    )

    def in_line(day):
        taken = BookingFactory(
            member=world.other_researcher,
            resource=world.resource,
            start=local(2026, 11, day, 14),
            end=local(2026, 11, day, 15),
        )
        entry = waitlist_join(
            member=world.researcher,
            resource_id=world.resource.pk,
            start=taken.start,
            end=taken.end,
            purpose="候补",
        )
        return taken, entry

    waiting = in_line(26)[1]
    taken, offered = in_line(30)
    taken.status = BookingStatus.CANCELLED  # freed, then offered (as after commit)
    taken.save()
    waitlist_offer(resource_id=world.resource.pk, now=local(2026, 11, 23, 8))
    return {
        "waiting": waiting.pk,
        "offered": offered.pk,
        **{name: order.pk for name, order in samples.items()},
        "sample": at_step(world.resource, sides, "submitted").pk,
        "sample_file": samples["sample_reported"].report_files.get().pk,
        "unit": world.resource.unit_id,
        "resource": world.resource.pk,
        "other_resource": world.other_resource.pk,
        "member": world.researcher.pk,
        "booking": pending(world.resource, 25).pk,
        "cross": pending(world.other_resource, 26).pk,
        "closure": closure.pk,
        "photo": photo_add(
            actor=SYSTEM,
            resource_id=world.resource.pk,
            upload=io.BytesIO(image_bytes()),
            size=len(image_bytes()),
        ).pk,
        "code": world.resource.checkin_code,
        "series": series_create(
            member=world.researcher,
            resource_id=world.resource.pk,
            rule="FREQ=WEEKLY;COUNT=2",
            start=local(2026, 12, 1, 15),
            duration=dt.timedelta(hours=1),
            purpose="组会",
        ).series.pk,
        "session": UsageSession.objects.create(
            resource=world.resource,
            member=world.researcher,
            started_at=local(2026, 11, 23, 7),
            source="qr_scan",
        ).pk,
        "check": PurchaseCheck.objects.create(
            unit=world.resource.unit,
            entered_by=world.manager,
            instrument_name="冷冻电镜",
            classification_code="0101",
            price=1,
            report=purchase_report_compute(
                classification_code="0101", unit_id=world.resource.unit_id, year=2025
            ),
        ).pk,
        "done": UsageSession.objects.create(
            resource=world.resource,
            member=world.researcher,
            started_at=local(2026, 11, 20, 9),
            stopped_at=local(2026, 11, 20, 10),
            source="qr_scan",
        ).pk,
    }


def client_as(world: World, role: str):
    if role == "anonymous":
        return api_client()
    if role == "unbound":
        return api_client(openid="o-not-yet-a-member")
    return api_client(getattr(world, role))


def fill(value: Any, ids: dict[str, int]) -> Any:
    """Put the world's ids into a URL or body written with ``{name}`` placeholders (a
    callable body is made afresh)."""
    if callable(value):
        return value()
    if isinstance(value, str):
        for name, pk in ids.items():
            if value == f"{{{name}}}":
                return pk
            value = value.replace(f"{{{name}}}", str(pk))
        return value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_permission_matrix(world, ids, endpoint, role, expected):
    call, _ = MATRIX[endpoint]
    client = client_as(world, role)

    response = getattr(client, call.method)(
        fill(call.url, ids), fill(call.body, ids), format=call.format
    )
    if getattr(response, "streaming", False):  # a download: close its file
        for close in response._resource_closers:  # not close(): it ends the DB connection
            close()

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["code"] in REFUSAL_CODES[expected]
    if role == "unbound" and expected == 403:
        assert response.json()["code"] == "not_bound"


def test_every_v1_endpoint_of_this_contract_is_in_the_matrix():
    """A new endpoint must take its place in the matrix."""
    from django.urls import get_resolver

    v1 = get_resolver().url_patterns
    routes = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                routes.add(prefix + str(pattern.pattern))

    walk(v1)
    ours = {
        r
        for r in routes
        if r.startswith("api/v1/")
        and (
            r.split("/")[2]
            in {
                "units",
                "resources",
                "bookings",
                "approvals",
                "closures",
                "sessions",
                "sample-orders",
                "figures",
                "public",
                "purchase-checks",
                "assessment",
                "series",
                "waitlist",
            }
            or r.startswith("api/v1/me/credit/")
            or r.startswith("api/v1/me/waitlist/")
        )
    }
    covered = {
        call.url.split("?")[0]
        .replace("{unit}", "<int:unit_id>")
        .replace("{resource}", "<int:resource_id>")
        .replace("{booking}", "<int:booking_id>")
        .replace("{cross}", "<int:booking_id>")
        .replace("{closure}", "<int:closure_id>")
        .replace("{photo}", "<int:photo_id>")
        .replace("{session}", "<int:session_id>")
        .replace("{series}", "<int:series_id>")
        .replace("{done}", "<int:session_id>")
        .replace("{sample_file}", "<int:file_id>")
        .replace("{sample_accepted}", "{sample}")
        .replace("{sample_received}", "{sample}")
        .replace("{sample_testing}", "{sample}")
        .replace("{sample_reported}", "{sample}")
        .replace("{sample}", "<int:order_id>")
        .replace("{check}", "<int:check_id>")
        .replace("{offered}", "<int:entry_id>")
        .replace("{waiting}", "<int:entry_id>")
        .removeprefix("/")
        for call, _ in MATRIX.values()
    }
    assert ours == covered


def test_refused_actions_write_nothing(world, ids):
    before = list(Booking.objects.order_by("pk").values_list("pk", "status"))

    for role in ("anonymous", "unbound", "other_researcher", "other_manager"):
        client_as(world, role).post(f"/api/v1/bookings/{ids['booking']}/cancel/")
        client_as(world, role).post(f"/api/v1/bookings/{ids['booking']}/approve/")

    assert list(Booking.objects.order_by("pk").values_list("pk", "status")) == before


@pytest.mark.parametrize("role", ROLES[2:])
def test_list_scopes_agree_with_the_per_booking_helpers(world, ids, role):
    """alliance.access's query filters select exactly what its per-object helpers allow."""
    member = getattr(world, role)
    bookings = [
        BookingFactory(
            member=booker,
            resource=resource,
            start=local(2026, 11, 27, 8 + 2 * n),
            end=local(2026, 11, 27, 9 + 2 * n),
        )
        for n, (booker, resource) in enumerate(
            [
                (world.other_researcher, world.resource),
                (world.other_researcher, world.other_resource),
                (world.manager, world.other_resource),
                (world.secretariat, world.resource),
            ]
        )
    ] + list(
        Booking.objects.filter(
            Q(pk__in=[ids["booking"], ids["cross"]])
            | Q(series_id=ids["series"])
            | Q(start__in=[local(2026, 11, 26, 14), local(2026, 11, 30, 14)])  # the waitlist's
        )
    )

    visible = set(Booking.objects.filter(bookings_visible_to(member)).values_list("pk", flat=True))
    decidable = set(
        Booking.objects.filter(bookings_decidable_by(member)).values_list("pk", flat=True)
    )

    assert visible == {b.pk for b in bookings if member_can_view_booking(member, b)}
    assert decidable == {b.pk for b in bookings if member_can_decide_booking(member, b)}
