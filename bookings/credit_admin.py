"""The back office of issue 12: quotas (the secretariat for a kind, a resource's managers
for their resources) and the credit accounts, where the secretariat restores points with a
reason (an action through bookings.credit.credit_restore).

Registered from bookings.admin.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.access import quotas_manageable_by, resources_manageable_by, scope_may_change_quota
from alliance.admin import ScopedModelAdmin, request_actor, request_scope
from bookings.credit import REASON_MAX_LENGTH, credit_restore
from bookings.models import CreditAccount, CreditEvent, Quota
from bookings.quota_services import quota_delete, quota_save
from resources.models import Resource


@admin.register(Quota)
class QuotaAdmin(ScopedModelAdmin):
    list_display = ("__str__", "resource", "kind", "scope", "measure", "period", "limit")
    list_filter = ("kind", "scope", "measure", "period")
    list_select_related = ("resource",)
    fields = ("resource", "kind", "scope", "measure", "period", "limit")
    ordering = ("resource", "kind", "pk")

    def scope_filter(self, scope):
        return quotas_manageable_by(scope)

    def scope_may_view(self, scope, obj):
        return (
            scope_may_change_quota(
                scope, resource_unit_id=obj.resource.unit_id if obj.resource_id else None
            )
            or scope.whole_alliance
        )

    def scope_may_add(self, scope):
        return scope.may_enter

    def scope_may_change(self, scope, obj):
        if obj is None:
            return scope.may_enter
        return scope_may_change_quota(
            scope, resource_unit_id=obj.resource.unit_id if obj.resource_id else None
        )

    def scope_may_delete(self, scope, obj):
        return self.scope_may_change(scope, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "resource":
            kwargs["queryset"] = Resource.objects.filter(
                resources_manageable_by(request_scope(request))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        scope = request_scope(request)

        class ScopedQuotaForm(form):
            def clean(self):
                cleaned = super().clean()
                resource = cleaned.get("resource")
                if not scope_may_change_quota(
                    scope, resource_unit_id=resource.unit_id if resource else None
                ):
                    raise forms.ValidationError(
                        _("Only the secretariat sets quotas for a whole kind of resource.")
                    )
                return cleaned

        return ScopedQuotaForm

    # Every write through bookings.quota_services (access again, the resources' locks).
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        resource = data.get("resource")
        quota = quota_save(
            actor=request_actor(request),
            quota_id=obj.pk if change else None,
            resource_id=resource.pk if resource else None,
            kind=data.get("kind", ""),
            scope=data["scope"],
            measure=data["measure"],
            period=data["period"],
            limit=data["limit"],
        )
        obj.pk = quota.pk
        obj._state.adding = False

    def delete_through_service(self, actor, obj):
        quota_delete(actor=actor, quota_id=obj.pk)


class RestoreForm(forms.Form):
    points = forms.IntegerField(label=_("points"), min_value=1, max_value=100)
    reason = forms.CharField(
        label=_("reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    lift_suspension = forms.BooleanField(label=_("also end the suspension now"), required=False)


@admin.register(CreditAccount)
class CreditAccountAdmin(ScopedModelAdmin):
    """Accounts exist from a member's first credit event; the secretariat restores points."""

    list_display = ("member", "score", "suspended_until", "recovered_at")
    list_select_related = ("member", "member__unit")
    search_fields = ("member__name", "member__user__username")
    fields = ("member", "score", "recovered_at", "suspended_until", "history")
    readonly_fields = fields
    actions = ("restore_points",)

    def has_module_permission(self, request):
        return request_scope(request).whole_alliance

    def has_view_permission(self, request, obj=None):
        return request_scope(request).whole_alliance

    def has_restore_permission(self, request):
        return request_scope(request).whole_alliance

    @admin.display(description=_("credit history"))
    def history(self, account: CreditAccount) -> str:
        events = CreditEvent.objects.filter(member_id=account.member_id).order_by("-at", "-pk")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {:+d} → {} {}</li>",
                (
                    (
                        date_format(timezone.localtime(e.at), "Y-m-d H:i"),
                        e.get_kind_display(),
                        e.points,
                        e.score_after,
                        e.reason,
                    )
                    for e in events[:100]
                ),
            ),
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(
        description=_("Restore points to the selected members (with a reason)"),
        permissions=["restore"],
    )
    def restore_points(self, request: Any, queryset: Any) -> Any:
        rows = list(queryset.select_related("member"))
        if request.POST.get("post"):
            form = RestoreForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                self.apply_to_each(
                    request,
                    rows,
                    lambda actor, account: credit_restore(
                        actor=actor,
                        member=account.member,
                        points=data["points"],
                        reason=data["reason"],
                        lift_suspension=data["lift_suspension"],
                    ),
                    lambda n: ngettext(
                        "Points restored to %(count)d member.",
                        "Points restored to %(count)d members.",
                        n,
                    ),
                    label=lambda account: account.member.name,
                )
                return None
        else:
            form = RestoreForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Restore points"),
            "rows": rows,
            "form": form,
            "action": "restore_points",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/bookings/creditaccount/restore.html", context)
