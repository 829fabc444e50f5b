"""The back office for bookings: read-only rows with their history, an approval queue, and
approve/reject actions that call bookings.services (the only writers of bookings).

Scoping (alliance.access.bookings_manageable_by): the secretariat sees every booking; a unit
resource manager sees the bookings of their unit's resources.

It also gives the resource admin its day and week schedule (:class:`ResourceScheduleAdmin`):
the page shows bookings, and resources, the lower layer, must not import them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alliance.access import bookings_manageable_by
from alliance.admin import (
    _REFUSAL_ATTRIBUTE,
    ReadOnlyInline,
    ScopedModelAdmin,
    request_actor,
    request_scope,
)
from alliance.errors import DomainError
from bookings.admin_views import approval_queue_view, bookings_decide, resource_schedule_view
from bookings.closures import closure_create_with_cancellations, closure_hits_preview
from bookings.models import Booking, BookingEvent
from resources.admin import ResourceAdmin
from resources.admin_calendar import ClosureAdmin
from resources.models import Closure, Resource

#: How much of a purpose the booking list shows.
PURPOSE_PREVIEW = 24

#: Colours of the statuses, shared with the schedule page's legend.
STATUS_COLOURS = {
    Booking.Status.PENDING: "#b26a00",
    Booking.Status.APPROVED: "#2e7d32",
    Booking.Status.COMPLETED: "#1565c0",
    Booking.Status.HELD: "#6a1b9a",  # a waitlist hold (issue 12)
}


class BookingEventInline(ReadOnlyInline, admin.TabularInline):
    """The booking's append-only history: who did what, when and why."""

    model = BookingEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    ordering = ("at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor__unit")


