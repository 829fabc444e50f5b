"""Sample submission (送样检测, issue 10): a member sends samples to a resource's owning
unit, which tests them and returns a report. No time slot: an order with its own lifecycle.

    submitted → accepted (expected completion date) → received → testing → reported → confirmed
              ↘ refused (reason)
    submitted / accepted → cancelled (by the requester, until the samples are received)

Every write goes through bookings.samples; the history (:class:`SampleOrderEvent`) is
append-only, one row per step with who, when, from and to which status, and why. The
database holds each step's invariants (a step's timestamp is set in every status at or
after it; a refusal has its reason), so no code path can leave an order half-stepped.

Report files (:class:`SampleReportFile`) live in their own storage (SAMPLE_REPORT_ROOT),
never under MEDIA_ROOT, which the web server serves to anyone: they are read only through
the access-checked download views.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from alliance.models import Member, Unit
from resources.models import Resource


class SampleStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    RECEIVED = "received", _("Samples received")
    TESTING = "testing", _("Testing")
    REPORTED = "reported", _("Report ready")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class SampleHazard(models.TextChoices):
    NONE = "none", _("None")
    CHEMICAL = "chemical", _("Chemical (toxic, corrosive, flammable)")
    BIOLOGICAL = "biological", _("Biological")
    RADIOACTIVE = "radioactive", _("Radioactive")
    OTHER = "other", _("Other")


#: The statuses at or after each step: its timestamp is set in every one of them.
AT_OR_AFTER_ACCEPTED = (
    SampleStatus.ACCEPTED,
    SampleStatus.RECEIVED,
    SampleStatus.TESTING,
    SampleStatus.REPORTED,
    SampleStatus.CONFIRMED,
)
AT_OR_AFTER_RECEIVED = AT_OR_AFTER_ACCEPTED[1:]
AT_OR_AFTER_TESTING = AT_OR_AFTER_ACCEPTED[2:]
AT_OR_AFTER_REPORTED = AT_OR_AFTER_ACCEPTED[3:]
#: Orders still in progress (the staff queue shows them first).
SAMPLE_OPEN = (
    SampleStatus.SUBMITTED,
    SampleStatus.ACCEPTED,
    SampleStatus.RECEIVED,
    SampleStatus.TESTING,
    SampleStatus.REPORTED,
)
#: The requester may cancel until the samples are received.
SAMPLE_CANCELLABLE = (SampleStatus.SUBMITTED, SampleStatus.ACCEPTED)


@deconstructible
class SampleReportStorage(FileSystemStorage):
    """The report files' folder, SAMPLE_REPORT_ROOT (read when first used, so that tests can
    point it elsewhere); no URL: files are served only by the access-checked views."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.SAMPLE_REPORT_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):  # never served directly
        raise ValueError("Sample report files have no public URL.")


def sample_report_storage() -> SampleReportStorage:
    return SampleReportStorage()


def sample_report_upload_to(report_file: SampleReportFile, filename: str) -> str:
    """``<order id>/<filename>``; bookings.samples names the files (random)."""
    return f"{report_file.order_id}/{filename}"


class SampleOrder(models.Model):
    Status = SampleStatus
    Hazard = SampleHazard

    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="sample_orders",
    )
    requester = models.ForeignKey(
        Member,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="sample_orders",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("requesting unit"),
        on_delete=models.PROTECT,
        related_name="sample_orders",
        help_text=_("The requester's unit when the order was submitted."),
    )
    sample_count = models.PositiveIntegerField(_("number of samples"))
    description = models.TextField(_("samples and tests wanted"), max_length=2000)
    hazard = models.CharField(_("hazards declared"), max_length=16, choices=SampleHazard.choices)
    hazard_details = models.CharField(_("hazard details"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SampleStatus.choices, default=SampleStatus.SUBMITTED
    )
    expected_completion = models.DateField(_("expected completion"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=1000, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=1000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    received_at = models.DateTimeField(_("samples received at"), null=True, blank=True)
    testing_at = models.DateTimeField(_("testing started at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("report uploaded at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("sample order")
        verbose_name_plural = _("sample orders")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SampleStatus.values), name="sample_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(hazard__in=SampleHazard.values), name="sample_hazard_valid"
            ),
            models.CheckConstraint(
                condition=Q(hazard=SampleHazard.NONE) | ~Q(hazard_details=""),
                name="sample_hazard_described",
            ),
            models.CheckConstraint(condition=Q(sample_count__gte=1), name="sample_count_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=AT_OR_AFTER_ACCEPTED)
                | Q(accepted_at__isnull=False, expected_completion__isnull=False),
                name="sample_accepted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=SampleStatus.REFUSED)
                | (Q(refused_at__isnull=False) & ~Q(refusal_reason="")),
                name="sample_refused_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=AT_OR_AFTER_RECEIVED) | Q(received_at__isnull=False),
                name="sample_received_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=AT_OR_AFTER_TESTING) | Q(testing_at__isnull=False),
                name="sample_testing_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=AT_OR_AFTER_REPORTED) | Q(reported_at__isnull=False),
                name="sample_reported_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=SampleStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="sample_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=SampleStatus.CANCELLED)
                | Q(cancelled_at__isnull=False, received_at__isnull=True),
                name="sample_cancelled_before_received",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "status"], name="sample_resource_status"),
            models.Index(fields=["requester", "-submitted_at"], name="sample_requester_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in SAMPLE_OPEN

    @property
    def is_cancellable(self) -> bool:
        return self.status in SAMPLE_CANCELLABLE


class SampleOrderEvent(models.Model):
    """One step of an order: who, when, from and to which status, and why."""

    order = models.ForeignKey(
        SampleOrder,
        verbose_name=_("sample order"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        Member,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, choices=SampleStatus.choices)
    note = models.TextField(_("why"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("sample order step")
        verbose_name_plural = _("sample order history")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=SampleStatus.values), name="sample_event_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_status}→{self.to_status}"


#: What a report may be: content type → the file extension it is stored under.
REPORT_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/msword": "doc",
}


class SampleReportFile(models.Model):
    """One file of an order's report, checked by bookings.samples (type by content, size)."""

    order = models.ForeignKey(
        SampleOrder,
        verbose_name=_("sample order"),
        on_delete=models.CASCADE,
        related_name="report_files",
    )
    file = models.FileField(
        _("file"),
        upload_to=sample_report_upload_to,
        storage=sample_report_storage,
        max_length=200,
        editable=False,
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        Member,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=list(REPORT_CONTENT_TYPES)),
                name="sample_report_type_allowed",
            ),
            models.CheckConstraint(condition=Q(size__gte=1), name="sample_report_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name
