"""Fault reports (报修, issue 10): a member tells the owning unit that an instrument is
broken, optionally stopping it, and the unit's managers follow it up to its end.

Every write goes through bookings.faults; the history (:class:`FaultEvent`) is append-only:
one row per step, with who, when and the note.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member
from resources.models import Closure, Resource


class FaultUrgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class FaultStatus(models.TextChoices):
    OPEN = "open", _("Reported")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_REPAIR = "in_repair", _("In repair")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


#: Statuses of a fault still being dealt with; a stopping one keeps its resource closed.
FAULT_UNRESOLVED = (FaultStatus.OPEN, FaultStatus.ACKNOWLEDGED, FaultStatus.IN_REPAIR)


def fault_photo_upload_to(report: "FaultReport", filename: str) -> str:
    """``faults/<resource id>/<filename>``; bookings.faults names the files (random)."""
    return f"faults/{report.resource_id}/{filename}"


class FaultReport(models.Model):
    Status = FaultStatus
    Urgency = FaultUrgency

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="faults"
    )
    reporter = models.ForeignKey(
        Member, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="faults"
    )
    description = models.TextField(_("what happened"), max_length=2000)
    photo = models.ImageField(
        _("photo"), upload_to=fault_photo_upload_to, blank=True, editable=False
    )
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=FaultUrgency.choices, default=FaultUrgency.NORMAL
    )
    stop_instrument = models.BooleanField(_("stop the instrument"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=FaultStatus.choices, default=FaultStatus.OPEN
    )
    expected_return = models.DateField(_("expected back in service"), null=True, blank=True)
    closure = models.ForeignKey(
        Closure,
        verbose_name=_("closure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The closure that took the resource out of service for this report."),
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fault report")
        verbose_name_plural = _("fault reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FaultStatus.values), name="fault_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=FaultUrgency.values), name="fault_urgency_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "status"], name="fault_resource_status"),
            models.Index(fields=["reporter", "-created_at"], name="fault_reporter_created"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} #{self.pk}"

    @property
    def is_unresolved(self) -> bool:
        return self.status in FAULT_UNRESOLVED


class FaultEvent(models.Model):
    """One step of a fault report: reported, acknowledged, updated, resolved, dismissed."""

    class Action(models.TextChoices):
        REPORTED = "reported", _("Reported")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        UPDATED = "updated", _("Updated")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    report = models.ForeignKey(
        FaultReport,
        verbose_name=_("fault report"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        Member,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16)
    expected_return = models.DateField(_("expected back in service"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("fault report step")
        verbose_name_plural = _("fault report history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"
