"""Shared resources, their weekly opening hours, closures and the working calendar.

All wall-clock values (opening hours, make-up days) are in the alliance's zone
(settings.TIME_ZONE, Asia/Shanghai); all instants (closures) are aware and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alliance.models import Unit
from resources.assets import classification_code_validate, expected_yearly_hours

MIDNIGHT = dt.time(0, 0)


def new_checkin_code() -> str:
    """A random code printed in the resource's check-in QR code: proof of being there."""
    return secrets.token_urlsafe(12)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ResourceKind(models.TextChoices):
    LAB = "lab", _("Lab")
    EQUIPMENT = "equipment", _("Instrument or research platform")
    VENUE = "venue", _("Venue")


class ServiceMode(models.TextChoices):
    """How a member is served (issue 10): the modes a resource offers are its ``offers_*``."""

    SELF_USE = "self_use", _("Self-use")
    ASSISTED = "assisted", _("Assisted")
    SAMPLE = "sample", _("Sample submission")


class Resource(models.Model):
    """A shared item: a lab, a large instrument or research platform, or a venue.

    The booking rules live on the resource; the scheduler (bookings.services) is the only
    code that applies them.
    """

    Kind = ResourceKind

    unit = models.ForeignKey(
        Unit, verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="resources"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    building = models.CharField(
        _("building"), max_length=100, blank=True, help_text=_("Site and building, e.g. 科研楼A栋.")
    )
    room = models.CharField(_("room"), max_length=50, blank=True, help_text=_("Floor and room."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    directions = models.TextField(
        _("directions"), blank=True, help_text=_("How to get there: transport, entrance, lifts.")
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("The most people one booking may bring."),
    )
    slot_minutes = models.PositiveIntegerField(
        _("slot granularity (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text=_("Bookings start and end on multiples of this, counted from local midnight."),
    )
    min_duration_minutes = models.PositiveIntegerField(_("minimum duration (minutes)"), default=30)
    max_duration_minutes = models.PositiveIntegerField(
        _("maximum duration (minutes)"), default=4 * 60
    )
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=60)
    max_days_ahead = models.PositiveIntegerField(
        _("bookable days ahead"), default=30, validators=[MinValueValidator(1)]
    )
    buffer_minutes = models.PositiveIntegerField(
        _("buffer (minutes)"),
        default=0,
        help_text=_("Set-up and clean-up time kept free after each booking."),
    )
    requires_approval = models.BooleanField(_("requires approval"), default=True)
    requires_checkin = models.BooleanField(
        _("requires check-in"),
        default=True,
        help_text=_(
            "Bookers scan the resource's QR code on arrival; without a check-in the booking "
            "becomes a no-show. Otherwise bookings complete on their own."
        ),
    )
    allowed_units = models.ManyToManyField(
        Unit,
        verbose_name=_("units allowed to book"),
        blank=True,
        related_name="bookable_resources",
        help_text=_("Leave empty to let every member unit book."),
    )
    allows_walk_up = models.BooleanField(
        _("allows walk-up use"),
        default=False,
        help_text=_(
            "Members may start a session by scanning the QR code without a booking while "
            "the instrument is free."
        ),
    )
    is_retired = models.BooleanField(_("retired"), default=False)
    # Service modes (issue 10). Self-use is what bookings were before modes existed, so it
    # stays the default; assisted and sample submission are switched on per resource.
    offers_self_use = models.BooleanField(
        _("offers self-use"),
        default=True,
        help_text=_("Members book a slot and run the instrument themselves (自主上机)."),
    )
    offers_assisted = models.BooleanField(
        _("offers assisted use"),
        default=False,
        help_text=_("The owning unit's operators run the instrument for the member (委托上机)."),
    )
    assisted_min_notice_minutes = models.PositiveIntegerField(
        _("assisted use: minimum notice (minutes)"),
        default=24 * 60,
        help_text=_("Lead time an operator needs before an assisted session."),
    )
    operators = models.ManyToManyField(
        "alliance.Member",
        verbose_name=_("operators"),
        blank=True,
        related_name="operated_resources",
        help_text=_("Members of the owning unit who run the instrument in assisted use."),
    )
    offers_samples = models.BooleanField(
        _("offers sample submission"),
        default=False,
        help_text=_("Members send samples and receive a report; no time slot (送样检测)."),
    )
    sample_turnaround_days = models.PositiveIntegerField(
        _("sample submission: usual turnaround (days)"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_("Days from receiving the samples to the report, proposed on acceptance."),
    )
    sample_instructions = models.TextField(
        _("sample submission: instructions"),
        blank=True,
        help_text=_("Which samples are accepted, how to package and send them, hazards refused."),
    )
    # Qualifications (上机资格): resources.qualification_models
    requires_qualification = models.BooleanField(
        _("requires a qualification"),
        default=False,
        help_text=_("Only members granted a qualification after training may book it."),
    )
    qualification_valid_days = models.PositiveIntegerField(
        _("qualification valid for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("A grant lapses this many days after it was given. Empty: no limit."),
    )
    qualification_idle_days = models.PositiveIntegerField(
        _("qualification lapses when unused for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Use it or lose it: a grant lapses after this many days without use."),
    )
    # Asset data for the open-sharing assessment (instruments): resources.assets
    asset_number = models.CharField(_("asset number"), max_length=64, blank=True)
    original_value = models.DecimalField(
        _("original value (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    classification_code = models.CharField(
        _("classification code"),
        max_length=6,
        blank=True,
        validators=[classification_code_validate],
        help_text=_("National large research instrument classification, e.g. 0101."),
    )
    classification_name = models.CharField(_("classification name"), max_length=100, blank=True)
    specialised = models.BooleanField(
        _("specialised instrument"),
        default=False,
        help_text=_("Specialised instruments are expected to run 800 hours a year, others 1,400."),
    )
    yearly_hours_override = models.PositiveIntegerField(
        _("expected yearly hours"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(8784)],
        help_text=_("定额机时. Empty: 1,400 for general instruments, 800 for specialised ones."),
    )
    checkin_code = models.CharField(
        _("check-in code"),
        max_length=32,
        default=new_checkin_code,
        help_text=_("Printed in the resource's QR code; reset it to invalidate old prints."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shared resource")
        verbose_name_plural = _("shared resources")
        ordering = ["unit__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="resource_name_unique_per_unit"),
            models.CheckConstraint(
                condition=Q(kind__in=ResourceKind.values), name="resource_kind_valid"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="resource_capacity_positive"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=24 * 60),
                name="resource_slot_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(min_duration_minutes__gte=F("slot_minutes")),
                name="resource_min_duration_at_least_one_slot",
            ),
            models.CheckConstraint(
                condition=Q(max_duration_minutes__gte=F("min_duration_minutes")),
                name="resource_max_duration_not_below_min",
            ),
            models.CheckConstraint(condition=Q(max_days_ahead__gte=1), name="resource_days_ahead"),
            models.CheckConstraint(
                condition=Q(qualification_valid_days__isnull=True)
                | Q(qualification_valid_days__gte=1),
                name="resource_qualification_valid_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(qualification_idle_days__isnull=True)
                | Q(qualification_idle_days__gte=1),
                name="resource_qualification_idle_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(original_value__isnull=True) | Q(original_value__gte=0),
                name="resource_original_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(offers_self_use=True)
                | Q(offers_assisted=True)
                | Q(offers_samples=True),
                name="resource_offers_a_service_mode",
            ),
            models.CheckConstraint(
                condition=Q(sample_turnaround_days__gte=1),
                name="resource_sample_turnaround_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def location(self) -> str:
        """Building, room and address as one line (calendar feeds, lists, search results)."""
        return " ".join(part for part in (self.building, self.room, self.address) if part)

    @property
    def slot(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.slot_minutes)

    @property
    def buffer(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_minutes)

    @property
    def service_modes(self) -> list[str]:
        """The modes offered, in ServiceMode order (API, pages, the scheduler's mode check)."""
        offered = {
            ServiceMode.SELF_USE: self.offers_self_use,
            ServiceMode.ASSISTED: self.offers_assisted,
            ServiceMode.SAMPLE: self.offers_samples,
        }
        return [mode.value for mode, on in offered.items() if on]

    @property
    def expected_yearly_hours(self) -> int:
        """定额机时: the resource's own figure, else 1,400 (general) or 800 (specialised)."""
        return expected_yearly_hours(
            specialised=self.specialised, override=self.yearly_hours_override
        )


class OpeningHours(models.Model):
    """One weekly opening window of a resource, in local wall-clock time.

    A day may have several windows. An end of 00:00 means "until midnight", so that a
    resource open around the clock is written 00:00–00:00 on every day.
    """

    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="opening_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("opens at"))
    end_time = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["resource", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="oh_weekday"),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")) | Q(end_time=MIDNIGHT),
                name="opening_hours_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["resource", "weekday", "start_time"], name="opening_hours_unique_start"
            ),
        ]

    def __str__(self) -> str:
        end = "24:00" if self.end_time == MIDNIGHT else self.end_time.strftime("%H:%M")
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{end}"


class Closure(models.Model):
    """A window in which a resource, or with no resource the whole alliance, is closed.

    Maintenance and outages belong to one resource; public holidays are alliance-wide.
    """

    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="closures",
        null=True,
        blank=True,
        help_text=_("Leave empty for an alliance-wide closure such as a public holiday."),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="closure_end_after_start"),
        ]
        indexes = [models.Index(fields=["resource", "start", "end"], name="closure_lookup")]

    def __str__(self) -> str:
        return self.reason


class MakeUpWorkingDay(models.Model):
    """A make-up working day (调休): on this date resources open as on the named weekday."""

    date = models.DateField(_("date"), unique=True)
    opens_as = models.PositiveSmallIntegerField(
        _("opens as"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("make-up working day")
        verbose_name_plural = _("make-up working days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_as__gte=0, opens_as__lte=6), name="mwd_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} ({self.get_opens_as_display()})"


def photo_upload_to(photo: ResourcePhoto, filename: str) -> str:
    """``resources/<resource id>/<filename>``; resources.photos names the files (random)."""
    return f"resources/{photo.resource_id}/{filename}"


class ResourcePhoto(models.Model):
    """A photo of a resource with its renditions, made once on upload (resources.photos).

    The original is stored re-encoded (upright, without EXIF: no camera, place or time leaks);
    ``medium`` fits a phone's screen and ``thumbnail`` a list row. Files live in the default
    storage (settings.STORAGES), so the bytes may sit on disk or in an object store.
    """

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("image"), upload_to=photo_upload_to)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    medium = models.ImageField(_("medium rendition"), upload_to=photo_upload_to, editable=False)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_upload_to, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Photos are shown by position, lowest first.")
    )
    uploaded_by = models.ForeignKey(
        "alliance.Member",
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.resource_id}/{self.pk}"


# Qualifications live in their own module; imported here so that Django registers them.
from resources.qualification_models import (  # noqa: E402, F401
    OPEN_STATUSES,
    Qualification,
    QualificationEvent,
    QualificationStatus,
)
