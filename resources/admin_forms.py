"""Back-office form fields that speak a secretary's units, not the database's.

The rules are stored in minutes (``min_notice_minutes = 4320``) and a day that runs until
midnight ends at 00:00; people think in days and hours and write a whole day as
00:00–24:00. These fields convert at the form's edge, so the model, the services and the
API keep one representation.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.admin.widgets import AdminTimeWidget
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from resources.models import MIDNIGHT, OpeningHours, Resource

MINUTES_PER = {"days": 24 * 60, "hours": 60, "minutes": 1}
UNIT_LABELS = {"days": _("days"), "hours": _("hours"), "minutes": _("minutes")}
END_OF_DAY = "24:00"


class MinutesWidget(forms.MultiWidget):
    """One number box per unit (days, hours, minutes), each followed by its unit's name."""

    template_name = "resources/widgets/minutes.html"

    class Media:
        css = {"all": ("resources/minutes.css",)}

    def __init__(self, units: tuple[str, ...], attrs: dict | None = None) -> None:
        self.units = units
        boxes = [
            forms.NumberInput(attrs={"min": 0, "step": 1, "class": "vSmallIntegerField"})
            for _unit in units
        ]
        super().__init__(boxes, attrs)

    def decompress(self, value: int | None) -> list[int | None]:
        if value in (None, ""):
            return [None] * len(self.units)
        rest = int(value)
        parts = []
        for unit in self.units:
            parts.append(rest // MINUTES_PER[unit])
            rest %= MINUTES_PER[unit]
        return parts

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, unit in zip(context["widget"]["subwidgets"], self.units, strict=True):
            subwidget["unit_label"] = UNIT_LABELS[unit]
            subwidget["attrs"]["aria-label"] = UNIT_LABELS[unit]
        return context


class MinutesField(forms.MultiValueField):
    """A length of time entered as days, hours and minutes; cleaned to whole minutes.

    ``units`` names the boxes shown, largest first; the last one takes what is left, so
    no length the database can hold is lost by the form."""

    def __init__(self, *, units: tuple[str, ...] = ("hours", "minutes"), **kwargs) -> None:
        self.units = units
        fields = [
            forms.IntegerField(min_value=0, max_value=100_000, required=False) for _unit in units
        ]
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, widget=MinutesWidget(units), **kwargs)

    def compress(self, data_list: list[int | None]) -> int | None:
        if not data_list or all(part in (None, "") for part in data_list):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        return sum(
            (part or 0) * MINUTES_PER[unit]
            for part, unit in zip(data_list, self.units, strict=True)
        )


def _rule_field(name: str, label, units: tuple[str, ...] = ("hours", "minutes")) -> MinutesField:
    """A rule of the resource in people's units, with the model's default and help text."""
    model_field = Resource._meta.get_field(name)
    return MinutesField(
        label=label, units=units, initial=model_field.default, help_text=model_field.help_text
    )


class ResourceAdminForm(forms.ModelForm):
    """The resource's rules in days, hours and minutes."""

    slot_minutes = _rule_field("slot_minutes", _("slot granularity"))
    min_duration_minutes = _rule_field("min_duration_minutes", _("minimum duration"))
    max_duration_minutes = _rule_field("max_duration_minutes", _("maximum duration"))
    min_notice_minutes = _rule_field(
        "min_notice_minutes", _("minimum notice"), units=("days", "hours", "minutes")
    )
    buffer_minutes = _rule_field("buffer_minutes", _("buffer"))

    class Meta:
        model = Resource
        # The admin's fieldsets name every field it shows; these are the ones changed here.
        fields = (
            "slot_minutes",
            "min_duration_minutes",
            "max_duration_minutes",
            "min_notice_minutes",
            "buffer_minutes",
        )


class EndOfDayTimeField(forms.TimeField):
    """A closing time in which 24:00 means "until midnight" (stored as 00:00)."""

    widget = AdminTimeWidget(format="%H:%M")

    def to_python(self, value):
        if isinstance(value, str) and value.strip() in {END_OF_DAY, "24:00:00", "24"}:
            return MIDNIGHT
        return super().to_python(value)

    def prepare_value(self, value):
        if value == MIDNIGHT:
            return END_OF_DAY
        return super().prepare_value(value)


class OpeningHoursForm(forms.ModelForm):
    """A weekly window written as people write it: 08:00–12:00, or a whole day 00:00–24:00."""

    start_time = forms.TimeField(label=_("opens at"), widget=AdminTimeWidget(format="%H:%M"))
    end_time = EndOfDayTimeField(
        label=_("closes at"), help_text=_("24:00 means until midnight; 00:00–24:00 is all day.")
    )

    class Meta:
        model = OpeningHours
        fields = ("weekday", "start_time", "end_time")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        both = isinstance(start, dt.time) and isinstance(end, dt.time)
        if both and end != MIDNIGHT and end <= start:
            self.add_error("end_time", _("A window must close after it opens."))
        return cleaned
