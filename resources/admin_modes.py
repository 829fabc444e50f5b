"""The back office's part of the service modes (issue 10): a fieldset of ResourceAdmin and
the operators it may pick. Every write still goes through resources.services (the operator
list as ``operator_ids``: active members of the owning unit, ``operators_invalid`` else)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alliance.access import members_visible_to
from alliance.models import Member

SERVICE_MODES_FIELDSET = (
    _("Service modes"),
    {
        "fields": (
            "offers_self_use",
            "offers_assisted",
            "assisted_min_notice_minutes",
            "operators",
            "offers_samples",
            "sample_turnaround_days",
            "sample_instructions",
        ),
        "description": _(
            "Self-use (自主上机), assisted use (委托上机: the operators run the instrument), "
            "sample submission (送样检测). Operators are active members of the owning unit."
        ),
    },
)


def operator_choices(scope) -> QuerySet[Member]:
    """Who may be picked as an operator: active members of the units the staff member sees
    (the service checks the resource's own unit)."""
    return (
        Member.objects.filter(members_visible_to(scope), is_active=True)
        .select_related("unit")
        .order_by("unit__name", "name")
    )


def operator_changes(form, *, change: bool) -> dict:
    """``operator_ids`` for resource_create or resource_update, when the list was edited."""
    if change and "operators" not in form.changed_data:
        return {}
    return {"operator_ids": [member.pk for member in form.cleaned_data.get("operators", ())]}
