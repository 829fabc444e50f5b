"""The credit score (信用积分, issue 12): each member's standing, and its history.

A member without an account has the full score and no suspension: the account is created at
the first event. ``suspended_until`` is what the scheduler reads (bookings.credit); the score
recovers lazily (bookings.credit.credit_score_now) from ``recovered_at``.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member


class CreditAccount(models.Model):
    member = models.OneToOneField(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="credit_account"
    )
    score = models.IntegerField(_("score"))
    recovered_at = models.DateTimeField(
        _("recovery counted from"),
        help_text=_("Points recover for each full period without an event after this moment."),
    )
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")

    def __str__(self) -> str:
        return f"{self.member}: {self.score}"


class CreditEventKind(models.TextChoices):
    NO_SHOW = "no_show", _("No-show")
    LATE_CANCEL = "late_cancel", _("Late cancellation")
    MISUSE = "misuse", _("Misuse reported by a manager")
    RESTORED = "restored", _("Points restored by the secretariat")
    RECOVERED = "recovered", _("Points recovered over time")
    SUSPENDED = "suspended", _("Booking suspended")


class CreditEvent(models.Model):
    """One entry of a member's append-only credit history."""

    Kind = CreditEventKind

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="credit_events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=CreditEventKind.choices)
    points = models.IntegerField(_("points"), help_text=_("Negative for a cost."))
    score_after = models.IntegerField(_("score after"))
    booking = models.ForeignKey(
        "bookings.Booking",
        verbose_name=_("booking"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        Member,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("credit event")
        verbose_name_plural = _("credit history")
        ordering = ["member", "-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CreditEventKind.values), name="credit_event_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["member", "kind", "at"], name="credit_member_kind_at")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.points:+d}"
