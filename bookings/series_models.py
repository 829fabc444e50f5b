"""Recurring bookings (issue 12): a series is a rule; each occurrence an ordinary Booking.

A :class:`BookingSeries` keeps what its occurrences were made from: the RFC 5545 rule
(``RRULE`` text, expanded by python-dateutil in Asia/Shanghai from ``first_start``), the
length of each occurrence and the purpose. The occurrences themselves are Bookings whose
``series`` points here; every scheduler rule and the exclusion constraint hold for each of
them exactly as for any other booking (bookings.series, docs/decisions/0013).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member, Unit
from resources.models import Resource

#: Bounds of one series: how many occurrences, and how far after the first one.
SERIES_MAX_OCCURRENCES = 52
SERIES_MAX_HORIZON = dt.timedelta(days=366)
SERIES_RULE_MAX_LENGTH = 300


class BookingSeries(models.Model):
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="series"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="booking_series",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("booking unit"), on_delete=models.PROTECT, related_name="+"
    )
    rule = models.CharField(
        _("repeat rule"),
        max_length=SERIES_RULE_MAX_LENGTH,
        help_text=_("An RFC 5545 RRULE, e.g. FREQ=WEEKLY;COUNT=10, read in Asia/Shanghai."),
    )
    first_start = models.DateTimeField(_("first start"))
    duration_minutes = models.PositiveIntegerField(_("minutes each"))
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("attendees"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="booking_series_duration_positive"
            ),
        ]
        indexes = [models.Index(fields=["member", "-created_at"], name="series_member_created")]

    def __str__(self) -> str:
        return f"{self.resource} {self.rule}"

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)
