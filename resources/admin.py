"""The back office for shared resources and their opening hours; closures and make-up
working days are resources.admin_calendar's.

The day and week schedule of a resource shows bookings, so bookings.admin adds it (resources
sits below bookings and never imports it), through :meth:`ResourceAdmin.back_office_pages`.

Scoping (alliance.access via alliance.admin.ScopedModelAdmin): the secretariat manages every
resource and the alliance-wide calendar (public holidays, make-up days); a unit resource
manager manages their own unit's resources and their closures, and sees the alliance-wide
entries read-only. Every write goes through resources.services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from alliance.access import (
    resources_manageable_by,
    units_visible_to,
)
from alliance.admin import ReadOnlyInline, ScopedInline, ScopedModelAdmin, request_actor
from alliance.admin import request_scope as scope_of
from alliance.errors import DomainError
from alliance.models import Unit
from resources import admin_calendar  # noqa: F401 - registers the calendar's pages
from resources.admin_forms import OpeningHoursForm, ResourceAdminForm
from resources.admin_modes import SERVICE_MODES_FIELDSET, operator_changes, operator_choices
from resources.admin_photos import ResourcePhotoInline, photo_formset_save
from resources.calendar_services import opening_hours_set
from resources.models import Closure, OpeningHours, Resource, ResourcePhoto
from resources.qr import checkin_payload, checkin_qr_svg, checkin_qr_svg_inline
from resources.rules_display import rules_display_text
from resources.services import (
    RESOURCE_FIELDS,
    resource_checkin_code_reset,
    resource_create,
    resource_retire,
    resource_update,
)


def site_root(request) -> str:
    """The site's root URL as this request reached it: the base of the printed check-in URL
    (host checked against ALLOWED_HOSTS, scheme as the proxy reports it)."""
    return request.build_absolute_uri("/")


RULE_FIELDS = (
    "slot_minutes",
    "min_duration_minutes",
    "max_duration_minutes",
    "min_notice_minutes",
    "max_days_ahead",
    "buffer_minutes",
    "requires_approval",
    "requires_checkin",
    "allowed_units",
)


class OpeningHoursInline(ScopedInline, admin.TabularInline):
    """The weekly windows, saved as a whole by resources.calendar_services.opening_hours_set."""

    model = OpeningHours
    form = OpeningHoursForm
    fields = ("weekday", "start_time", "end_time")
    extra = 0


class ClosureInline(ReadOnlyInline, admin.TabularInline):
    """The resource's own closures; they are added and lifted in the closure admin."""

    model = Closure
    fields = ("start", "end", "reason")
    readonly_fields = ("start", "end", "reason")
    verbose_name_plural = _("closures of this resource (add or lift them under Closures)")


