"""Bookings of shared resources and the history of their status changes.

A booking occupies [start, end) and keeps its resource busy until ``blocked_until`` (its end
plus the resource's clean-up buffer at the time of booking). Two blocking bookings of one
resource never overlap on [start, blocked_until): the scheduler checks it under the
resource's lock, and on PostgreSQL an exclusion constraint enforces it.
"""

from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member, Unit
from bookings.constraints import PostgresExclusionConstraint, TsTzRange
from resources.models import Resource, ServiceMode

BOOKING_NO_OVERLAP = "booking_no_overlap_per_resource"
#: An operator is never booked for two overlapping assisted sessions, on any resource
#: (issue 10, docs/decisions/0011-service-modes.md).
BOOKING_OPERATOR_NO_OVERLAP = "booking_operator_no_overlap"
#: The modes a booking can have; sample submission is an order, not a booking.
BOOKING_MODES = (ServiceMode.SELF_USE, ServiceMode.ASSISTED)
#: The booking modes as choices (the model field's, and the API schema's BookingModeEnum).
BOOKING_MODE_CHOICES = [(m.value, m.label) for m in BOOKING_MODES]


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    #: A freed slot kept for the first in its waitlist until they claim it (issue 12,
    #: bookings.waitlist); it blocks others like a pending booking.
    HELD = "held", _("Held for the waitlist")


#: Statuses that hold the slot. Everything else (rejected, cancelled, expired, no-show) frees it.
BLOCKING_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.APPROVED,
    BookingStatus.COMPLETED,
    BookingStatus.HELD,
)
#: Statuses counted as booked time (figures): blocking ones except a waitlist hold, which
#: nobody has taken yet.
BOOKED_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED, BookingStatus.COMPLETED)


class Booking(models.Model):
    Status = BookingStatus
    BLOCKING_STATUSES = BLOCKING_STATUSES

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="bookings"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("booked by"), on_delete=models.PROTECT, related_name="bookings"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("booking unit"),
        on_delete=models.PROTECT,
        related_name="bookings",
        help_text=_("The booker's unit when the booking was made."),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    blocked_until = models.DateTimeField(
        _("blocked until"), help_text=_("End plus the resource's clean-up buffer.")
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("attendees"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    cancelled_late = models.BooleanField(
        _("cancelled late"),
        default=False,
        help_text=_("Cancelled inside the late-cancellation window before the start."),
    )
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # Service modes (issue 10): self-use, or assisted by an operator of the owning unit.
    mode = models.CharField(
        _("service mode"),
        max_length=16,
        choices=BOOKING_MODE_CHOICES,
        default=ServiceMode.SELF_USE,
    )
    operator = models.ForeignKey(
        Member,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_bookings",
        help_text=_("Who runs the instrument for the member (assisted use only)."),
    )
    #: The recurring series this booking is an occurrence of (issue 12, bookings.series).
    series = models.ForeignKey(
        "bookings.BookingSeries",
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=F("end")),
                name="booking_blocked_until_not_before_end",
            ),
            models.CheckConstraint(
                condition=Q(attendees__gte=1), name="booking_attendees_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="booking_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="booking_check_out_after_check_in",
            ),
            PostgresExclusionConstraint(
                name=BOOKING_NO_OVERLAP,
                expressions=[
                    (TsTzRange("start", "blocked_until"), RangeOperators.OVERLAPS),
                    ("resource", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=BLOCKING_STATUSES),
            ),
            models.CheckConstraint(
                condition=Q(mode__in=[m.value for m in BOOKING_MODES]), name="booking_mode_valid"
            ),
            models.CheckConstraint(
                condition=(Q(mode=ServiceMode.ASSISTED) & Q(operator__isnull=False))
                | (~Q(mode=ServiceMode.ASSISTED) & Q(operator__isnull=True)),
                name="booking_assisted_iff_operator",
            ),
            # The operator's session is [start, end): the clean-up buffer is the instrument's.
            PostgresExclusionConstraint(
                name=BOOKING_OPERATOR_NO_OVERLAP,
                expressions=[
                    (TsTzRange("start", "end"), RangeOperators.OVERLAPS),
                    ("operator", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=BLOCKING_STATUSES, operator__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "start"], name="booking_resource_start"),
            # Overlap reads on SQLite: bookings still blocking after a moment, which the
            # horizon bounds however long the history (PostgreSQL uses the constraint's GiST).
            models.Index(fields=["resource", "blocked_until"], name="booking_resource_blocked"),
            models.Index(fields=["member", "start"], name="booking_member_start"),
            models.Index(fields=["status", "start"], name="booking_status_start"),
            # An operator's sessions (the SQLite overlap read, /me/operating/).
            models.Index(
                fields=["operator", "start"],
                condition=Q(operator__isnull=False),
                name="booking_operator_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def is_blocking(self) -> bool:
        return self.status in self.BLOCKING_STATUSES


class BookingEvent(models.Model):
    """One entry of a booking's append-only history: who did what, when and why."""

    class Action(models.TextChoices):
        CREATED = "bookings.booking.created", _("Requested")
        APPROVED = "bookings.booking.approved", _("Approved")
        REJECTED = "bookings.booking.rejected", _("Rejected")
        CANCELLED = "bookings.booking.cancelled", _("Cancelled")
        EXPIRED = "bookings.booking.expired", _("Expired")
        COMPLETED = "bookings.booking.completed", _("Completed")
        NO_SHOW = "bookings.booking.no_show", _("Marked as no-show")
        CHECKED_IN = "bookings.booking.checked_in", _("Checked in")
        CHECKED_OUT = "bookings.booking.checked_out", _("Checked out")
        REMINDED = "bookings.booking.reminded", _("Reminder sent")
        # Issue 9: staff actions. The actor is the staff member; the booking's member the
        # beneficiary (on behalf) or the booker told of the closure.
        CREATED_ON_BEHALF = "bookings.booking.created_on_behalf", _("Booked on behalf")
        CANCELLED_BY_CLOSURE = (
            "bookings.booking.cancelled_by_closure",
            _("Cancelled: the resource closes"),
        )
        # Issue 12: the waitlist's holds (bookings.waitlist)
        HELD = "bookings.booking.held", _("Held for the waitlist")
        CLAIMED = "bookings.booking.claimed", _("Claimed from the waitlist")
        HOLD_DECLINED = "bookings.booking.hold_declined", _("Hold declined")
        HOLD_LAPSED = "bookings.booking.hold_lapsed", _("Hold lapsed")

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=48, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=16, choices=Booking.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=Booking.Status.choices)
    actor = models.ForeignKey(
        Member,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted on its own (expiry, no-show)."),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("booking history entry")
        verbose_name_plural = _("booking history")
        ordering = ["booking", "at", "pk"]
        indexes = [
            # The figures' approval turnaround: the decisions of a period.
            models.Index(
                fields=["at"],
                condition=Q(action__in=["bookings.booking.approved", "bookings.booking.rejected"]),
                name="bookingevent_decision_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """An iCalendar feed of one member's bookings, or of one resource's busy times.

    The feed's URL carries a random token; only its SHA-256 digest is stored, so a leaked
    database does not leak the feeds. Resetting the token invalidates the old URL.
    """

    member = models.OneToOneField(
        Member,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
    )
    resource = models.OneToOneField(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reset_at = models.DateTimeField(_("token reset at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(resource__isnull=True))
                | (Q(member__isnull=True) & Q(resource__isnull=False)),
                name="calendar_feed_exactly_one_target",
            ),
        ]

    def __str__(self) -> str:
        return str(self.member or self.resource)


# Recorded use and power control live in their own module (size); imported here so that
# Django registers them with the bookings app.
from bookings.credit_models import (  # noqa: E402, F401
    CreditAccount,
    CreditEvent,
    CreditEventKind,
)
from bookings.fault_models import (  # noqa: E402, F401
    FaultEvent,
    FaultReport,
    FaultStatus,
    FaultUrgency,
)
from bookings.purchase_models import (  # noqa: E402, F401
    PurchaseCheck,
    PurchaseOutcome,
)
from bookings.quota_models import Quota, QuotaMeasure, QuotaPeriod, QuotaScope  # noqa: E402, F401
from bookings.rollup_models import (  # noqa: E402, F401
    FiguresDay,
    FiguresDecision,
    FiguresDirty,
    FiguresHours,
    FiguresUnitDay,
)
from bookings.sample_models import (  # noqa: E402, F401
    SampleHazard,
    SampleOrder,
    SampleOrderEvent,
    SampleReportFile,
    SampleStatus,
)
from bookings.series_models import BookingSeries  # noqa: E402, F401
from bookings.usage_models import (  # noqa: E402, F401
    InterlockAttempt,
    InterlockConfig,
    UsageSession,
)
from bookings.waitlist_models import WaitlistEntry, WaitlistStatus  # noqa: E402, F401
