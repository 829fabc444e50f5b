"""Back office: the inbox, subscription credits and the WeChat outbox, for the secretariat.

Members' notifications are personal, so only the whole-alliance scope (secretariat members
and superusers, alliance.access.back_office_scope) sees them; unit managers do not. Rows
are read-only: notifications are written only by notifications.services. The one action,
sending given-up messages again, calls its service. The access token is not registered
here: it is a credential and never shown.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.access import back_office_scope
from notifications.models import Notification, OutboxMessage, SubscriptionCredit
from notifications.services import outbox_retry


def _whole_alliance(request) -> bool:
    return back_office_scope(request.user).whole_alliance


class SecretariatReadOnlyAdmin(admin.ModelAdmin):
    """Seen by the whole-alliance scope only; nobody adds, edits or deletes rows here."""

    def has_module_permission(self, request) -> bool:
        return _whole_alliance(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _whole_alliance(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(SecretariatReadOnlyAdmin):
    list_display = ["title", "member", "kind", "booking", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "body", "member__name"]
    list_select_related = ["member", "member__unit", "booking", "booking__resource"]
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SecretariatReadOnlyAdmin):
    list_display = [
        "notification",
        "member",
        "template_id",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "template_id"]
    search_fields = ["member__name", "template_id"]
    list_select_related = ["notification", "member", "member__unit"]
    exclude = ["claim"]
    actions = ["retry"]

    def has_retry_permission(self, request) -> bool:
        return _whole_alliance(request)

    @admin.action(description=_("Send the selected messages again"), permissions=["retry"])
    def retry(self, request, queryset):
        count = outbox_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SubscriptionCredit)
class SubscriptionCreditAdmin(SecretariatReadOnlyAdmin):
    list_display = ["member", "template_id", "credits", "updated_at"]
    list_filter = ["template_id"]
    search_fields = ["member__name", "template_id"]
    list_select_related = ["member", "member__unit"]
