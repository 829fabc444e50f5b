"""Qualifications (上机资格): a member's right to use one resource on their own.

A resource that ``requires_qualification`` is booked for self-use only by members holding a
granted, unlapsed qualification for it (bookings.rules refuses others with
``not_qualified``). The chain: the member asks for training (requested), the owning unit's
managers schedule it (training_scheduled) and grant or refuse it; a grant is revoked by a
manager or lapses (the jobs) at ``lapses_at``.

``lapses_at`` is the earlier of the fixed validity's end (``expires_at``) and the last use
(or the grant) plus the resource's idle days, stored so that the scheduler's gate is one
indexed condition joined into its read. It is recomputed at the grant and at every use
(resources.qualifications.qualification_mark_used); a later change of the resource's
settings applies from the next grant or use.

Defined here and imported by resources.models, so that the resource model file stays
about resources.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member
from resources.models import Resource


class QualificationStatus(models.TextChoices):
    REQUESTED = "requested", _("Training requested")
    SCHEDULED = "training_scheduled", _("Training scheduled")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")
    LAPSED = "lapsed", _("Lapsed")
    CANCELLED = "cancelled", _("Cancelled")


#: At most one qualification per member and resource is in one of these at a time.
OPEN_STATUSES = (
    QualificationStatus.REQUESTED,
    QualificationStatus.SCHEDULED,
    QualificationStatus.GRANTED,
)
#: The statuses a manager still decides (schedule, grant, refuse).
UNDECIDED_STATUSES = (QualificationStatus.REQUESTED, QualificationStatus.SCHEDULED)


class Qualification(models.Model):
    Status = QualificationStatus

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="qualifications"
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    note = models.CharField(_("note from the member"), max_length=500, blank=True)
    training_at = models.DateTimeField(_("training at"), null=True, blank=True)
    training_place = models.CharField(_("training place"), max_length=200, blank=True)
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The end of the fixed validity; empty when the resource sets none."),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    lapses_at = models.DateTimeField(
        _("lapses at"),
        null=True,
        blank=True,
        help_text=_("The earlier of the validity's end and the idle limit; empty: never."),
    )
    reminded_at = models.DateTimeField(_("lapse reminder sent at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "resource"],
                condition=Q(status__in=OPEN_STATUSES),
                name="qualification_one_open_per_member_resource",
            ),
            models.CheckConstraint(
                condition=Q(status__in=QualificationStatus.values),
                name="qualification_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=QualificationStatus.GRANTED) | Q(granted_at__isnull=False),
                name="qualification_granted_has_granted_at",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "status"], name="qualification_resource_status"),
            models.Index(
                fields=["lapses_at"],
                condition=Q(status=QualificationStatus.GRANTED),
                name="qualification_granted_lapse",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.resource} ({self.get_status_display()})"


class QualificationEvent(models.Model):
    """One entry of a qualification's append-only history: who did what, when and why."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Training requested")
        SCHEDULED = "scheduled", _("Training scheduled")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        REVOKED = "revoked", _("Revoked")
        LAPSED = "lapsed", _("Lapsed")
        CANCELLED = "cancelled", _("Cancelled")
        REMINDED = "reminded", _("Lapse reminder sent")

    qualification = models.ForeignKey(
        Qualification,
        verbose_name=_("qualification"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=QualificationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=20, choices=QualificationStatus.choices)
    actor = models.ForeignKey(
        Member,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted on its own (lapse, reminder)."),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("qualification history entry")
        verbose_name_plural = _("qualification history")
        ordering = ["qualification", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
