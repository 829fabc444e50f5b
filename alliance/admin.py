"""The back office (Django admin, zh-hans): member units and members, and the scoping that
every ModelAdmin of the project shares.

Nobody assigns Django's model-permission rows, so the admin never asks for them. Instead
``ScopedModelAdmin`` asks alliance.access.back_office_scope() who the signed-in user is and
each subclass states, through the access helpers, which rows that scope sees (queryset
filter) and which it may change (object-level checks). The secretariat and superusers see
everything; a unit resource manager sees their own unit's resources, closures and bookings.

Writes that have a service go through it (units and members here); a refused service call
writes nothing (the admin's transaction rolls back) and the form comes back with the
service's message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from alliance.access import (
    BackOfficeScope,
    back_office_scope,
    members_visible_to,
    units_visible_to,
)
from alliance.admin_login import RateLimitedAdminAuthenticationForm
from alliance.errors import AccessDenied, DomainError
from alliance.models import Member, Unit
from alliance.services import (
    MEMBER_FIELDS,
    UNIT_FIELDS,
    member_create,
    member_update,
    unit_create,
    unit_deactivate,
    unit_reactivate,
    unit_update,
)

admin.site.site_header = _("Guangming Science City alliance: shared resources back office")
admin.site.site_title = _("Alliance Share back office")
admin.site.index_title = _("Back office")
# /admin/login/ counts failures like the API's password sign-in (alliance.ratelimit).
admin.site.login_form = RateLimitedAdminAuthenticationForm

_SCOPE_ATTRIBUTE = "_alliance_back_office_scope"
_REFUSAL_ATTRIBUTE = "_alliance_back_office_refusal"


def request_scope(request: Any) -> BackOfficeScope:
    """The back-office scope of the request's user, computed once per request."""
    scope = getattr(request, _SCOPE_ATTRIBUTE, None)
    if scope is None:
        scope = back_office_scope(request.user)
        setattr(request, _SCOPE_ATTRIBUTE, scope)
    return scope


def request_actor(request: Any) -> Any:
    """The member who acts when the back office calls a service; refuses users without a
    member profile (services never run on behalf of "the system" from the admin)."""
    member = request_scope(request).member
    if member is None:
        raise AccessDenied("no_member_profile")
    return member


class ScopedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows and rights follow the user's back-office scope.

    Subclasses override ``scope_filter`` (which rows the scope sees) and the ``scope_may_*``
    predicates; they are written with alliance.access helpers only. By default a scope that
    may enter the back office sees every row, changes and adds nothing, and never deletes
    (the models are deactivated or retired instead).
    """

    #: Service error field names (``fields`` of a DomainError) -> form field names.
    refusal_field_aliases: dict[str, str] = {"unit_id": "unit"}

    def delete_through_service(self, actor: Any, obj: Any) -> None:
        """Delete ``obj`` through its service as ``actor``; a subclass that lets a scope
        delete (``scope_may_delete``) says which service. The admin's one-row delete and its
        bulk action both come here, one row at a time."""
        raise NotImplementedError(f"{type(self).__name__} deletes nothing")

    def delete_model(self, request, obj):
        self.delete_through_service(request_actor(request), obj)

    def delete_queryset(self, request, queryset):
        actor = request_actor(request)
        for obj in queryset:
            self.delete_through_service(actor, obj)

    def scope_filter(self, scope: BackOfficeScope) -> Q:
        return Q()

    def scope_may_view(self, scope: BackOfficeScope, obj: Any) -> bool:
        return True

    def scope_may_change(self, scope: BackOfficeScope, obj: Any | None) -> bool:
        return False

    def scope_may_add(self, scope: BackOfficeScope) -> bool:
        return False

    def scope_may_delete(self, scope: BackOfficeScope, obj: Any | None) -> bool:
        return False

    # --- Django's hooks, all routed through the scope ---------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).filter(self.scope_filter(request_scope(request)))

    def has_module_permission(self, request):
        return request_scope(request).may_enter

    def has_view_permission(self, request, obj=None):
        scope = request_scope(request)
        if not scope.may_enter:
            return False
        return obj is None or self.scope_may_view(scope, obj)

    def has_change_permission(self, request, obj=None):
        scope = request_scope(request)
        return scope.may_enter and self.scope_may_change(scope, obj)

    def has_add_permission(self, request):
        scope = request_scope(request)
        return scope.may_enter and self.scope_may_add(scope)

    def has_delete_permission(self, request, obj=None):
        scope = request_scope(request)
        return scope.may_enter and self.scope_may_delete(scope, obj)

    def apply_to_each(self, request, queryset, act, done_message, *, label=str) -> None:
        """An admin action's body: call ``act(actor, obj)`` for each selected row, each in
        the service's own transaction; report each refusal by row (``label(obj)``) and carry
        on, then how many were done. ``done_message`` has ``%(count)d``; a callable gets the
        count first (for plural forms)."""
        try:
            actor = request_actor(request)
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return
        done = 0
        for obj in queryset:
            try:
                act(actor, obj)
            except DomainError as refusal:
                self.message_user(request, f"{label(obj)}: {refusal.message}", messages.ERROR)
            else:
                done += 1
        if done:
            text = done_message(done) if callable(done_message) else done_message
            self.message_user(request, text % {"count": done}, messages.SUCCESS)

    # --- Refusals from services -------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Show a service's refusal on the form instead of a server error.

        Django runs the save inside a transaction, so a DomainError raised by save_model or
        save_related rolls back everything the request wrote. The view then runs once more
        with the refusal attached; the form (see get_form) reports it as invalid, so the
        user sees what they typed and why it was refused.
        """
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as refusal:
            setattr(request, _REFUSAL_ATTRIBUTE, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL_ATTRIBUTE, None)
        if refusal is None:
            return form_class
        refusal_field_aliases = self.refusal_field_aliases

        class RefusedForm(form_class):
            def clean(self):
                cleaned_data = super().clean()
                aliases = refusal_field_aliases
                for field in refusal.extra.get("fields") or {}:
                    name = aliases.get(field, field)
                    if name in self.fields and name not in self.errors:
                        self.add_error(name, refusal.message)
                self.add_error(None, refusal.message)
                return cleaned_data

        return RefusedForm


