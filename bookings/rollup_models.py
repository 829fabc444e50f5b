"""The figures' rollup (docs/figures.md "The rollup", docs/decisions/0016-figures-rollup.md):
what the dashboard sums instead of a year of raw bookings and sessions.

- :class:`FiguresDay`: per resource and local day (Asia/Shanghai), the booked, used,
  effective and external microseconds, no-shows and late cancellations;
- :class:`FiguresHours`: per resource and local day, the booked and used microseconds in
  each of the day's 24 local clock hours (the heat map);
- :class:`FiguresDecision`: per approval or rejection, its resource, local day and wait.
- :class:`FiguresUnitDay`: per resource, local day and unit, the booked microseconds by the
  booking's unit, the effective microseconds and sessions by the user's unit, and the
  bookings that unit settled (completed or no-show) and missed.
- :class:`FiguresDirty`: a marker "recount this resource's day", upserted by every writer of
  bookings and sessions in its own transaction; ``version`` goes up at each upsert, so that
  the refresher deletes a marker only if nobody marked it again meanwhile.

Stopped sessions only: a session still running is added live from the raw rows. Durations
are whole microseconds (exact sums, as the raw intervals). Rows are derived data: rebuilt at
will (``manage.py figures_rollup_rebuild``), never edited by hand. Imported by
bookings.models so that Django sees these models.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from alliance.models import Unit
from resources.models import Resource

HOURS = range(24)


def _micros(label: str) -> models.BigIntegerField:
    return models.BigIntegerField(label, default=0)


class FiguresDay(models.Model):
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("local date"))
    booked = _micros("booked µs")
    used = _micros("used µs")
    effective = _micros("effective µs")
    external = _micros("external µs")
    no_shows = models.IntegerField(default=0)
    late_cancellations = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("figures of a day")
        verbose_name_plural = _("figures of days")
        constraints = [
            models.UniqueConstraint(fields=["resource", "date"], name="figures_day_unique"),
        ]
        indexes = [models.Index(fields=["date"], name="figures_day_date")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.date}"


class FiguresHours(models.Model):
    """The booked and used microseconds of a resource's local day in each of its 24 local
    clock hours (the heat map); a table of its own so that the other figures read narrow
    rows."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("local date"))
    # booked_h00 … booked_h23, used_h00 … used_h23: added below, one per local clock hour.

    class Meta:
        verbose_name = _("figures of a day's hours")
        verbose_name_plural = _("figures of days' hours")
        constraints = [
            models.UniqueConstraint(fields=["resource", "date"], name="figures_hours_unique"),
        ]
        indexes = [models.Index(fields=["date"], name="figures_hours_date")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.date}"


for _hour in HOURS:
    FiguresHours.add_to_class(f"booked_h{_hour:02d}", _micros(f"booked µs in hour {_hour}"))
    FiguresHours.add_to_class(f"used_h{_hour:02d}", _micros(f"used µs in hour {_hour}"))


class FiguresDecision(models.Model):
    """One approval or rejection (BookingEvent) of a booking of the resource, on the local
    day it was decided: the time it waited since the booking was asked for (approval
    turnaround). Percentiles do not add up, so each decision keeps a row of its own, narrow
    and without the join to its booking."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("local date"))
    waited = _micros("waited µs")

    class Meta:
        verbose_name = _("figures of a decision")
        verbose_name_plural = _("figures of decisions")
        indexes = [models.Index(fields=["resource", "date"], name="figures_decision_day")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.date}"


class FiguresUnitDay(models.Model):
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("local date"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    booked = _micros("booked µs")
    effective = _micros("effective µs")
    sessions = models.IntegerField(default=0)
    settled = models.IntegerField(default=0)
    no_shows = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("figures of a unit's day")
        verbose_name_plural = _("figures of units' days")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "date", "unit"], name="figures_unit_day_unique"
            ),
        ]
        indexes = [models.Index(fields=["date"], name="figures_unit_day_date")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.date} {self.unit_id}"


class FiguresDirty(models.Model):
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("local date"))
    # The day's instants [starts_at, ends_at), for the refresher's joins to the raw rows.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    version = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = _("figures day to recount")
        verbose_name_plural = _("figures days to recount")
        constraints = [
            models.UniqueConstraint(fields=["resource", "date"], name="figures_dirty_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="figures_dirty_day_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.date} v{self.version}"
