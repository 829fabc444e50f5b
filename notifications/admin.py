"""Back office: read the inbox and the WeChat outbox, and send given-up messages again.

Everything is read-only: notifications are written only by notifications.services. The
access token is not registered here: it is a credential and never shown.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Notification, OutboxMessage, SubscriptionCredit
from notifications.services import outbox_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "member", "kind", "booking", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "body", "member__name"]
    list_select_related = ["member", "member__unit", "booking", "booking__resource"]
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
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

    def get_actions(self, request):
        """The retry action needs the right to change messages (superusers, or granted)."""
        actions = super().get_actions(request)
        if not request.user.has_perm("notifications.change_outboxmessage"):
            actions.pop("retry", None)
        return actions

    @admin.action(description=_("Send the selected messages again"))
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
class SubscriptionCreditAdmin(ReadOnlyAdmin):
    list_display = ["member", "template_id", "credits", "updated_at"]
    list_filter = ["template_id"]
    search_fields = ["member__name", "template_id"]
    list_select_related = ["member", "member__unit"]
