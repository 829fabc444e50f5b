"""Recorded use (使用记录) and instrument power control (interlock): the data.

A :class:`UsageSession` says who used an instrument, who operated it, when it started and
stopped, and which booking it served (none for walk-up use). At most one session of a
resource runs at a time: a partial unique index on the resource where ``stopped_at`` is
null guarantees it on SQLite and PostgreSQL alike (tests/bookings/test_usage_concurrency.py).

An :class:`InterlockConfig` says how a resource's power is switched (no row: no power
control); each call to the relay leaves an :class:`InterlockAttempt` (docs/interlock.md).
Imported by bookings.models so that Django sees these models.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member
from resources.models import Resource

USAGE_ONE_RUNNING = "usage_one_running_session_per_resource"


class UsageSource(models.TextChoices):
    QR_SCAN = "qr_scan", _("QR code scan")
    CHECK_IN = "check_in", _("Booking check-in")
    MANUAL = "manual", _("Entered by hand")
    INTERLOCK = "interlock", _("Power control")


class PowerState(models.TextChoices):
    """What the session's last power call left: ``none`` where the resource has no relay."""

    NONE = "none", _("No power control")
    PENDING = "pending", _("Switching")
    ON = "on", _("Powered on")
    ON_FAILED = "on_failed", _("Power-on failed")
    OFF = "off", _("Powered off")
    OFF_FAILED = "off_failed", _("Power-off failed")


class UsageSession(models.Model):
    Source = UsageSource
    Power = PowerState

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="sessions"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("user"), on_delete=models.PROTECT, related_name="usage_sessions"
    )
    operator = models.ForeignKey(
        Member,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_sessions",
    )
    booking = models.ForeignKey(
        "bookings.Booking",
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        help_text=_("Empty for walk-up use of a free instrument."),
    )
    sample_order = models.ForeignKey(
        "bookings.SampleOrder",
        verbose_name=_("sample order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        help_text=_("The sample order this session tested samples for."),
    )
    started_at = models.DateTimeField(_("started at"))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    entered_by = models.ForeignKey(
        Member,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who entered the session by hand."),
    )
    manual_reason = models.CharField(_("reason for entering by hand"), max_length=500, blank=True)
    samples = models.PositiveIntegerField(_("number of samples"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    fee = models.DecimalField(
        _("service income (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("What the user's unit paid for this use, if charged (assessment, issue 11)."),
    )
    flagged = models.BooleanField(_("flagged"), default=False)
    flag_reason = models.CharField(_("flag reason"), max_length=200, blank=True)
    corrected_by = models.ForeignKey(
        Member,
        verbose_name=_("corrected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    power = models.CharField(
        _("power"), max_length=16, choices=Power.choices, default=PowerState.NONE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("usage session")
        verbose_name_plural = _("usage sessions")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource"], condition=Q(stopped_at__isnull=True), name=USAGE_ONE_RUNNING
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | Q(stopped_at__gt=F("started_at")),
                name="usage_stopped_after_started",
            ),
            models.CheckConstraint(
                condition=Q(source__in=UsageSource.values), name="usage_source_valid"
            ),
            models.CheckConstraint(
                condition=~Q(source=UsageSource.MANUAL)
                | (Q(entered_by__isnull=False) & ~Q(manual_reason="")),
                name="usage_manual_has_author_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(booking__isnull=True) | Q(sample_order__isnull=True),
                name="usage_serves_booking_or_order",
            ),
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0), name="usage_fee_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "-started_at"], name="usage_resource_started"),
            models.Index(fields=["member", "-started_at"], name="usage_member_started"),
            # The figures' refresher: the sessions that stopped after a day began.
            models.Index(fields=["resource", "stopped_at"], name="usage_resource_stopped"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None


class InterlockDriver(models.TextChoices):
    NOOP = "noop", _("None (no power control)")
    HTTP_RELAY = "http_relay", _("HTTP relay (switched socket)")


class InterlockConfig(models.Model):
    """How one resource's power is switched. The relay's secret is encrypted at rest
    (alliance.crypto) because it must be sent back; it is never logged or shown."""

    Driver = InterlockDriver

    resource = models.OneToOneField(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="interlock"
    )
    driver = models.CharField(
        _("driver"), max_length=16, choices=Driver.choices, default=InterlockDriver.NOOP
    )
    relay_url = models.URLField(_("relay URL"), blank=True)
    channel = models.PositiveSmallIntegerField(_("relay channel"), default=1)
    secret_encrypted = models.TextField(_("relay secret (encrypted)"), blank=True, editable=False)

    class Meta:
        verbose_name = _("power control")
        verbose_name_plural = _("power controls")
        constraints = [
            models.CheckConstraint(
                condition=~Q(driver=InterlockDriver.HTTP_RELAY) | ~Q(relay_url=""),
                name="interlock_relay_has_url",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource}: {self.get_driver_display()}"


class InterlockAction(models.TextChoices):
    UNLOCK = "unlock", _("Power on")
    LOCK = "lock", _("Power off")
    STATUS = "status", _("Status")


class InterlockAttempt(models.Model):
    """One call to a resource's relay: what was asked, whether it worked, how long it took."""

    Action = InterlockAction

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        UsageSession,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interlock_attempts",
    )
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    ok = models.BooleanField(_("succeeded"))
    error_code = models.CharField(_("error"), max_length=32, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("power control attempt")
        verbose_name_plural = _("power control attempts")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {'ok' if self.ok else self.error_code}"
