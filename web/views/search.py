"""Find a free resource by time: the home page.

One form asks what (words, kind, unit, people), when (a quick window such as "tomorrow
afternoon", or a day with from/to) and for how long. The scheduler's own search
(bookings.search.resource_search) answers which resources have a bookable slot of that
length in the window, their first slots, and why the others have none; this view parses the
form, narrows the candidates, and formats the answer. Without a search it shows the
catalogue by kind. A visitor searches too, judged as a member of no unit.

Rows are formatted here, once: a row's line of facts is one string and its slot buttons one
escaped fragment, so that the template of 78 results renders a handful of
variables per row instead of a dozen per slot (bench/search.py measures the page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.errors import ValidationFailed
from alliance.models import Unit
from bookings.search import resource_search
from resources.models import Resource, ResourceKind
from resources.rules_display import duration_text
from resources.selectors import alliance_zone, local_midnight, resource_list
from web.auth import web_member

#: Quick windows: (value, label, first day from today, from, to); "week" is special.
QUICK_WINDOWS = (
    ("today_pm", pgettext_lazy("search window", "This afternoon"), 0, dt.time(13), dt.time(18)),
    ("tomorrow_am", pgettext_lazy("search window", "Tomorrow morning"), 1, dt.time(8), dt.time(12)),
    (
        "tomorrow_pm",
        pgettext_lazy("search window", "Tomorrow afternoon"),
        1,
        dt.time(13),
        dt.time(18),
    ),
    ("week", pgettext_lazy("search window", "This week"), 0, None, None),
)
CUSTOM = "custom"
#: Lengths offered, in minutes, with their plain names.
DURATIONS = (
    (30, pgettext_lazy("search length", "30 minutes")),
    (60, pgettext_lazy("search length", "1 hour")),
    (120, pgettext_lazy("search length", "2 hours")),
    (240, pgettext_lazy("search length", "Half a day (4 hours)")),
    (480, pgettext_lazy("search length", "A day (8 hours)")),
)
DEFAULT_MINUTES = 60
#: How far ahead a custom day may be (no resource books further ahead).
MAX_DAYS_AHEAD = 366
MAX_WORDS_LENGTH = 100
MAX_PEOPLE = 10_000
WIRE = "%Y-%m-%dT%H:%M"
KIND_ORDER = {kind: i for i, kind in enumerate(ResourceKind.values)}


@dataclass
class Query:
    """The form as read: what was asked (strings, for the form) and its parsed window."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    minutes: int = DEFAULT_MINUTES
    people: int | None = None
    asked: bool = False


@dataclass(frozen=True)
class Row:
    """One resource as the page lists it: ``meta`` is "kind · unit · building room"."""

    resource: Resource
    url: str
    meta: str
    slots: SafeString | str = ""
    reason: str = ""
    code: str = ""


#: A slot button (format with escaped values): for a member it opens the booking sheet in
#: place (the resource's page without htmx); for a visitor it asks to sign in first.
MEMBER_SLOT = (
    '<a class="weui-btn weui-btn_mini weui-btn_primary" href="{url}" hx-get="{book}" '
    'hx-target="#booking-panel" hx-push-url="false" data-testid="slot" data-start="{start}">'
    "{label}</a>"
)
VISITOR_SLOT = (
    '<a class="weui-btn weui-btn_mini weui-btn_default" href="{url}" data-testid="slot-sign-in" '
    'data-start="{start}">{label}</a>'
)


def _time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return None


def _whole(value: str, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _window(query: Query, now: dt.datetime) -> None:
    """Set query.start/end from the quick choice or the custom day and hours."""
    values, zone = query.values, alliance_zone()
    today = now.astimezone(zone).date()
    when = values["when"]
    for value, _label, offset, begin, finish in QUICK_WINDOWS:
        if when != value:
            continue
        if value == "week":  # from now to the end of Sunday (of next week on a Sunday)
            days = 7 - today.weekday() if today.weekday() < 6 else 7
            query.start, query.end = now, local_midnight(today + dt.timedelta(days=days))
            return
        day = today + dt.timedelta(days=offset)
        query.start = max(now, dt.datetime.combine(day, begin, tzinfo=zone))
        query.end = dt.datetime.combine(day, finish, tzinfo=zone)
        if query.end <= query.start:
            query.errors["when"] = _("This afternoon is over; pick another time.")
        return
    if when != CUSTOM:
        query.errors["when"] = _("Pick a time.")
        return
    try:
        day = dt.date.fromisoformat(values["date"])
    except ValueError:
        query.errors["date"] = _("Pick a day.")
        return
    if not -1 <= (day - today).days <= MAX_DAYS_AHEAD:
        query.errors["date"] = _("Pick a day within a year from today.")
        return
    begin, finish = _time(values["from"] or "00:00"), _time(values["to"] or "00:00")
    if begin is None or finish is None:
        query.errors["from"] = _("Times are like 09:30.")
        return
    query.start = dt.datetime.combine(day, begin, tzinfo=zone)
    end_day = day if finish != dt.time(0) else day + dt.timedelta(days=1)
    query.end = dt.datetime.combine(end_day, finish, tzinfo=zone)
    if query.end <= query.start:
        query.errors["to"] = _("The end must be after the start.")


def _read(request: HttpRequest, now: dt.datetime) -> Query:
    data = request.GET
    keys = ("q", "kind", "unit", "people", "when", "date", "from", "to", "minutes")
    values = {key: data.get(key, "").strip()[:MAX_WORDS_LENGTH] for key in keys}
    if not values["when"] and (values["date"] or values["from"]):
        values["when"] = CUSTOM
    query = Query(values=values, asked=bool(values["when"]))
    if values["kind"] and values["kind"] not in KIND_ORDER:
        query.errors["kind"] = _("Pick a kind from the list.")
    if values["unit"] and _whole(values["unit"], 1, 2**31 - 1) is None:
        query.errors["unit"] = _("Pick a unit from the list.")
    if values["people"]:
        query.people = _whole(values["people"], 1, MAX_PEOPLE)
        if query.people is None:
            query.errors["people"] = _("A number of people, from 1.")
    if values["minutes"]:
        minutes = _whole(values["minutes"], 1, 7 * 24 * 60)
        if minutes is None:
            query.errors["minutes"] = _("Pick a length from the list.")
        else:
            query.minutes = minutes
    values["minutes"] = str(query.minutes)
    if query.asked:
        _window(query, now)
    return query


def _candidates(query: Query) -> QuerySet[Resource]:
    """The resources the "what" part of the form narrows to (retired ones never)."""
    values = query.values
    resources = resource_list().filter(is_retired=False)
    if values["kind"]:
        resources = resources.filter(kind=values["kind"])
    if values["unit"] and "unit" not in query.errors:
        resources = resources.filter(unit_id=int(values["unit"]))
    if query.people:
        resources = resources.filter(capacity__gte=query.people)
    for word in values["q"].split():
        resources = resources.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(building__icontains=word)
            | Q(room__icontains=word)
            | Q(address__icontains=word)
        )
    return resources


