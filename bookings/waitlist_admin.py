"""The waitlist in the back office (issue 12): read-only. Members join, claim, decline and
leave in the mini-program and the web app; the jobs offer and lapse holds. Staff see the
entries of the resources they manage (the secretariat: all)."""

from __future__ import annotations

from django.contrib import admin

from alliance.access import bookings_manageable_by
from alliance.admin import ScopedModelAdmin
from bookings.waitlist_models import WaitlistEntry


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ScopedModelAdmin):
    list_display = (
        "start",
        "end",
        "status",
        "resource",
        "member",
        "unit",
        "hold_expires_at",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("resource", "resource__unit", "member", "unit")
    search_fields = ("member__name", "member__user__username", "resource__name", "purpose")
    date_hierarchy = "start"
    ordering = ("-start", "created_at", "pk")
    fields = (
        "resource",
        "member",
        "unit",
        "start",
        "end",
        "purpose",
        "attendees",
        "mode",
        "status",
        "hold",
        "offered_at",
        "hold_expires_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def scope_filter(self, scope):
        # The bookings' filter is by resource unit, which an entry has too.
        return bookings_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.resource.unit_id)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
