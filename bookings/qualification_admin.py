"""The back office's qualifications (上机资格): scoped like bookings (a unit manager sees
their unit's resources' qualifications, the secretariat all), read-only rows with their
history, and grant, refuse and revoke as actions through bookings.qualifications.

Registered from bookings.admin; here because the actions call the qualification services,
which live in bookings (they notify, and notifications sits above resources).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.access import qualifications_manageable_by
from alliance.admin import ReadOnlyInline, ScopedModelAdmin, request_scope
from bookings.qualifications import (
    REASON_MAX_LENGTH,
    qualification_grant,
    qualification_refuse,
    qualification_revoke,
)
from resources.models import Qualification, QualificationEvent


class QualificationEventInline(ReadOnlyInline, admin.TabularInline):
    """The qualification's append-only history: who did what, when and why."""

    model = QualificationEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    ordering = ("at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor__unit")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("The member is told this reason."),
    )


def _label(qualification: Qualification) -> str:
    return f"{qualification.resource.name} · {qualification.member.name}"


@admin.register(Qualification)
class QualificationAdmin(ScopedModelAdmin):
    """Qualifications are asked for in the web app or the mini-program; here the deciders
    grant, refuse or revoke them with the actions."""

    list_display = ("member", "resource", "status", "created_at", "training_at", "lapses_at")
    list_filter = ("status", ("resource__unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("member__name", "member__user__username", "resource__name")
    list_select_related = ("member", "member__unit", "resource", "resource__unit")
    ordering = ("-created_at", "-pk")
    inlines = (QualificationEventInline,)
    actions = ("grant_qualifications", "refuse_qualifications", "revoke_qualifications")
    fields = (
        "member",
        "resource",
        "status",
        "note",
        "training_at",
        "training_place",
        "granted_at",
        "expires_at",
        "last_used_at",
        "lapses_at",
        "reminded_at",
        "reason",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def scope_filter(self, scope):
        return qualifications_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.resource.unit_id)

    def has_decide_permission(self, request):
        """Grant, refuse or revoke (the service checks each qualification again)."""
        return request_scope(request).may_enter

    def get_list_filter(self, request):
        if request_scope(request).whole_alliance:
            return self.list_filter
        return ("status",)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Grant the selected qualifications"), permissions=["decide"])
    def grant_qualifications(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.select_related("member", "resource"),
            lambda actor, q: qualification_grant(actor=actor, qualification_id=q.pk),
            lambda n: ngettext(
                "%(count)d qualification granted.", "%(count)d qualifications granted.", n
            ),
            label=_label,
        )

    @admin.action(
        description=_("Refuse the selected requests (with a reason)"), permissions=["decide"]
    )
    def refuse_qualifications(self, request, queryset):
        return self._with_reason(request, queryset, "refuse_qualifications")

    @admin.action(
        description=_("Revoke the selected qualifications (with a reason)"),
        permissions=["decide"],
    )
    def revoke_qualifications(self, request, queryset):
        return self._with_reason(request, queryset, "revoke_qualifications")

    def _with_reason(self, request: Any, queryset: Any, action: str) -> Any:
        """Like Django's delete confirmation: the first POST asks for the reason, the second
        (``post``) calls the service for each selected row and reports each refusal."""
        service = (
            qualification_refuse if action == "refuse_qualifications" else qualification_revoke
        )
        rows = list(queryset.select_related("member", "resource", "resource__unit"))
        if request.POST.get("post"):
            form = ReasonForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                self.apply_to_each(
                    request,
                    rows,
                    lambda actor, q: service(actor=actor, qualification_id=q.pk, reason=reason),
                    lambda n: ngettext(
                        "%(count)d qualification done.", "%(count)d qualifications done.", n
                    ),
                    label=_label,
                )
                return None
        else:
            form = ReasonForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.get_actions(request)[action][2],
            "rows": rows,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(
            request, "admin/resources/qualification/reason_confirmation.html", context
        )
