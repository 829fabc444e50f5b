"""The duplicate-purchase check (查重评议, issue 11): before a member unit buys a large
instrument it enters what it plans to buy, and the alliance's instruments of the same class
are listed with their owners, last year's effective hours and how to book them.

The report is computed once, when the check is entered (bookings.purchase_checks), and kept
as a snapshot in ``report``: what the unit was shown stays what it was shown, however the
instruments' use changes later. The unit records the outcome afterwards (bought anyway, not
bought because it shares instead, or still undecided), so that the secretariat can count the
purchases that sharing made unnecessary.

Imported by bookings.models so that Django sees the model.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Member, Unit
from resources.assets import classification_code_validate


class PurchaseOutcome(models.TextChoices):
    UNDECIDED = "undecided", _("Undecided")
    BOUGHT = "bought", _("Bought anyway")
    SHARED = "shared", _("Not bought: shared instead")


class PurchaseCheck(models.Model):
    Outcome = PurchaseOutcome

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit planning the purchase"),
        on_delete=models.PROTECT,
        related_name="purchase_checks",
    )
    entered_by = models.ForeignKey(
        Member, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    instrument_name = models.CharField(_("instrument"), max_length=100)
    classification_code = models.CharField(
        _("classification code"), max_length=6, validators=[classification_code_validate]
    )
    specifications = models.TextField(_("key specifications"), max_length=2000, blank=True)
    price = models.DecimalField(_("price (yuan)"), max_digits=14, decimal_places=2)
    report = models.JSONField(
        _("report"), help_text=_("The matched instruments as they were when the check was made.")
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        choices=PurchaseOutcome.choices,
        default=PurchaseOutcome.UNDECIDED,
    )
    outcome_reason = models.CharField(_("reason for the outcome"), max_length=500, blank=True)
    outcome_by = models.ForeignKey(
        Member,
        verbose_name=_("outcome recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("duplicate-purchase check")
        verbose_name_plural = _("duplicate-purchase checks")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="purchase_price_not_negative"),
            models.CheckConstraint(
                condition=Q(outcome__in=PurchaseOutcome.values), name="purchase_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome=PurchaseOutcome.UNDECIDED) | ~Q(outcome_reason=""),
                name="purchase_decided_outcome_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "-created_at"], name="purchase_unit_created"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_name} ({self.unit})"
