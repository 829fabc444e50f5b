"""A change committed while the figures' rollup is being refreshed is never lost (real
threads on PostgreSQL; docs/decisions/0016-figures-rollup.md).

The refresher reads the marked days and their raw rows, and is held there; meanwhile a
member cancels a booking of the marked day and commits (which marks the day again: a new
version). The refresher then writes what it counted (the booking still booked) and deletes
the marker only if its version is unchanged: it is not, so the next read recounts the day
and the figures are right. The control deletes the marker by its day alone, as a naive
refresher would: the cancellation is lost, the figures stay wrong."""

import datetime as dt
import threading

import pytest
from django.db import connections

from bookings.figures import Period, resource_figures, rollup
from bookings.lifecycle import booking_cancel
from bookings.rollup_models import FiguresDirty
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = local(2026, 11, 24, 9)
DAY = local(2026, 11, 26, 10)


def _booked(resource, secretariat) -> float:
    period = Period(DAY.date(), DAY.date())
    (figures,) = resource_figures(actor=secretariat, period=period, now=NOW)
    assert figures.resource_id == resource.pk
    return figures.booked_hours


def _refresh_held_while(write, monkeypatch) -> None:
    """Runs figures_rollup_refresh in a thread, held after counting, while ``write`` runs
    and commits on this thread."""
    counted, go = threading.Event(), threading.Event()
    real = rollup.rows_compute
    failures: list = []

    def held(*args, **kwargs):
        days = real(*args, **kwargs)
        counted.set()
        assert go.wait(30)
        return days

    monkeypatch.setattr(rollup, "rows_compute", held)

    def refresh():
        try:
            rollup.figures_rollup_refresh()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(repr(exc))
        finally:
            connections.close_all()

    thread = threading.Thread(target=refresh)
    thread.start()
    assert counted.wait(30)
    write()  # commits while the refresher holds what it counted
    go.set()
    thread.join(60)
    monkeypatch.setattr(rollup, "rows_compute", real)
    assert not failures, failures


@pytest.fixture
def day_booked():
    resource = ResourceFactory(hours=[(d, "00:00", "00:00") for d in range(7)])
    member = MemberFactory()
    secretariat = MemberFactory(role="secretariat")
    kept = BookingFactory(
        resource=resource, member=member, start=DAY, end=DAY + dt.timedelta(hours=1)
    )
    assert _booked(resource, secretariat) == 1
    later = DAY + dt.timedelta(hours=3)
    cancelled = BookingFactory(  # marks the day: the refresher will count it
        resource=resource, member=member, start=later, end=later + dt.timedelta(hours=2)
    )
    assert FiguresDirty.objects.filter(resource=resource).count() == 1
    return resource, member, secretariat, kept, cancelled


def test_a_cancellation_committed_during_a_refresh_is_counted(day_booked, monkeypatch):
    resource, member, secretariat, _kept, cancelled = day_booked

    def cancel():
        booking_cancel(actor=member, booking_id=cancelled.pk, now=NOW)

    _refresh_held_while(cancel, monkeypatch)
    # The refresher counted 3 h, but the marker it read was marked again: it stays.
    assert FiguresDirty.objects.filter(resource=resource).exists()
    assert _booked(resource, secretariat) == 1
    assert not FiguresDirty.objects.exists()


def test_control_deleting_the_marker_by_its_day_alone_loses_the_cancellation(
    day_booked, monkeypatch
):
    resource, member, secretariat, _kept, cancelled = day_booked
    monkeypatch.setattr(rollup, "MARKER_KEY", ("resource_id", "date"))

    def cancel():
        booking_cancel(actor=member, booking_id=cancelled.pk, now=NOW)

    _refresh_held_while(cancel, monkeypatch)
    assert not FiguresDirty.objects.exists()
    assert _booked(resource, secretariat) == 3  # the cancelled 2 h still counted: lost
