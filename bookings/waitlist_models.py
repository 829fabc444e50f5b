"""The waitlist of a taken slot (issue 12, bookings.waitlist, docs/decisions/0015).

A member joins the waitlist of [start, end) of a resource that is taken. When that time
frees, the first in line (``created_at``, then ``id``) whose slot is wholly free is offered
it: a :class:`~bookings.models.Booking` in status ``held`` is made for them (it blocks
others like a pending booking, so the scheduler's lock protocol and the exclusion
constraint keep it) and the entry points to it until they claim it, decline it, or it
lapses at ``hold_expires_at``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member, Unit
from resources.models import Resource, ServiceMode


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Held for you")
    CLAIMED = "claimed", _("Claimed")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Hold lapsed")
    LEFT = "left", _("Left the waitlist")
    EXPIRED = "expired", _("No longer available")


#: Entries still in line: one of these per member, resource and slot.
ACTIVE_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
#: Entries that point to their hold and must: offered (held) and claimed (the booking).
WITH_HOLD_STATUSES = (WaitlistStatus.OFFERED, WaitlistStatus.CLAIMED)
#: Entries that never had a hold: still waiting, or left while waiting.
WITHOUT_HOLD_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.LEFT)
WAITLIST_ENTRY_ACTIVE_UNIQUE = "waitlist_entry_one_active_per_member_slot"
_MODES = [ServiceMode.SELF_USE.value, ServiceMode.ASSISTED.value]


class WaitlistEntry(models.Model):
    Status = WaitlistStatus

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("booking unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The member's unit when they joined."),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("attendees"), default=1)
    mode = models.CharField(
        _("service mode"),
        max_length=16,
        choices=[(m, ServiceMode(m).label) for m in _MODES],
        default=ServiceMode.SELF_USE,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    #: The held booking while offered, the booking once claimed; kept afterwards as history.
    hold = models.OneToOneField(
        "bookings.Booking",
        verbose_name=_("hold"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_entry",
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="waitlist_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(attendees__gte=1), name="waitlist_attendees_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaitlistStatus.values), name="waitlist_status_valid"
            ),
            models.CheckConstraint(condition=Q(mode__in=_MODES), name="waitlist_mode_valid"),
            # Offered and claimed entries point to their booking, with when it was offered
            # and until when it is held; waiting (and left) ones have none.
            models.CheckConstraint(
                condition=(
                    ~Q(status__in=WITH_HOLD_STATUSES)
                    | Q(
                        hold__isnull=False,
                        offered_at__isnull=False,
                        hold_expires_at__isnull=False,
                    )
                )
                & (
                    ~Q(status__in=WITHOUT_HOLD_STATUSES)
                    | Q(hold__isnull=True, offered_at__isnull=True, hold_expires_at__isnull=True)
                ),
                name="waitlist_hold_iff_offered",
            ),
            models.UniqueConstraint(
                fields=["member", "resource", "start", "end"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name=WAITLIST_ENTRY_ACTIVE_UNIQUE,
            ),
        ]
        indexes = [
            # The line of a resource: its waiting entries in queue order.
            models.Index(
                fields=["resource", "created_at"],
                condition=Q(status=WaitlistStatus.WAITING),
                name="waitlist_line",
            ),
            models.Index(fields=["member", "status"], name="waitlist_member_status"),
            # The jobs: holds past their expiry.
            models.Index(
                fields=["hold_expires_at"],
                condition=Q(status=WaitlistStatus.OFFERED),
                name="waitlist_offered_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {timezone.localtime(self.start):%Y-%m-%d %H:%M} {self.member}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES
