"""The duplicate-purchase check (查重评议) in the staff area: /staff/purchase-checks/ lists the
checks the member sees with what they came to and the form to enter one; each check's page is
its printable report, with the outcome form and the Excel download.

Every write is one call of bookings.purchase_checks, every read one selector of
bookings.purchase_selectors; refusals are shown in their own words.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.errors import DomainError, NotFound
from bookings.purchase_checks import purchase_check_create, purchase_check_outcome_set
from bookings.purchase_export import MODE_LABELS, purchase_check_workbook
from bookings.purchase_models import PurchaseOutcome
from bookings.purchase_selectors import (
    purchase_check_get_for_member,
    purchase_check_list_for_member,
    purchase_check_summary,
    purchase_check_units_for,
)
from bookings.workbooks import XLSX_CONTENT_TYPE
from web.auth import web_member
from web.views.staff_schedule import staff_required

PAGE_SIZE = 20
FIELDS = ("unit", "instrument_name", "classification_code", "specifications", "price")


def _unit_id(value: str, default: int) -> int | str:
    """The chosen unit's id; the text as it came when it is no id (the service refuses)."""
    if not value:
        return default
    return int(value) if value.isdigit() else value


@require_http_methods(["GET", "POST"])
@staff_required
def purchase_checks(request: HttpRequest) -> HttpResponse:
    """GET: the checks and the form. POST: enter a check, then show its report."""
    member = web_member(request)
    values: dict[str, str] = {}
    error: DomainError | None = None
    if request.method == "POST":
        values = {field: request.POST.get(field, "") for field in FIELDS}
        try:
            check = purchase_check_create(
                actor=member,
                unit_id=_unit_id(values["unit"], member.unit_id),
                instrument_name=values["instrument_name"],
                classification_code=values["classification_code"],
                specifications=values["specifications"],
                price=values["price"],
            )
        except DomainError as refusal:
            error = refusal
        else:
            return redirect("web:staff-purchase-check", check_id=check.pk)
    checks = purchase_check_list_for_member(member=member)
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "summary": purchase_check_summary(member=member),
        "units": purchase_check_units_for(member=member),
        "values": values,
        "error": error,
        "error_fields": set(getattr(error, "extra", {}).get("fields", {}) or {}),
    }
    return render(
        request, "web/purchase/list.html", context, status=400 if error is not None else 200
    )


@staff_required
def purchase_check(request: HttpRequest, check_id: int) -> HttpResponse:
    """One check's report as it was kept, printable, with the outcome form."""
    try:
        check = purchase_check_get_for_member(member=web_member(request), check_id=check_id)
    except NotFound:
        raise Http404 from None
    context = {
        "check": check,
        "report": check.report,
        "outcomes": PurchaseOutcome.choices,
        "mode_labels": MODE_LABELS,
    }
    return render(request, "web/purchase/report.html", context)


@require_POST
@staff_required
def purchase_check_outcome(request: HttpRequest, check_id: int) -> HttpResponse:
    member = web_member(request)
    try:
        purchase_check_get_for_member(member=member, check_id=check_id)
        purchase_check_outcome_set(
            actor=member,
            check_id=check_id,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The outcome is recorded."))
    return redirect("web:staff-purchase-check", check_id=check_id)


@staff_required
def purchase_check_download(request: HttpRequest, check_id: int) -> HttpResponse:
    try:
        check = purchase_check_get_for_member(member=web_member(request), check_id=check_id)
    except NotFound:
        raise Http404 from None
    content = purchase_check_workbook(
        check,
        resource_url=lambda pk: request.build_absolute_uri(reverse("web:resource", args=[pk])),
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="purchase-check-{check.pk}.xlsx"'
    return response
