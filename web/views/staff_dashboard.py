"""The staff dashboard (issue 11, "Where people see it"): /staff/dashboard/.

The secretariat reads the whole alliance's figures and may narrow them to one unit; a unit
manager reads their own unit's (asking for another is refused); everyone else gets 403, as
on the other staff pages. Filters are a GET form (period, unit, kind) that htmx submits to
swap the body only. Each chart's figures are embedded as JSON (json_script) for
web/static/web/dashboard.js, and listed in a table below it, which downloads as CSV or
Excel with the same access, the same selector and Chinese headings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from alliance.errors import AccessDenied, ValidationFailed
from bookings.figures import period_parse
from bookings.selectors_dashboard import dashboard_get
from resources.models import ResourceKind
from web.auth import member_required, web_member
from web.dashboard_tables import (
    TABLE_KEYS,
    XLSX_CONTENT_TYPE,
    dashboard_sections,
    table_csv,
    table_workbook,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from alliance.models import Member
    from bookings.selectors_dashboard import Dashboard


def _unit_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _dashboard(request: HttpRequest, member: Member | None) -> Dashboard:
    """The figures the query asks for; PermissionDenied (403) when the member may not read
    them, ValidationFailed for a bad period."""
    kind = request.GET.get("kind") or None
    if kind not in ResourceKind.values:
        kind = None
    try:
        return dashboard_get(
            actor=member,
            period=period_parse(request.GET),
            unit_id=_unit_id(request.GET.get("unit")),
            kind=kind,
        )
    except AccessDenied:
        raise PermissionDenied from None


def _filters(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "") for name in ("from", "to", "unit", "kind")}


@member_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    member = web_member(request)
    context: dict[str, object] = {"filters": _filters(request), "kinds": ResourceKind.choices}
    status = 200
    try:
        figures = _dashboard(request, member)
    except ValidationFailed as error:
        context["error"] = error.message
        status = 400
    else:
        context.update(
            dashboard=figures,
            sections=dashboard_sections(figures),
            query=request.GET.urlencode(),
        )
    template = "web/staff/dashboard_body.html" if request.htmx else "web/staff/dashboard.html"
    return render(request, template, context, status=status)


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", table_csv),
    "xlsx": (XLSX_CONTENT_TYPE, table_workbook),
}


@member_required
@require_GET
def dashboard_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One chart's table as a download, with the page's filters (``?from=&to=&unit=&kind=``)."""
    if table not in TABLE_KEYS or fmt not in EXPORTS:
        raise Http404
    member = web_member(request)
    try:
        figures = _dashboard(request, member)
    except ValidationFailed as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    with translation.override("zh-hans"):
        (chosen,) = [s.table for s in dashboard_sections(figures) if s.table.key == table]
        content_type, render_table = EXPORTS[fmt]
        body = render_table(chosen)
    period = figures.period
    response = HttpResponse(body, content_type=content_type)
    filename = f"dashboard-{table}-{period.first.isoformat()}_{period.last.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
