"""Quotas (issue 12): how much one member, or one member unit, may book of a resource or
of every resource of a kind. The scheduler keeps them (bookings.quotas); the secretariat
and the resource's managers edit them in the admin.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from resources.models import Resource, ResourceKind


class QuotaScope(models.TextChoices):
    MEMBER = "member", _("each member")
    UNIT = "unit", _("each member unit")


class QuotaMeasure(models.TextChoices):
    HOURS = "hours", _("hours booked")
    BOOKINGS = "bookings", _("number of bookings")
    HOURS_AHEAD = "hours_ahead", _("hours booked ahead")


class QuotaPeriod(models.TextChoices):
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    NONE = "none", _("at any time")


class Quota(models.Model):
    """At most ``limit`` of ``measure`` per ``period``, for each member or each unit, on one
    resource or on every resource of one kind. ``hours_ahead`` counts the hours of the
    booker's bookings that have not ended yet; it has no period."""

    Scope = QuotaScope
    Measure = QuotaMeasure
    Period = QuotaPeriod

    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quotas",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices, blank=True)
    scope = models.CharField(_("applies to"), max_length=8, choices=QuotaScope.choices)
    measure = models.CharField(_("measure"), max_length=16, choices=QuotaMeasure.choices)
    period = models.CharField(
        _("period"), max_length=8, choices=QuotaPeriod.choices, default=QuotaPeriod.WEEK
    )
    limit = models.PositiveIntegerField(_("limit"), help_text=_("Hours, or a number of bookings."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["resource", "kind", "scope", "measure", "period"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(resource__isnull=False) & Q(kind=""))
                | (Q(resource__isnull=True) & Q(kind__in=ResourceKind.values)),
                name="quota_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(measure=QuotaMeasure.HOURS_AHEAD, period=QuotaPeriod.NONE)
                | (~Q(measure=QuotaMeasure.HOURS_AHEAD) & ~Q(period=QuotaPeriod.NONE)),
                name="quota_period_fits_measure",
            ),
            models.CheckConstraint(condition=Q(limit__gte=1), name="quota_limit_positive"),
        ]
        indexes = [models.Index(fields=["kind"], name="quota_kind")]

    def __str__(self) -> str:
        target = self.resource or self.get_kind_display()
        return f"{target}: {self.limit} {self.get_measure_display()} {self.get_period_display()}"
