"""The back office for recorded use and power control.

Sessions are entered by hand here (bookings.usage.usage_record_manual: a reason, marked as
entered by hand) and read; corrections go through the API. A resource's power control is
configured with its relay secret typed into a write-only field: stored encrypted
(bookings.interlock.interlock_config_set), never shown again. Attempts are read-only.
Scoping as for bookings: the secretariat everything, a unit manager their unit's resources.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alliance.access import bookings_manageable_by
from alliance.admin import ScopedModelAdmin, request_actor, request_scope
from alliance.errors import AccessDenied
from bookings.interlock import interlock_config_set
from bookings.usage import usage_record_manual
from bookings.usage_models import InterlockAttempt, InterlockConfig, UsageSession


@admin.register(UsageSession)
class UsageSessionAdmin(ScopedModelAdmin):
    list_display = (
        "resource",
        "member",
        "started_at",
        "stopped_at",
        "source",
        "samples",
        "flagged",
        "power",
    )
    list_filter = ("source", "flagged", "power")
    list_select_related = ("resource", "member", "member__unit")
    search_fields = ("resource__name", "member__name")
    date_hierarchy = "started_at"
    fields = (
        "resource",
        "member",
        "operator",
        "booking",
        "sample_order",
        "started_at",
        "stopped_at",
        "manual_reason",
        "samples",
        "notes",
        "fee",
    )
    raw_id_fields = ("resource", "member", "operator", "booking", "sample_order")

    def scope_filter(self, scope):
        return bookings_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.resource.unit_id)

    def scope_may_add(self, scope):
        return scope.member is not None

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.fields, "source", "entered_by", "flag_reason", "correction_reason")

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        saved = usage_record_manual(
            actor=request_actor(request),
            resource_id=data["resource"].pk,
            member_id=data["member"].pk,
            operator_id=data["operator"].pk if data.get("operator") else None,
            booking_id=data["booking"].pk if data.get("booking") else None,
            sample_order_id=data["sample_order"].pk if data.get("sample_order") else None,
            started_at=data["started_at"],
            stopped_at=data["stopped_at"],
            reason=data.get("manual_reason", ""),
            samples=data.get("samples"),
            notes=data.get("notes", ""),
            fee=data.get("fee"),
        )
        obj.pk = saved.pk


class InterlockConfigForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("relay secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored secret. It is stored encrypted."),
    )

    relay_url = forms.URLField(label=_("relay URL"), required=False, assume_scheme="https")

    class Meta:
        model = InterlockConfig
        fields = ("resource", "driver", "relay_url", "channel")


@admin.register(InterlockConfig)
class InterlockConfigAdmin(ScopedModelAdmin):
    form = InterlockConfigForm
    list_display = ("resource", "driver", "relay_url", "channel")
    raw_id_fields = ("resource",)

    def scope_filter(self, scope):
        return bookings_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.resource.unit_id)

    def scope_may_change(self, scope, obj):
        return obj is None or scope.manages_unit(obj.resource.unit_id)

    def scope_may_add(self, scope):
        return scope.may_enter

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        resource = data["resource"]
        if not request_scope(request).manages_unit(resource.unit_id):
            raise AccessDenied()
        saved = interlock_config_set(
            resource_id=resource.pk,
            driver=data["driver"],
            relay_url=data.get("relay_url", ""),
            channel=data["channel"],
            secret=data.get("secret") or None,
        )
        obj.pk = saved.pk


@admin.register(InterlockAttempt)
class InterlockAttemptAdmin(ScopedModelAdmin):
    list_display = ("at", "resource", "action", "ok", "error_code", "duration_ms", "session")
    list_filter = ("action", "ok")
    list_select_related = ("resource",)

    def scope_filter(self, scope):
        return bookings_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.resource.unit_id)