@admin.register(Resource)
class ResourceAdmin(ScopedModelAdmin):
    form = ResourceAdminForm
    list_display = (
        "name",
        "unit",
        "kind",
        "location_display",
        "capacity",
        "requires_approval",
        "is_retired",
        "back_office_links",
    )
    list_filter = (
        "kind",
        "requires_approval",
        "is_retired",
        ("unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "name",
        "building",
        "room",
        "address",
        "description",
        "unit__name",
        "unit__short_name",
    )
    list_select_related = ("unit",)
    filter_horizontal = ("allowed_units", "operators")
    inlines = (OpeningHoursInline, ResourcePhotoInline, ClosureInline)
    actions = ("retire_resources",)
    refusal_field_aliases = {
        "unit_id": "unit",
        "allowed_unit_ids": "allowed_units",
        "operator_ids": "operators",
    }
    fieldsets = (
        (None, {"fields": ("unit", "kind", "name", "description", "capacity")}),
        (
            _("Location and contact"),
            {
                "fields": (
                    "building",
                    "room",
                    "address",
                    "directions",
                    "contact_name",
                    "contact_phone",
                )
            },
        ),
        (_("Booking rules"), {"fields": ("rules_in_words", *RULE_FIELDS)}),
        (
            _("Qualification for self-use"),
            {
                "fields": (
                    "requires_qualification",
                    "qualification_valid_days",
                    "qualification_idle_days",
                )
            },
        ),
        SERVICE_MODES_FIELDSET,
        (
            _("Asset data (instruments)"),
            {
                "fields": (
                    "asset_number",
                    "original_value",
                    "purchase_date",
                    "classification_code",
                    "classification_name",
                    "specialised",
                    "yearly_hours_override",
                ),
                "classes": ("collapse",),
            },
        ),
        (
            _("Status and check-in"),
            {"fields": ("is_retired", "checkin_code", "back_office_links", "updated_at")},
        ),
    )

    # --- Scope ------------------------------------------------------------------------------

    def scope_filter(self, scope):
        return resources_manageable_by(scope)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.unit_id)

    def scope_may_change(self, scope, obj):
        return obj is None or scope.manages_unit(obj.unit_id)

    def scope_may_add(self, scope):
        return True

    def get_list_filter(self, request):
        if scope_of(request).whole_alliance:
            return self.list_filter
        return self.list_filter[:-1]

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "rules_in_words",
            "is_retired",
            "checkin_code",
            "back_office_links",
            "updated_at",
        ]
        # Rules the service does not (yet) take are shown, not edited.
        readonly += [name for name in RULE_FIELDS[:-1] if name not in RESOURCE_FIELDS]
        if obj is not None:
            readonly.append("unit")  # A resource stays with the unit that shares it.
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.filter(
                units_visible_to(scope_of(request)), is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "operators":
            kwargs["queryset"] = operator_choices(scope_of(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- Display ----------------------------------------------------------------------------

    @admin.display(description=_("location"))
    def location_display(self, obj: Resource) -> str:
        return obj.location

    @admin.display(description=_("rules in plain words"))
    def rules_in_words(self, obj: Resource) -> str:
        """As the researchers read them (resources.rules_display); saved rules only."""
        return rules_display_text(obj) if obj.pk is not None else "-"

    @admin.display(description=_("back office"))
    def back_office_links(self, obj: Resource) -> str:
        if obj.pk is None:
            return "-"
        return format_html_join(" · ", '<a href="{}">{}</a>', self.back_office_pages(obj))

    def back_office_pages(self, obj: Resource) -> list[tuple[str, str]]:
        """``(url, label)`` of the resource's own pages; a subclass adds its pages first."""
        return [(reverse("admin:resources_resource_qr", args=[obj.pk]), _("QR code"))]

    # --- Writes through resources.services --------------------------------------------------

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        data = form.cleaned_data
        if change:
            changes = {}
            for name in form.changed_data:
                if name == "allowed_units":
                    changes["allowed_unit_ids"] = [unit.pk for unit in data[name]]
                elif name in RESOURCE_FIELDS:
                    changes[name] = data[name]
            changes.update(operator_changes(form, change=True))
            if changes:
                resource_update(actor=actor, resource_id=obj.pk, **changes)
            return
        values = {name: data[name] for name in RESOURCE_FIELDS if name in data}
        resource = resource_create(
            actor=actor,
            unit_id=data["unit"].pk,
            allowed_unit_ids=[unit.pk for unit in data.get("allowed_units", ())],
            **operator_changes(form, change=False),
            **values,
        )
        obj.pk = resource.pk
        obj.checkin_code = resource.checkin_code
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """allowed_units went with the resource's service call; the opening hours are set
        as one week (the closure inline is read-only)."""
        for formset in formsets:
            # What Django's formset.save() would record for the change message; the rows
            # themselves are written by the service below, never by the formset.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is ResourcePhoto and formset.has_changed():
                photo_formset_save(request, form.instance.pk, formset)
                continue
            if formset.model is not OpeningHours or not formset.has_changed():
                continue
            windows = [
                (
                    int(row.cleaned_data["weekday"]),
                    row.cleaned_data["start_time"],
                    row.cleaned_data["end_time"],
                )
                for row in formset.forms
                if row.cleaned_data and not row.cleaned_data.get("DELETE")
            ]
            opening_hours_set(
                actor=request_actor(request), resource_id=form.instance.pk, windows=windows
            )

    @admin.action(description=_("Retire the selected resources (no new bookings)"))
    def retire_resources(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda actor, resource: resource_retire(actor=actor, resource_id=resource.pk),
            _("%(count)d resources retired."),
        )

    # --- Pages of one resource: check-in QR code --------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/qr/", wrap(self.qr_view), name="resources_resource_qr"),
            path(
                "<path:object_id>/qr.svg", wrap(self.qr_svg_view), name="resources_resource_qr_svg"
            ),
            path(
                "<path:object_id>/reset-checkin-code/",
                wrap(self.checkin_code_reset_view),
                name="resources_resource_checkin_code_reset",
            ),
            *super().get_urls(),
        ]

    def visible_resource(self, request, object_id: str) -> Resource:
        """The resource if the user's scope reaches it, else 404 (revealing nothing)."""
        resource = self.get_object(request, object_id)
        if resource is None or not self.has_view_permission(request, resource):
            raise Http404
        return resource

    def qr_view(self, request, object_id):
        """A printable page: the QR code with the resource's name, unit and location."""
        resource = self.visible_resource(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Check-in QR code: %(name)s") % {"name": resource.name},
            "resource": resource,
            # segno's own markup, no user text:
            "qr_svg": mark_safe(checkin_qr_svg_inline(resource, base_url=site_root(request))),  # noqa: S308
            "payload": checkin_payload(resource, base_url=site_root(request)),
            "may_reset": self.has_change_permission(request, resource),
        }
        return TemplateResponse(request, "admin/resources/resource/qr_print.html", context)

    def qr_svg_view(self, request, object_id):
        resource = self.visible_resource(request, object_id)
        response = HttpResponse(
            checkin_qr_svg(resource, base_url=site_root(request)), content_type="image/svg+xml"
        )
        response["Content-Disposition"] = f'inline; filename="checkin-{resource.pk}.svg"'
        response["Cache-Control"] = "private, no-store"  # never_cache adds to it
        return response

    def checkin_code_reset_view(self, request, object_id):
        """GET asks for confirmation; POST gives the resource a new check-in code, which
        makes every earlier print of its QR code useless."""
        resource = self.visible_resource(request, object_id)
        if not self.has_change_permission(request, resource):
            raise Http404
        if request.method == "POST":
            return self._checkin_code_reset(request, resource)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reset the check-in code of %(name)s?") % {"name": resource.name},
            "resource": resource,
        }
        return TemplateResponse(
            request, "admin/resources/resource/checkin_code_reset_confirmation.html", context
        )

    def _checkin_code_reset(self, request, resource):
        try:
            resource_checkin_code_reset(actor=request_actor(request), resource_id=resource.pk)
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _("The check-in code was reset: print the new QR code; old prints no longer work."),
                messages.SUCCESS,
            )
        return redirect("admin:resources_resource_qr", resource.pk)