def _row(resource: Resource, kind: str | None, slots: SafeString | str = "", **kw) -> Row:
    where = " ".join(part for part in (resource.building, resource.room) if part)
    meta = " · ".join(part for part in (kind, str(resource.unit), where) if part)
    return Row(resource=resource, url=f"/r/{resource.pk}/", meta=meta, slots=slots, **kw)


def _results(
    query: Query, resources: QuerySet[Resource], member, now, sign_in_url: str
) -> tuple[list, list]:
    results = resource_search(
        resources=resources,
        member=member,
        start=query.start,
        end=query.end,
        duration=dt.timedelta(minutes=query.minutes),
        attendees=query.people or 1,
        now=now,
    )
    zone, today = alliance_zone(), now.astimezone(alliance_zone()).date()
    kinds = {kind: str(label) for kind, label in ResourceKind.choices}
    day_names = {}
    fitting, unfit = [], []
    template = MEMBER_SLOT if member else VISITOR_SLOT
    sign_in = escape(sign_in_url)
    for result in results.values():
        resource = result.resource
        if not result.fits:
            message = ValidationFailed(result.reason, params=result.params).message
            unfit.append(_row(resource, None, reason=message, code=result.reason))
            continue
        url, slots = f"/r/{resource.pk}/", []
        for start, end in result.first_slots:
            start, end = start.astimezone(zone), end.astimezone(zone)
            day = start.date()
            if day not in day_names:
                day_names[day] = escape(_day_name(day, today))
            wire = start.strftime(WIRE)  # digits, "-", ":" and "T": nothing to escape
            slots.append(
                template.format(
                    url=url if member else sign_in,
                    book=f"{url}book/?start={wire}&amp;minutes={query.minutes}",
                    start=wire,
                    label=f"{day_names[day]} {start:%H:%M}–{end:%H:%M}",
                )
            )
        buttons = mark_safe("".join(slots))  # noqa: S308 - every value above is escaped
        fitting.append(_row(resource, kinds[resource.kind], buttons))
    return fitting, unfit


def _day_name(day: dt.date, today: dt.date) -> str:
    offset = (day - today).days
    if offset == 0:
        return str(pgettext_lazy("search day", "Today"))
    if offset == 1:
        return str(pgettext_lazy("search day", "Tomorrow"))
    return f"{day.month}/{day.day}"


def _catalogue(resources: QuerySet[Resource]) -> list[tuple[str, list[Row]]]:
    kinds = dict(ResourceKind.choices)
    groups: dict[str, list[Row]] = {}
    for resource in sorted(resources, key=lambda r: KIND_ORDER.get(r.kind, 99)):
        groups.setdefault(resource.kind, []).append(_row(resource, None))
    return [(kinds[kind], rows) for kind, rows in groups.items()]


def home(request: HttpRequest) -> HttpResponse:
    """The search page; with htmx aiming at ``#results``, only the results."""
    now = timezone.now()
    member = web_member(request)
    query = _read(request, now)
    sign_in_url = f"{reverse('web:sign-in')}?{urlencode({'next': request.get_full_path()})}"
    context: dict[str, object] = {
        "query": query,
        "values": query.values,
        "quick_windows": [(value, label) for value, label, *_ in QUICK_WINDOWS],
        "durations": [(str(minutes), label) for minutes, label in DURATIONS],
        "kinds": ResourceKind.choices,
        "units": Unit.objects.filter(is_active=True, resources__is_retired=False)
        .distinct()
        .order_by("name")
        .values_list("pk", "name"),
        "today": now.astimezone(alliance_zone()).date().isoformat(),
        "sign_in_url": sign_in_url,
        "search_url": request.get_full_path(),
    }
    resources = _candidates(query)
    if query.asked and not query.errors:
        context["searched"] = True
        context["fitting"], context["unfit"] = _results(query, resources, member, now, sign_in_url)
        context["minutes_label"] = duration_text(query.minutes)
    elif not query.asked:
        context["catalogue"] = _catalogue(resources)
    htmx = request.htmx
    if htmx and htmx.target == "results" and not htmx.history_restore_request:
        return render(request, "web/search/_results.html", context)
    return render(request, "web/home.html", context)
