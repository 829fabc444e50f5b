"""Qualifications (上机资格) in the web app: a member asks for training from a resource's
page and follows their requests on /me/qualifications/; the managers of the owning unit (and
the secretariat) see the requests on /staff/qualifications/ and schedule training, grant,
refuse or revoke, each by htmx in place.

Every write is one call of bookings.qualifications; every list one selector of
resources.qualifications; refusals are shown in their own words.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from alliance.access import member_acts
from alliance.errors import DomainError, NotFound
from alliance.models import Member, MemberRole
from bookings.qualifications import (
    qualification_cancel,
    qualification_grant,
    qualification_refuse,
    qualification_request,
    qualification_revoke,
    qualification_schedule,
)
from resources.models import QualificationStatus, Resource
from resources.qualification_models import UNDECIDED_STATUSES
from resources.qualifications import (
    qualification_get_for_member,
    qualification_is_valid,
    qualification_list_for_member,
    qualification_list_to_decide,
    qualification_open_for,
)
from resources.selectors import alliance_zone
from web.auth import member_required, web_member

#: The wire format of the training's time in the staff form (the alliance's wall clock).
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
#: The most rows a staff list shows (newest first); the back office has the rest.
STAFF_LIST_MAX = 200
STAFF_FILTERS = ("open", *QualificationStatus.values)


def resource_qualification_context(
    *, member: Member | None, resource: Resource, now: dt.datetime
) -> dict:
    """What the resource page's qualification box needs (web/resource/_qualification.html):
    the member's open qualification and whether it lets them book. One query, only when the
    resource requires a qualification and someone is signed in."""
    if not resource.requires_qualification or member is None:
        return {"qualification": None, "qualified": not resource.requires_qualification}
    qualification = qualification_open_for(member=member, resource_id=resource.pk)
    return {
        "qualification": qualification,
        "qualified": qualification_is_valid(qualification, now),
    }


def _box(request: HttpRequest, resource: Resource, *, error: DomainError | None = None):
    member = web_member(request)
    context = {
        "resource": resource,
        "web_member": member,
        "qualification_error": error,
        **resource_qualification_context(member=member, resource=resource, now=timezone.now()),
    }
    return render(request, "web/resource/_qualification.html", context)


@require_POST
def request_training(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Ask for training from the resource's page: the box answers in place (htmx)."""
    member = web_member(request)
    back = reverse("web:resource", args=[resource_id])
    if member is None:
        return redirect(f"{reverse('web:sign-in')}?next={back}")
    resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
    if resource is None:
        raise Http404
    error = None
    try:
        qualification_request(
            member=member, resource_id=resource_id, note=request.POST.get("note", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as refusal:
        error = refusal
    if request.htmx:
        return _box(request, resource, error=error)
    if error is not None:
        messages.error(request, error.message)
    return redirect(back)


@member_required
def my_qualifications(request: HttpRequest) -> HttpResponse:
    qualifications = qualification_list_for_member(member=web_member(request))
    return render(
        request,
        "web/qualifications.html",
        {"qualifications": qualifications, "now": timezone.now()},
    )


@require_POST
@member_required
def cancel(request: HttpRequest, qualification_id: int) -> HttpResponse:
    member = web_member(request)
    try:
        qualification_get_for_member(member=member, qualification_id=qualification_id)
        qualification_cancel(actor=member, qualification_id=qualification_id)
    except NotFound:
        raise Http404 from None
    except DomainError as refusal:
        messages.error(request, refusal.message)
    return redirect("web:my-qualifications")


# --- Staff ---------------------------------------------------------------------------------


def _decides_any(member: Member | None) -> bool:
    return member_acts(member) and member.role in (
        MemberRole.UNIT_MANAGER,
        MemberRole.SECRETARIAT,
    )


@member_required
def staff_qualifications(request: HttpRequest) -> HttpResponse:
    """The requests and grants of the resources the member decides on: undecided ones by
    default (``?status=open``), or one status."""
    member = web_member(request)
    if not _decides_any(member):
        return render(request, "403.html", status=403)
    wanted = request.GET.get("status", "open")
    if wanted not in STAFF_FILTERS:
        wanted = "open"
    queryset = qualification_list_to_decide(member=member)
    if wanted == "open":
        queryset = queryset.filter(status__in=UNDECIDED_STATUSES)
    else:
        queryset = queryset.filter(status=wanted)
    context = {
        "qualifications": list(queryset[:STAFF_LIST_MAX]),
        "wanted": wanted,
        "filters": [("open", _open_label()), *QualificationStatus.choices],
        "now": timezone.now(),
    }
    return render(request, "web/qualifications_staff.html", context)


def _open_label() -> str:
    return gettext("Waiting for a decision")


def _local(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, LOCAL_FORMAT).replace(tzinfo=alliance_zone())
    except ValueError:
        return None


ACTIONS = ("schedule", "grant", "refuse", "revoke")


@require_POST
@member_required
def staff_act(request: HttpRequest, qualification_id: int, action: str) -> HttpResponse:
    """One decision on one row; the row answers in place (htmx), with the refusal if any."""
    member = web_member(request)
    if action not in ACTIONS:
        raise Http404
    try:
        qualification_get_for_member(member=member, qualification_id=qualification_id)
    except NotFound:
        raise Http404 from None
    error: DomainError | str | None = None
    data = request.POST
    try:
        if action == "schedule":
            training_at = _local(data.get("training_at", ""))
            if training_at is None:
                error = gettext("Give the training's date and time.")
            else:
                qualification_schedule(
                    actor=member,
                    qualification_id=qualification_id,
                    training_at=training_at,
                    place=data.get("place", ""),
                )
        elif action == "grant":
            qualification_grant(actor=member, qualification_id=qualification_id)
        elif action == "refuse":
            qualification_refuse(
                actor=member, qualification_id=qualification_id, reason=data.get("reason", "")
            )
        else:
            qualification_revoke(
                actor=member, qualification_id=qualification_id, reason=data.get("reason", "")
            )
    except DomainError as refusal:
        error = refusal
    qualification = qualification_get_for_member(member=member, qualification_id=qualification_id)
    message = error.message if isinstance(error, DomainError) else error
    if request.htmx:
        return render(
            request,
            "web/qualifications/_staff_row.html",
            {"q": qualification, "row_error": message, "now": timezone.now()},
        )
    if message:
        messages.error(request, message)
    return redirect("web:staff-qualifications")
