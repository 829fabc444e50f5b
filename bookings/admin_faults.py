"""The back office for fault reports (issue 10): a scoped, read-only list with the history
inline, and an action that acknowledges through bookings.faults. Updating, resolving and
dismissing, which need a note and a date, are on the web app's /staff/faults/ page.

Scoping: the secretariat sees every report; a unit resource manager those of their unit's
resources (as bookings: alliance.access.bookings_manageable_by, by resource).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.access import bookings_manageable_by
from alliance.admin import ReadOnlyInline, ScopedModelAdmin, request_scope
from alliance.errors import DomainError
from bookings.faults import fault_acknowledge
from bookings.models import FaultEvent, FaultReport


class FaultEventInline(ReadOnlyInline, admin.TabularInline):
    model = FaultEvent
    fields = ("at", "action", "from_status", "to_status", "expected_return", "actor", "note")
    readonly_fields = fields
    ordering = ("at", "pk")


@admin.register(FaultReport)
class FaultReportAdmin(ScopedModelAdmin):
    list_display = ("created_at", "resource", "reporter", "urgency", "stop_instrument", "status")
    list_filter = ("status", "urgency", "stop_instrument")
    search_fields = ("description", "resource__name", "reporter__name")
    list_select_related = ("resource", "resource__unit", "reporter")
    ordering = ("-created_at", "-pk")
    inlines = (FaultEventInline,)
    actions = ("acknowledge",)
    fields = (
        "resource",
        "reporter",
        "description",
        "photo",
        "urgency",
        "stop_instrument",
        "status",
        "expected_return",
        "closure",
        "created_at",
        "updated_at",
        "resolved_at",
    )
    readonly_fields = fields

    def scope_filter(self, scope):
        return bookings_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.resource.unit_id)

    def has_decide_permission(self, request):
        return request_scope(request).member is not None

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Acknowledge the selected fault reports"), permissions=["decide"])
    def acknowledge(self, request, queryset):
        member = request_scope(request).member
        done = 0
        for report in queryset:
            try:
                fault_acknowledge(actor=member, fault_id=report.pk)
            except DomainError as error:
                self.message_user(request, f"{report}: {error.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d report acknowledged.", "%(count)d reports acknowledged.", done)
                % {"count": done},
            )
