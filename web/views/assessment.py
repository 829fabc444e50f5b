"""The national open-sharing assessment in the staff area: /staff/assessment/ shows, for the
chosen year, each instrument's indicators against the national averages of the latest round,
and downloads the Excel workbook for the national report. The secretariat sees every unit's
instruments (or picks one unit), a unit manager their own unit's.

Every figure is one call of bookings.assessment; refusals are shown in their own words.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.errors import AccessDenied, DomainError, ValidationFailed
from bookings.assessment import (
    NATIONAL_EFFECTIVE_HOURS,
    NATIONAL_EXTERNAL_HOURS,
    NATIONAL_ROUND,
    Assessment,
    assessment_default_year,
    assessment_get,
    assessment_units_for,
    assessment_years,
)
from bookings.assessment_export import assessment_workbook, assessment_workbook_name
from bookings.workbooks import XLSX_CONTENT_TYPE
from web.auth import web_member
from web.views.staff_schedule import staff_required


def _whole(value: str, field: str) -> int | None:
    """A query string's number, None when absent; ``invalid`` naming the field otherwise."""
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationFailed("invalid", fields={field: ["invalid"]})
    return int(value)


def _assessment(request: HttpRequest) -> Assessment:
    year = _whole(request.GET.get("year", ""), "year")
    return assessment_get(
        member=web_member(request),
        year=assessment_default_year() if year is None else year,
        unit_id=_whole(request.GET.get("unit", ""), "unit"),
    )


@staff_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    member = web_member(request)
    context = {
        "years": assessment_years(),
        "units": assessment_units_for(member=member),
        "national": {
            "round": NATIONAL_ROUND,
            "effective_hours": NATIONAL_EFFECTIVE_HOURS,
            "external_hours": NATIONAL_EXTERNAL_HOURS,
        },
        "query": request.GET.urlencode(),
    }
    try:
        context["assessment"] = _assessment(request)
    except AccessDenied:
        raise PermissionDenied from None  # a manager asking for another unit
    except DomainError as refusal:
        context["error"] = refusal
        return render(request, "web/assessment/page.html", context, status=400)
    return render(request, "web/assessment/page.html", context)


@staff_required
def assessment_download(request: HttpRequest) -> HttpResponse:
    try:
        assessment = _assessment(request)
    except AccessDenied:
        raise PermissionDenied from None
    except ValidationFailed as refusal:
        return HttpResponse(refusal.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(assessment_workbook(assessment), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{assessment_workbook_name(assessment)}"'
    )
    return response
