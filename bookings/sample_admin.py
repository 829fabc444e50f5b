"""The back office for sample orders (issue 10): a scoped, read-mostly list (a unit manager
sees their unit's resources' orders, the secretariat all) with the history and the report
files inline. Every step is taken in the web app or the API (bookings.samples), where each
side is checked; nothing here changes an order.

Registered from bookings.admin.
"""

from __future__ import annotations

from django.contrib import admin

from alliance.access import sample_orders_manageable_by
from alliance.admin import ReadOnlyInline, ScopedModelAdmin
from bookings.sample_models import SampleOrder, SampleOrderEvent, SampleReportFile


class SampleOrderEventInline(ReadOnlyInline, admin.TabularInline):
    """The order's append-only history: who moved it, when, from and to what, and why."""

    model = SampleOrderEvent
    fields = ("at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    ordering = ("at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor__unit")


class SampleReportFileInline(ReadOnlyInline, admin.TabularInline):
    """The report's files (downloaded from the order's page in the web app)."""

    model = SampleReportFile
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    ordering = ("uploaded_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "uploaded_by__unit")


@admin.register(SampleOrder)
class SampleOrderAdmin(ScopedModelAdmin):
    list_display = ("submitted_at", "resource", "requester", "sample_count", "status")
    list_filter = ("status", "hazard")
    search_fields = ("description", "resource__name", "requester__name")
    list_select_related = ("resource", "resource__unit", "requester", "requester__unit")
    ordering = ("-submitted_at", "-pk")
    inlines = (SampleOrderEventInline, SampleReportFileInline)
    fields = (
        "resource",
        "requester",
        "unit",
        "sample_count",
        "description",
        "hazard",
        "hazard_details",
        "status",
        "expected_completion",
        "refusal_reason",
        "cancel_reason",
        "submitted_at",
        "accepted_at",
        "refused_at",
        "received_at",
        "testing_at",
        "reported_at",
        "confirmed_at",
        "cancelled_at",
    )
    readonly_fields = fields

    def scope_filter(self, scope):
        return sample_orders_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.resource.unit_id)

    def scope_may_add(self, scope):
        return False

    def scope_may_change(self, scope, obj):
        return False

    def scope_may_delete(self, scope, obj):
        return False
