"""What members are told: the in-app inbox, WeChat subscription credits and the outbox.

- :class:`Notification` is one inbox entry. At most one per (booking, event, member), so
  that a retried job or a repeated transition never tells anyone twice.
- :class:`SubscriptionCredit` counts how many subscription messages WeChat currently lets
  us send a member with one template (each acceptance in ``wx.requestSubscribeMessage``
  allows exactly one).
- :class:`OutboxMessage` is a WeChat subscription message waiting to be sent, written in
  the same transaction as the booking change that caused it, so none is lost when a
  worker dies; workers deliver it later (notifications.services.outbox_deliver_due).
- :class:`WeChatAccessToken` is the one access token shared by every worker and server.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member


class NotificationKind(models.TextChoices):
    REQUESTED = "requested", _("New booking request")
    APPROVED = "approved", _("Booking approved")
    REJECTED = "rejected", _("Booking rejected")
    EXPIRED = "expired", _("Booking request expired")
    CANCELLED = "cancelled", _("Booking cancelled")
    REMINDER = "reminder", _("Booking reminder")
    NO_SHOW = "no_show", _("No-show")
    BOOKED_FOR = "booked_for", _("Booked for you")
    POWER_FAILED = "power_failed", _("Instrument power control failed")
    # Qualifications (issue 10): notifications.qualification_notices
    QUAL_REQUESTED = "qual_requested", _("Training requested")
    QUAL_CANCELLED = "qual_cancelled", _("Training request withdrawn")
    QUAL_SCHEDULED = "qual_scheduled", _("Training scheduled")
    QUAL_GRANTED = "qual_granted", _("Qualification granted")
    QUAL_REFUSED = "qual_refused", _("Qualification refused")
    QUAL_REVOKED = "qual_revoked", _("Qualification revoked")
    QUAL_REMINDER = "qual_reminder", _("Qualification about to lapse")
    QUAL_LAPSED = "qual_lapsed", _("Qualification lapsed")
    # Fault reports (issue 10, bookings.faults): told to the unit's managers and the reporter
    FAULT_REPORTED = "fault_reported", _("Fault reported")
    FAULT_ACKNOWLEDGED = "fault_ack", _("Fault report acknowledged")
    FAULT_UPDATED = "fault_update", _("Fault report updated")
    FAULT_RESOLVED = "fault_resolved", _("Fault resolved")
    FAULT_DISMISSED = "fault_dismissed", _("Fault report dismissed")
    # Assisted use (issue 10, bookings.service_modes): told to the booking's operator
    OPERATOR_ASSIGNED = "op_assigned", _("Assisted session assigned to you")
    OPERATOR_CANCELLED = "op_cancelled", _("Assisted session cancelled")
    # Sample orders (issue 10, bookings.samples): each step told to the other side
    SAMPLE_SUBMITTED = "sample_submitted", _("Sample order submitted")
    SAMPLE_ACCEPTED = "sample_accepted", _("Sample order accepted")
    SAMPLE_REFUSED = "sample_refused", _("Sample order refused")
    SAMPLE_RECEIVED = "sample_received", _("Samples received")
    SAMPLE_TESTING = "sample_testing", _("Samples being tested")
    SAMPLE_REPORTED = "sample_reported", _("Sample report ready")
    SAMPLE_CONFIRMED = "sample_confirmed", _("Sample report confirmed")
    SAMPLE_CANCELLED = "sample_cancelled", _("Sample order cancelled")
    # The waitlist (issue 12, bookings.waitlist): a freed slot is held for the member
    WAITLIST_OFFERED = "waitlist_offered", _("A waitlist slot is held for you")
    WAITLIST_LAPSED = "waitlist_lapsed", _("Your waitlist hold lapsed")


class Notification(models.Model):
    """One entry of a member's in-app inbox. Text is rendered when written (short, final)."""

    Kind = NotificationKind

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.CharField(_("text"), max_length=500)
    # By name: bookings sits above notifications, which never imports it.
    booking = models.ForeignKey(
        "bookings.Booking",
        verbose_name=_("booking"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    qualification = models.ForeignKey(
        "resources.Qualification",
        verbose_name=_("qualification"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "member"], name="notification_once_per_booking_event"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="notification_member_created"),
            models.Index(
                fields=["member"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class SubscriptionCredit(models.Model):
    """How many subscription messages of one template a member has allowed and not yet
    received. Incremented and decremented only with F() updates (concurrency-safe)."""

    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="subscription_credits",
    )
    template_id = models.CharField(_("template id"), max_length=128)
    credits = models.PositiveIntegerField(_("credits"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("subscription credit")
        verbose_name_plural = _("subscription credits")
        ordering = ["member", "template_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "template_id"], name="subscription_credit_unique"
            ),
            models.CheckConstraint(
                condition=Q(credits__gte=0), name="subscription_credit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.template_id}: {self.credits}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GIVEN_UP = "given_up", _("Given up")


#: Statuses a worker still delivers (when ``next_attempt_at`` has come).
OUTBOX_DUE_STATUSES = (OutboxStatus.PENDING, OutboxStatus.FAILED)


class OutboxMessage(models.Model):
    """A WeChat subscription message to send (``POST /cgi-bin/message/subscribe/send``).

    ``data`` is final and within WeChat's limits when written. A worker claims a due row by
    setting ``claim`` and pushing ``next_attempt_at`` past its lease, so that no other worker
    takes it meanwhile; a worker that dies leaves the row to be retried after the lease.
    """

    Status = OutboxStatus

    notification = models.OneToOneField(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="outbox_message",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    openid = models.CharField(_("WeChat openid"), max_length=64)
    template_id = models.CharField(_("template id"), max_length=128)
    page = models.CharField(_("page"), max_length=256, blank=True)
    data = models.JSONField(_("data"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claim = models.UUIDField(_("claimed by"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("WeChat message")
        verbose_name_plural = _("WeChat messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OutboxStatus.values), name="outbox_status_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=OUTBOX_DUE_STATUSES),
                name="outbox_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} → {self.member} ({self.get_status_display()})"


class WeChatAccessToken(models.Model):
    """The mini-program's access token: a single row (pk 1), refreshed under its row lock.

    WeChat limits token fetches per day and a new token from ``/cgi-bin/token`` invalidates
    the old one, so every worker and server must share one. The token is a credential: it
    is never logged, shown in the admin or returned by the API, and it is stored only
    encrypted (alliance.crypto; it must be read back, so it cannot be hashed). A value that
    no longer decrypts (the key changed) counts as no token: notifications.wechat fetches
    a new one.
    """

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    appid = models.CharField(_("app id"), max_length=64, blank=True)
    token_encrypted = models.TextField(_("access token (encrypted)"), blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("WeChat access token")
        verbose_name_plural = _("WeChat access token")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="wechat_access_token_single_row"),
        ]

    def __str__(self) -> str:
        return f"WeChat access token (expires {self.expires_at})"
