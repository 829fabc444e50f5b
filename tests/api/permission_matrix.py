"""The permission matrix of tests/api/test_permissions.py as data: every v1 endpoint, the
call that exercises it (``{name}`` placeholders are filled with the world's ids), and the
status each kind of caller must get."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.bookings.sample_support import PDF
from tests.resources.photo_support import image_bytes

ROLES = (
    "anonymous",
    "unbound",
    "researcher",
    "other_researcher",
    "manager",
    "other_manager",
    "secretariat",
)


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    body: Any = None
    format: str = "json"


def report_upload() -> dict:
    """A fresh multipart body with a small PDF report."""
    return {"files": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")}


def photo_upload() -> dict:
    """A fresh multipart body with a small JPEG (an upload is read once)."""
    return {"image": SimpleUploadedFile("photo.jpg", image_bytes())}


OPEN_SLOT = {
    "start": "2026-11-24T14:00:00+08:00",
    "end": "2026-11-24T15:00:00+08:00",
    "purpose": "权限测试",
}
NEW_RESOURCE = {"kind": "venue", "name": "新会议室"}
CLOSURE = {"start": "2026-12-01T08:00", "end": "2026-12-01T12:00", "reason": "检修"}
OVER_BOOKING = {"start": "2026-11-25T08:00", "end": "2026-11-25T12:00", "reason": "检修"}
PREVIEW = {"start": "2026-11-25T08:00", "end": "2026-11-25T12:00"}
HOURS = [{"weekday": 0, "start": "09:00", "end": "17:00"}]
PURCHASE = {
    "instrument_name": "冷冻电镜",
    "classification_code": "0101",
    "specifications": "300 kV",
    "price": "20000000.00",
}

SERIES = {
    "rule": "FREQ=WEEKLY;COUNT=2",
    "start": "2026-12-03T14:00:00+08:00",
    "end": "2026-12-03T15:00:00+08:00",
}

#: ``booking``'s slot, which is taken (the waitlist's).
TAKEN_SLOT = {
    "start": "2026-11-25T10:00:00+08:00",
    "end": "2026-11-25T11:00:00+08:00",
    "purpose": "候补",
}

#: endpoint: (call, expected status for each of ROLES in order)
MATRIX: dict[str, tuple[Call, tuple[int, ...]]] = {
    # Browsing: anyone signed in, bound or not.
    "units list": (Call("get", "/api/v1/units/"), (401, 200, 200, 200, 200, 200, 200)),
    "unit detail": (Call("get", "/api/v1/units/{unit}/"), (401, 200, 200, 200, 200, 200, 200)),
    # Deactivating and reactivating a unit: the secretariat only.
    "unit deactivate": (
        Call("post", "/api/v1/units/{unit}/deactivate/"),
        (401, 403, 403, 403, 403, 403, 200),
    ),
    "unit reactivate": (
        Call("post", "/api/v1/units/{unit}/reactivate/"),
        (401, 403, 403, 403, 403, 403, 200),
    ),
    # A unit's people (issue 9): its managers and the secretariat.
    "unit members": (
        Call("get", "/api/v1/units/{unit}/members/"),
        (401, 403, 403, 403, 200, 403, 200),
    ),
    "resources list": (Call("get", "/api/v1/resources/"), (401, 200, 200, 200, 200, 200, 200)),
    "resources free": (
        Call("get", "/api/v1/resources/?free_from=2026-11-24T10:00&free_to=2026-11-24T11:00"),
        (401, 200, 200, 200, 200, 200, 200),
    ),
    "resource detail": (
        Call("get", "/api/v1/resources/{resource}/"),
        (401, 200, 200, 200, 200, 200, 200),
    ),
    "availability": (
        Call("get", "/api/v1/resources/{resource}/availability/?from=2026-11-24&to=2026-11-30"),
        (401, 200, 200, 200, 200, 200, 200),
    ),
    "closures list": (
        Call("get", "/api/v1/resources/{resource}/closures/"),
        (401, 200, 200, 200, 200, 200, 200),
    ),
    # Managing A's resource: A's managers and the secretariat.
    "resource create": (
        Call("post", "/api/v1/resources/", {**NEW_RESOURCE, "unit": "{unit}"}),
        (401, 403, 403, 403, 201, 403, 201),
    ),
    "resource edit": (
        Call("patch", "/api/v1/resources/{resource}/", {"capacity": 5}),
        (401, 403, 403, 403, 200, 403, 200),
    ),
    # Retiring over the pending booking: listed (409) unless confirmed with a reason.
    "resource retire": (
        Call("post", "/api/v1/resources/{resource}/retire/"),
        (401, 403, 403, 403, 409, 403, 409),
    ),
    "resource retire confirmed": (
        Call("post", "/api/v1/resources/{resource}/retire/", {"confirm": True, "reason": "报废"}),
        (401, 403, 403, 403, 200, 403, 200),
    ),
    "resource retire preview": (
        Call("post", "/api/v1/resources/{resource}/retire/preview/"),
        (401, 403, 403, 403, 200, 403, 200),
    ),
    "opening hours": (
        Call("put", "/api/v1/resources/{resource}/opening-hours/", HOURS),
        (401, 403, 403, 403, 200, 403, 200),
    ),
    "closure create": (
        Call("post", "/api/v1/resources/{resource}/closures/", CLOSURE),
        (401, 403, 403, 403, 201, 403, 201),
    ),
    # Over the pending booking of the 25th: listed (409) unless confirmed (issue 9).
    "closure over a booking": (
        Call("post", "/api/v1/resources/{resource}/closures/", OVER_BOOKING),
        (401, 403, 403, 403, 409, 403, 409),
    ),
    "closure over a booking confirmed": (
        Call("post", "/api/v1/resources/{resource}/closures/", {**OVER_BOOKING, "confirm": True}),
        (401, 403, 403, 403, 201, 403, 201),
    ),
    "closure preview": (
        Call("post", "/api/v1/resources/{resource}/closures/preview/", PREVIEW),
        (401, 403, 403, 403, 200, 403, 200),
    ),
    # Alliance-wide closures (public holidays): the secretariat only.
    "alliance closure": (
        Call("post", "/api/v1/closures/", CLOSURE),
        (401, 403, 403, 403, 403, 403, 201),
    ),
    "alliance closure preview": (
        Call("post", "/api/v1/closures/preview/", PREVIEW),
        (401, 403, 403, 403, 403, 403, 200),
    ),
    "closure delete": (
        Call("delete", "/api/v1/resources/{resource}/closures/{closure}/"),
        (401, 403, 403, 403, 204, 403, 204),
    ),
    "photo upload": (
        Call("post", "/api/v1/resources/{resource}/photos/", photo_upload, "multipart"),
        (401, 403, 403, 403, 201, 403, 201),
    ),
    # Reporting a fault (issue 10): who used or booked it (nobody here: the booking is
    # pending and to come), the resource's managers and the secretariat.
    "fault report": (
        Call("post", "/api/v1/resources/{resource}/faults/", {"description": "真空泵异响"}),
        (401, 403, 403, 403, 201, 403, 201),
    ),
    "photo delete": (
        Call("delete", "/api/v1/resources/{resource}/photos/{photo}/"),
        (401, 403, 403, 403, 204, 403, 204),
    ),
    # Booking: bound members only.
    "bookings list": (Call("get", "/api/v1/bookings/"), (401, 403, 200, 200, 200, 200, 200)),
    "booking create": (
        Call("post", "/api/v1/bookings/", {**OPEN_SLOT, "resource": "{resource}"}),
        (401, 403, 201, 201, 201, 201, 201),
    ),
    # On behalf of A's researcher (代预约): A's resource by A's manager or the secretariat;
    # B's by B's manager or the secretariat. Naming oneself is booking for oneself.
    "booking on behalf": (
        Call(
            "post",
            "/api/v1/bookings/",
            {**OPEN_SLOT, "resource": "{resource}", "member": "{member}"},
        ),
        (401, 403, 201, 403, 201, 403, 201),
    ),
    "cross booking on behalf": (
        Call(
            "post",
            "/api/v1/bookings/",
            {**OPEN_SLOT, "resource": "{other_resource}", "member": "{member}"},
        ),
        (401, 403, 201, 403, 403, 201, 201),
    ),
    "approvals list": (Call("get", "/api/v1/approvals/"), (401, 403, 200, 200, 200, 200, 200)),
    # One booking: 404 outside the caller's view, before any 403.
    "booking detail": (
        Call("get", "/api/v1/bookings/{booking}/"),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    "booking cancel": (
        Call("post", "/api/v1/bookings/{booking}/cancel/", {"reason": "临时检修"}),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    # Staff cancelling someone else's booking must say why (issue 9); the booker need not.
    "booking cancel without a reason": (
        Call("post", "/api/v1/bookings/{booking}/cancel/"),
        (401, 403, 200, 404, 400, 404, 400),
    ),
    # The credit score (issue 12): one's own; misuse reported by the resource's managers.
    "my credit": (Call("get", "/api/v1/me/credit/"), (401, 403, 200, 200, 200, 200, 200)),
    "booking misuse": (
        Call("post", "/api/v1/bookings/{booking}/misuse/", {"points": 5, "reason": "未清洁"}),
        (401, 403, 403, 404, 201, 404, 201),
    ),
    "booking approve": (
        Call("post", "/api/v1/bookings/{booking}/approve/"),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "booking reject": (
        Call("post", "/api/v1/bookings/{booking}/reject/", {"reason": "时间冲突"}),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    # Check-in and check-out: the booker or the resource's managers; pending here, so a
    # permitted caller gets the state's 409 rather than 200.
    "booking check-in": (
        Call("post", "/api/v1/bookings/{booking}/check-in/"),
        (401, 403, 409, 404, 409, 404, 409),
    ),
    "booking check-out": (
        Call("post", "/api/v1/bookings/{booking}/check-out/"),
        (401, 403, 409, 404, 409, 404, 409),
    ),
    "cross check-in": (
        Call("post", "/api/v1/bookings/{cross}/check-in/"),
        (401, 403, 409, 404, 403, 409, 409),
    ),
    "cross check-out": (
        Call("post", "/api/v1/bookings/{cross}/check-out/"),
        (401, 403, 409, 404, 403, 409, 409),
    ),
    "cross detail": (
        Call("get", "/api/v1/bookings/{cross}/"),
        (401, 403, 200, 404, 200, 200, 200),
    ),
    # The resource's managers (B's) may cancel too (issue 9).
    "cross cancel": (
        Call("post", "/api/v1/bookings/{cross}/cancel/", {"reason": "设备故障"}),
        (401, 403, 200, 404, 200, 200, 200),
    ),
    "cross approve": (
        Call("post", "/api/v1/bookings/{cross}/approve/"),
        (401, 403, 403, 404, 403, 200, 200),
    ),
    "cross reject": (
        Call("post", "/api/v1/bookings/{cross}/reject/", {"reason": "时间冲突"}),
        (401, 403, 403, 404, 403, 200, 200),
    ),
    # Recorded use (issue 10): ``session`` is the researcher's running session on A's
    # resource, ``done`` a stopped one. Scanning while it runs: theirs again, or in use.
    "usage start": (
        Call("post", "/api/v1/resources/{resource}/sessions/start/", {"code": "{code}"}),
        (401, 403, 201, 409, 409, 409, 409),
    ),
    "usage stop": (
        Call("post", "/api/v1/resources/{resource}/sessions/{session}/stop/"),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    "sessions list": (Call("get", "/api/v1/sessions/"), (401, 403, 200, 200, 200, 200, 200)),
    "session detail": (
        Call("get", "/api/v1/sessions/{session}/"),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    "session correct": (
        Call("patch", "/api/v1/sessions/{done}/", {"reason": "更正", "samples": 1}),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "session enter": (
        Call(
            "post",
            "/api/v1/sessions/",
            {
                "resource": "{resource}",
                "member": "{member}",
                "started_at": "2026-11-21T09:00:00+08:00",
                "stopped_at": "2026-11-21T10:00:00+08:00",
                "reason": "补录",
            },
        ),
        (401, 403, 403, 403, 201, 403, 201),
    ),
    # Sample orders (issue 10): ``sample`` is the researcher's order on A's resource at the
    # step each call needs. The requester and A's managers with the secretariat see it; the
    # handlers' steps are theirs, cancel and confirm the requester's.
    "sample order create": (
        Call(
            "post",
            "/api/v1/resources/{resource}/sample-orders/",
            {"sample_count": 2, "description": "两份粉末样品"},
        ),
        (401, 403, 201, 201, 201, 201, 201),
    ),
    "sample orders mine": (
        Call("get", "/api/v1/sample-orders/"),
        (401, 403, 200, 200, 200, 200, 200),
    ),
    "sample orders handled": (
        Call("get", "/api/v1/sample-orders/handled/"),
        (401, 403, 403, 403, 200, 200, 200),
    ),
    "sample order detail": (
        Call("get", "/api/v1/sample-orders/{sample}/"),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    "sample order accept": (
        Call("post", "/api/v1/sample-orders/{sample}/accept/"),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "sample order refuse": (
        Call("post", "/api/v1/sample-orders/{sample}/refuse/", {"reason": "不测此类样品"}),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "sample order receive": (
        Call("post", "/api/v1/sample-orders/{sample_accepted}/receive/"),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "sample order start testing": (
        Call("post", "/api/v1/sample-orders/{sample_received}/start-testing/"),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "sample order report": (
        Call("post", "/api/v1/sample-orders/{sample_testing}/report/", report_upload, "multipart"),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    "sample order confirm": (
        Call("post", "/api/v1/sample-orders/{sample_reported}/confirm/"),
        (401, 403, 200, 404, 403, 404, 403),
    ),
    "sample order cancel": (
        Call("post", "/api/v1/sample-orders/{sample}/cancel/"),
        (401, 403, 200, 404, 403, 404, 403),
    ),
    "sample report download": (
        Call("get", "/api/v1/sample-orders/{sample_reported}/files/{sample_file}/"),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    # Figures (issue 11): the secretariat and unit managers; a manager only their own unit.
    "figures resources": (
        Call("get", "/api/v1/figures/resources/?year=2026"),
        (401, 403, 403, 403, 200, 200, 200),
    ),
    "figures resources of a unit": (
        Call("get", "/api/v1/figures/resources/?year=2026&unit={unit}"),
        (401, 403, 403, 403, 200, 403, 200),
    ),
    "figures units": (
        Call("get", "/api/v1/figures/units/?year=2026"),
        (401, 403, 403, 403, 200, 200, 200),
    ),
    "figures overview": (
        Call("get", "/api/v1/figures/overview/?year=2026"),
        (401, 403, 403, 403, 200, 200, 200),
    ),
    "figures heatmap": (
        Call("get", "/api/v1/figures/heatmap/?year=2026&month=11"),
        (401, 403, 403, 403, 200, 200, 200),
    ),
    # The public summary: anyone, signed in or not.
    "public summary": (
        Call("get", "/api/v1/public/summary/"),
        (200, 200, 200, 200, 200, 200, 200),
    ),
    # The duplicate-purchase check (issue 11): ``check`` is A's. A's managers enter and
    # decide A's checks, the secretariat any unit's; lists are scoped (empty for others).
    "purchase checks list": (
        Call("get", "/api/v1/purchase-checks/"),
        (401, 403, 200, 200, 200, 200, 200),
    ),
    "purchase check create": (
        Call("post", "/api/v1/purchase-checks/", {**PURCHASE, "unit": "{unit}"}),
        (401, 403, 403, 403, 201, 403, 201),
    ),
    "purchase checks summary": (
        Call("get", "/api/v1/purchase-checks/summary/"),
        (401, 403, 200, 200, 200, 200, 200),
    ),
    "purchase check detail": (
        Call("get", "/api/v1/purchase-checks/{check}/"),
        (401, 403, 404, 404, 200, 404, 200),
    ),
    "purchase check outcome": (
        Call(
            "post",
            "/api/v1/purchase-checks/{check}/outcome/",
            {"outcome": "shared", "reason": "改用共享"},
        ),
        (401, 403, 404, 404, 200, 404, 200),
    ),
    "purchase check workbook": (
        Call("get", "/api/v1/purchase-checks/{check}/workbook/"),
        (401, 403, 404, 404, 200, 404, 200),
    ),
    # The national assessment (issue 11): a unit's managers see their unit's instruments,
    # the secretariat any unit's; researchers none.
    "assessment": (
        Call("get", "/api/v1/assessment/?year=2025"),
        (401, 403, 403, 403, 200, 200, 200),
    ),
    "assessment of unit A": (
        Call("get", "/api/v1/assessment/?year=2025&unit={unit}"),
        (401, 403, 403, 403, 200, 403, 200),
    ),
    "assessment workbook": (
        Call("get", "/api/v1/assessment/workbook/?year=2025"),
        (401, 403, 403, 403, 200, 200, 200),
    ),
    # Recurring bookings (issue 12): ``series`` is A's researcher's pending weekly series of
    # A's resource. Previewing and booking: anyone bound; one series: as its bookings.
    "series list": (Call("get", "/api/v1/series/"), (401, 403, 200, 200, 200, 200, 200)),
    "series preview": (
        Call("post", "/api/v1/series/preview/", {**SERIES, "resource": "{resource}"}),
        (401, 403, 200, 200, 200, 200, 200),
    ),
    "series create": (
        Call("post", "/api/v1/series/", {**SERIES, "purpose": "组会", "resource": "{resource}"}),
        (401, 403, 201, 201, 201, 201, 201),
    ),
    "series detail": (
        Call("get", "/api/v1/series/{series}/"),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    "series cancel": (
        Call("post", "/api/v1/series/{series}/actions/", {"action": "cancel", "reason": "停会"}),
        (401, 403, 200, 404, 200, 404, 200),
    ),
    "series approve": (
        Call("post", "/api/v1/series/{series}/actions/", {"action": "approve"}),
        (401, 403, 403, 404, 200, 404, 200),
    ),
    # The waitlist (issue 12): joining a taken slot, anyone bound; an entry (``waiting``,
    # ``offered``: A's researcher's) only by its member, 404 for everyone else.
    "waitlist join": (
        Call("post", "/api/v1/waitlist/", {**TAKEN_SLOT, "resource": "{resource}"}),
        (401, 403, 201, 201, 201, 201, 201),
    ),
    "my waitlist": (Call("get", "/api/v1/me/waitlist/"), (401, 403, 200, 200, 200, 200, 200)),
    "waitlist claim": (
        Call("post", "/api/v1/waitlist/{offered}/claim/"),
        (401, 403, 200, 404, 404, 404, 404),
    ),
    "waitlist decline": (
        Call("post", "/api/v1/waitlist/{offered}/decline/"),
        (401, 403, 200, 404, 404, 404, 404),
    ),
    "waitlist leave": (
        Call("post", "/api/v1/waitlist/{waiting}/leave/"),
        (401, 403, 200, 404, 404, 404, 404),
    ),
}
