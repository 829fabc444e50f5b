"""Sample orders (送样检测, issue 10): the reads that decide who sees what, and whether a
member may send a resource samples at all (asked by the pages before the form, and by
bookings.samples.sample_order_submit)."""

from __future__ import annotations

from django.db.models import QuerySet

from alliance.access import (
    member_can_submit_sample_order,
    member_handles_samples,
    member_refusal,
    sample_orders_handled_by,
    sample_orders_visible_to,
)
from alliance.actors import actor_require
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Member
from bookings.sample_models import (
    SampleOrder,
    SampleReportFile,
)
from resources.eligibility import booking_refusal
from resources.models import Resource, ServiceMode


def _orders() -> QuerySet[SampleOrder]:
    return SampleOrder.objects.select_related(
        "resource", "resource__unit", "requester", "unit"
    ).order_by("-submitted_at", "-pk")


def sample_order_list_mine(*, member: Member) -> QuerySet[SampleOrder]:
    """The member's own orders, newest first."""
    return _orders().filter(requester_id=member.pk)


def sample_order_list_handled(
    *, member: Member, status: str | None = None
) -> QuerySet[SampleOrder]:
    """The orders of the resources the member handles (their unit's; all for the
    secretariat), newest first; AccessDenied for a member who handles none. ``status``
    narrows to one status."""
    if not member_handles_samples(member):
        raise member_refusal(member)
    orders = _orders().filter(sample_orders_handled_by(member))
    if status:
        orders = orders.filter(status=status)
    return orders


def sample_order_get(*, member: Member, order_id: int) -> SampleOrder:
    """One order the member sees, with its history and report files; NotFound otherwise."""
    order = (
        _orders()
        .filter(sample_orders_visible_to(member), pk=order_id)
        .prefetch_related("events__actor", "report_files")
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def sample_report_file_get(*, member: Member, order_id: int, file_id: int) -> SampleReportFile:
    """A report file of an order the member sees; NotFound otherwise."""
    report_file = (
        SampleReportFile.objects.select_related("order")
        .filter(
            pk=file_id,
            order_id=order_id,
            order__in=SampleOrder.objects.filter(sample_orders_visible_to(member)),
        )
        .first()
    )
    if report_file is None:
        raise NotFound()
    return report_file


def sample_resource_check(*, actor: Member, resource_id: int) -> Resource:
    """The resource, if ``actor`` may send it samples: NotFound, ``mode_not_offered``
    or the booking refusal codes (resources.eligibility). The pages ask before the form."""
    actor_require(actor)
    resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    if not resource.offers_samples:
        raise ValidationFailed("mode_not_offered", params={"mode": ServiceMode.SAMPLE.value})
    allowed = set(resource.allowed_units.values_list("pk", flat=True))
    refusal = booking_refusal(member=actor, resource=resource, allowed_unit_ids=allowed)
    if refusal is not None:
        raise ValidationFailed(refusal)
    if not member_can_submit_sample_order(actor):  # the same, said by the access helper
        raise member_refusal(actor)
    return resource