class ScopedInline:
    """An inline that inherits its parent admin's rights: whoever may change the parent may
    edit its inline rows, whoever may view it sees them (no model-permission rows)."""

    def _parent_admin(self) -> admin.ModelAdmin:
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is None:
            return self._parent_admin().has_add_permission(request)
        return self._parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self._parent_admin().has_add_permission(request)
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class ReadOnlyInline:
    """An inline of history rows: shown to whoever may view the parent, never edited."""

    extra = 0
    max_num = 0
    can_delete = False

    def _parent_admin(self) -> admin.ModelAdmin:
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Member units -------------------------------------------------------------------------


@admin.register(Unit)
class UnitAdmin(ScopedModelAdmin):
    """Units: the secretariat admits and edits them (alliance.services); a unit manager sees
    their own unit."""

    list_display = (
        "name",
        "short_name",
        "kind",
        "contact_name",
        "contact_phone",
        "resource_count",
        "member_count",
        "is_active",
    )
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "contact_name", "contact_email")
    actions = ("deactivate_units", "reactivate_units")
    fields = (
        "name",
        "short_name",
        "kind",
        "contact_name",
        "contact_phone",
        "contact_email",
        "is_active",
        "created_at",
    )
    readonly_fields = ("created_at",)

    def scope_filter(self, scope):
        return units_visible_to(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.pk)

    def scope_may_change(self, scope, obj):
        return scope.whole_alliance

    def scope_may_add(self, scope):
        return scope.whole_alliance

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                resource_total=Count("resources", distinct=True),
                member_total=Count("members", distinct=True),
            )
        )

    @admin.display(description=_("resources"), ordering="resource_total")
    def resource_count(self, obj: Unit) -> int:
        return obj.resource_total

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj: Unit) -> int:
        return obj.member_total

    @admin.action(
        description=_("Deactivate the selected units (their members can no longer book or manage)"),
        permissions=["change"],
    )
    def deactivate_units(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda actor, unit: unit_deactivate(actor=actor, unit_id=unit.pk),
            _("%(count)d units deactivated."),
        )

    @admin.action(description=_("Reactivate the selected units"), permissions=["change"])
    def reactivate_units(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda actor, unit: unit_reactivate(actor=actor, unit_id=unit.pk),
            _("%(count)d units reactivated."),
        )

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            changes = {name: value for name, value in changes.items() if name in UNIT_FIELDS}
            if changes:
                unit_update(actor=actor, unit_id=obj.pk, **changes)
            return
        values = {name: form.cleaned_data[name] for name in UNIT_FIELDS if name != "is_active"}
        unit = unit_create(actor=actor, **values)
        obj.pk = unit.pk
        obj._state.adding = False


# --- Members ------------------------------------------------------------------------------


class MemberAddForm(forms.ModelForm):
    """A new member comes with a new user account (alliance.services.member_create)."""

    username = forms.CharField(
        label=_("username"),
        max_length=150,
        required=False,
        help_text=_("Leave empty for a member who signs in through WeChat only."),
    )
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to set no password (sign-in through WeChat only)."),
    )

    class Meta:
        model = Member
        fields = ("unit", "name", "role", "phone")


@admin.register(Member)
class MemberAdmin(ScopedModelAdmin):
    """Members: the secretariat creates and edits them through alliance.services (which keep
    the user account's staff flag in step with the role); a unit manager sees their unit's."""

    list_display = ("name", "unit", "role", "username", "phone", "wechat_bound", "is_active")
    list_filter = ("role", "is_active", ("unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "phone", "user__username", "unit__name", "unit__short_name")
    list_select_related = ("unit", "user")
    fields = ("username", "unit", "name", "role", "phone", "is_active", "wechat_bound")
    readonly_fields = ("username", "wechat_bound")

    def scope_filter(self, scope):
        return members_visible_to(scope)

    def scope_may_view(self, scope, obj):
        return scope.manages_unit(obj.unit_id)

    def scope_may_change(self, scope, obj):
        return scope.whole_alliance

    def scope_may_add(self, scope):
        return scope.whole_alliance

    def get_list_filter(self, request):
        if request_scope(request).whole_alliance:
            return self.list_filter
        return ("role", "is_active")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MemberAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("unit", "name", "role", "phone", "username", "password")
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return self.readonly_fields

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, obj: Member) -> str:
        return obj.user.username

    @admin.display(description=_("WeChat bound"), boolean=True)
    def wechat_bound(self, obj: Member) -> bool:
        return bool(obj.wechat_openid)

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        data = form.cleaned_data
        if change:
            changes = {}
            for name in form.changed_data:
                key = "unit_id" if name == "unit" else name
                if key in MEMBER_FIELDS:
                    changes[key] = data[name].pk if name == "unit" else data[name]
            if changes:
                member_update(actor=actor, member_id=obj.pk, **changes)
            return
        member = member_create(
            actor=actor,
            unit_id=data["unit"].pk,
            name=data["name"],
            role=data["role"],
            phone=data.get("phone", ""),
            username=data.get("username") or None,
            password=data.get("password") or None,
        )
        obj.pk = member.pk
        obj.user_id = member.user_id
        obj._state.adding = False