@admin.register(Booking)
class BookingAdmin(ScopedModelAdmin):
    """Bookings cannot be added or edited here: the mini-program books through the API, and
    deciders approve or reject with the actions (or from the approval queue)."""

    # Narrow enough for a 1366 px screen beside the filters: the time in one column, the
    # status right after it, the purpose cut short (its whole text is on the booking's page).
    list_display = (
        "when",
        "coloured_status",
        "resource",
        "resource_unit",
        "member",
        "short_purpose",
        "attendees",
    )
    list_filter = (
        "status",
        ("resource__unit", admin.RelatedOnlyFieldListFilter),
        ("unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "purpose",
        "member__name",
        "member__user__username",
        "resource__name",
        "unit__name",
        "unit__short_name",
    )
    list_select_related = ("resource", "resource__unit", "member", "member__unit", "unit")
    date_hierarchy = "start"
    ordering = ("-start", "-pk")
    inlines = (BookingEventInline,)
    actions = ("approve_bookings", "reject_bookings")
    fields = (
        "resource",
        "member",
        "unit",
        "start",
        "end",
        "blocked_until",
        "purpose",
        "attendees",
        "status",
        "checked_in_at",
        "checked_out_at",
        "cancelled_late",
        "reminded_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def scope_filter(self, scope):
        return bookings_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.resource.unit_id)

    def has_decide_permission(self, request):
        """Approve or reject (the service checks each booking again)."""
        return request_scope(request).may_enter

    def get_list_filter(self, request):
        if request_scope(request).whole_alliance:
            return self.list_filter
        return ("status", ("unit", admin.RelatedOnlyFieldListFilter))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def history_view(self, request, object_id, extra_context=None):
        """The 历史 page shows the booking's own events: nothing edits bookings here, so
        the admin's log of changes would always be empty. Django's view checks the scope."""
        events = (
            BookingEvent.objects.filter(booking_id=object_id)
            .select_related("actor", "actor__unit")
            .order_by("at", "pk")
        )
        context = {"booking_events": events, **(extra_context or {})}
        return super().history_view(request, object_id, extra_context=context)

    @admin.display(description=_("time"), ordering="start")
    def when(self, obj: Booking):
        """The booking's time in the alliance's zone, its end without the date when it ends
        on the same day (or at the midnight that closes it, shown as 24:00)."""
        start, end = timezone.localtime(obj.start), timezone.localtime(obj.end)
        if end.date() == start.date():
            end_text = date_format(end, "H:i")
        elif end.time() == dt.time(0) and end.date() == start.date() + dt.timedelta(days=1):
            end_text = "24:00"
        else:
            end_text = date_format(end, "m-d H:i")
        return f"{date_format(start, 'Y-m-d D H:i')}–{end_text}"

    @admin.display(description=_("purpose"))
    def short_purpose(self, obj: Booking):
        if len(obj.purpose) <= PURPOSE_PREVIEW:
            return obj.purpose
        return format_html(
            '<span title="{}">{}…</span>', obj.purpose, obj.purpose[: PURPOSE_PREVIEW - 1]
        )

    @admin.display(description=_("owning unit"), ordering="resource__unit__name")
    def resource_unit(self, obj: Booking):
        return obj.resource.unit

    @admin.display(description=_("status"), ordering="status")
    def coloured_status(self, obj: Booking):
        colour = STATUS_COLOURS.get(obj.status, "#757575")
        return format_html(
            '<strong style="color: {}; white-space: nowrap">{}</strong>',
            colour,
            obj.get_status_display(),
        )

    @admin.action(description=_("Approve the selected bookings"), permissions=["decide"])
    def approve_bookings(self, request, queryset):
        return bookings_decide(self, request, queryset, decision="approve")

    @admin.action(
        description=_("Reject the selected bookings (with a reason)"), permissions=["decide"]
    )
    def reject_bookings(self, request, queryset):
        return bookings_decide(self, request, queryset, decision="reject")

    def get_urls(self):
        return [
            path(
                "queue/",
                self.admin_site.admin_view(self.queue_view),
                name="bookings_booking_queue",
            ),
            *super().get_urls(),
        ]

    def queue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return approval_queue_view(self, request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "queue_url": reverse("admin:bookings_booking_queue"),
        }
        return super().changelist_view(request, extra_context)


class ResourceScheduleAdmin(ResourceAdmin):
    """The resource admin plus the day and week view of one resource's bookings
    (bookings.admin_views.resource_schedule_view), at ``<resource>/schedule/``."""

    def get_urls(self):
        schedule = path(
            "<path:object_id>/schedule/",
            self.admin_site.admin_view(self.schedule_view),
            name="resources_resource_schedule",
        )
        return [schedule, *super().get_urls()]

    def schedule_view(self, request, object_id):
        return resource_schedule_view(self, request, self.visible_resource(request, object_id))

    def back_office_pages(self, obj: Resource) -> list[tuple[str, str]]:
        schedule = reverse("admin:resources_resource_schedule", args=[obj.pk])
        return [
            (f"{schedule}?view=day", _("Day")),
            (f"{schedule}?view=week", _("Week")),
            *super().back_office_pages(obj),
        ]


admin.site.unregister(Resource)
admin.site.register(Resource, ResourceScheduleAdmin)


class ClosureWithBookingsAdmin(ClosureAdmin):
    """The closure admin whose add form takes care of the bookings a closure hits (issue 9):
    a valid form first lists them on a confirmation page (nothing written); confirmed, it
    calls bookings.closures.closure_create_with_cancellations(confirm=True), which cancels
    them with the closure's reason and tells their bookers. A closure that hits nothing is
    added at once. Registered here because resources, the lower layer, cannot see bookings.
    """

    CONFIRM = "_confirm_hits"

    def add_view(self, request, form_url="", extra_context=None):
        if request.method != "POST" or not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        form = self.get_form(request, None, change=False)(request.POST, request.FILES)
        if not form.is_valid():
            return super().add_view(request, form_url, extra_context)
        data = form.cleaned_data
        facts = {
            "resource_id": data["resource"].pk if data.get("resource") else None,
            "start": data["start"],
            "end": data["end"],
        }
        confirmed = request.POST.get(self.CONFIRM) == "1"
        try:
            actor = request_actor(request)
            if not confirmed:
                hits = closure_hits_preview(actor=actor, **facts)
                if hits:
                    return self._confirmation(request, data, hits)
            outcome = closure_create_with_cancellations(
                actor=actor, reason=data["reason"], confirm=confirmed, **facts
            )
        except DomainError as refusal:
            setattr(request, _REFUSAL_ATTRIBUTE, refusal)
            return super().add_view(request, form_url, extra_context)
        self.message_user(
            request,
            _("The closure “%(closure)s” was added; %(count)d booking(s) cancelled.")
            % {"closure": outcome.closure, "count": len(outcome.cancelled)},
            messages.SUCCESS,
        )
        return redirect("admin:resources_closure_changelist")

    def _confirmation(self, request, data, hits):
        posted = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in ("csrfmiddlewaretoken", self.CONFIRM)
            for value in values
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Close over bookings?"),
            "closure": data,
            "hits": hits,
            "posted": posted,
            "confirm_name": self.CONFIRM,
        }
        return TemplateResponse(request, "admin/resources/closure/confirm_hits.html", context)


admin.site.unregister(Closure)
admin.site.register(Closure, ClosureWithBookingsAdmin)


# Recorded use and power control, qualifications and fault reports (issue 10).
from bookings import (  # noqa: E402, F401
    admin_faults,
    credit_admin,
    qualification_admin,
    sample_admin,
    usage_admin,
    waitlist_admin,
)
