"""The back office for the working calendar: closures (a resource's own and alliance-wide)
and make-up working days (调休).

Scoping as in resources.admin: the secretariat manages the alliance-wide calendar; a unit
resource manager adds and lifts their own resources' closures and sees the alliance-wide
entries read-only. Every write goes through resources.services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from alliance.access import closures_visible_to, resources_manageable_by, scope_may_change_closure
from alliance.admin import ScopedModelAdmin, request_actor
from alliance.admin import request_scope as scope_of
from alliance.errors import DomainError
from resources.calendar_services import (
    closure_create,
    closure_delete,
    makeup_day_delete,
    makeup_day_set,
)
from resources.models import Closure, MakeUpWorkingDay, Resource


class AllianceWideFilter(admin.SimpleListFilter):
    title = _("scope")
    parameter_name = "alliance_wide"

    def lookups(self, request, model_admin):
        return (("yes", _("Alliance-wide")), ("no", _("One resource")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(resource__isnull=True)
        if self.value() == "no":
            return queryset.filter(resource__isnull=False)
        return queryset


@admin.register(Closure)
class ClosureAdmin(ScopedModelAdmin):
    """Closures are added and lifted (resources.calendar_services.closure_create / closure_delete);
    to move one, lift it and add it anew, so that its history stays simple."""

    list_display = ("reason", "resource", "owning_unit", "start", "end", "alliance_wide")
    list_filter = (AllianceWideFilter, ("resource__unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("reason", "resource__name", "resource__unit__name")
    list_select_related = ("resource", "resource__unit")
    date_hierarchy = "start"

    def scope_filter(self, scope):
        return closures_visible_to(scope)

    def scope_may_view(self, scope, obj):
        return obj.resource_id is None or scope.manages_unit(obj.resource.unit_id)

    def scope_may_change(self, scope, obj):
        return False

    def scope_may_add(self, scope):
        return True

    def scope_may_delete(self, scope, obj):
        if obj is None:
            return True
        unit_id = obj.resource.unit_id if obj.resource_id else None
        return scope_may_change_closure(scope, resource_unit_id=unit_id)

    def get_list_filter(self, request):
        if scope_of(request).whole_alliance:
            return self.list_filter
        return self.list_filter[:1]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("resource", "start", "end", "reason")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "resource":
            scope = scope_of(request)
            kwargs["queryset"] = Resource.objects.filter(
                resources_manageable_by(scope)
            ).select_related("unit")
            kwargs["required"] = not scope.whole_alliance
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda resource: f"{resource.unit} · {resource.name}"
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("owning unit"), ordering="resource__unit__name")
    def owning_unit(self, obj: Closure):
        return obj.resource.unit if obj.resource_id else _("whole alliance")

    @admin.display(description=_("alliance-wide"), boolean=True)
    def alliance_wide(self, obj: Closure) -> bool:
        return obj.resource_id is None

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        closure = closure_create(
            actor=request_actor(request),
            resource_id=data["resource"].pk if data.get("resource") else None,
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
        )
        obj.pk = closure.pk
        obj._state.adding = False

    def delete_through_service(self, actor, obj):
        closure_delete(actor=actor, closure_id=obj.pk)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return redirect("admin:resources_closure_changelist")

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return None


@admin.register(MakeUpWorkingDay)
class MakeUpWorkingDayAdmin(ScopedModelAdmin):
    """Make-up working days (调休): the secretariat's; unit managers see them."""

    list_display = ("date", "opens_as", "note")
    search_fields = ("note",)
    date_hierarchy = "date"

    def scope_may_change(self, scope, obj):
        return scope.whole_alliance

    def scope_may_add(self, scope):
        return scope.whole_alliance

    def scope_may_delete(self, scope, obj):
        return scope.whole_alliance

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("date",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        day = makeup_day_set(
            actor=request_actor(request),
            date=obj.date,
            opens_as=int(data["opens_as"]),
            note=data.get("note", ""),
        )
        obj.pk = day.pk
        obj._state.adding = False

    def delete_through_service(self, actor, obj):
        makeup_day_delete(actor=actor, date=obj.date)
