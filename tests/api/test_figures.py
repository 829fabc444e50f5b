"""The figures endpoints answer the selectors' figures (the oracle of
tests/bookings/figures_fixture.py), refuse bad periods with their codes, and the public
summary is anonymous and cached."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.figures import PUBLIC_SUMMARY_CACHE_KEY
from tests.api.helpers import api_client
from tests.bookings.figures_fixture import alliance_build
from tests.conftest import local

pytestmark = pytest.mark.django_db

AFTER = local(2026, 3, 1, 12)
JANUARY = "?from=2026-01-01&to=2026-01-31"


@pytest.fixture
def alliance():
    with time_machine.travel(AFTER, tick=False):
        yield alliance_build()


def test_resource_figures_over_the_api(alliance):
    response = api_client(alliance.secretariat).get("/api/v1/figures/resources/" + JANUARY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {"first": "2026-01-01", "last": "2026-01-31"}
    r1 = next(r for r in body["results"] if r["name"] == "R1")
    assert r1["open_hours"] == 262
    assert (r1["booked_hours"], r1["used_hours"], r1["effective_hours"]) == (5, 11.75, 3.75)
    assert (r1["external_hours"], r1["no_shows"], r1["late_cancellations"]) == (2.5, 1, 1)
    assert r1["booked_utilisation"] == round(5 / 262, 4)
    assert [u["hours"] for u in r1["hours_by_unit"]] == [2, 3]


def test_manager_reads_only_their_units_rows(alliance):
    client = api_client(alliance.manager_b)
    names = [
        r["name"] for r in client.get("/api/v1/figures/resources/" + JANUARY).json()["results"]
    ]
    assert names == ["R3"]
    units = client.get("/api/v1/figures/units/" + JANUARY).json()["results"]
    assert [(u["unit_name"], u["used_of_others_hours"]) for u in units] == [("Unit B", 6)]
    overview = client.get("/api/v1/figures/overview/" + JANUARY).json()
    assert overview["totals"]["booked_hours"] == 12
    assert [r["name"] for r in overview["idle"]] == ["R3"]
    refused = client.get(f"/api/v1/figures/resources/{JANUARY}&unit={alliance.a.pk}")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"


def test_overview_and_heatmap_over_the_api(alliance):
    client = api_client(alliance.secretariat)
    overview = client.get("/api/v1/figures/overview/" + JANUARY).json()
    assert overview["turnaround"] == {"decisions": 4, "median_hours": 2, "p90_hours": 24}
    assert overview["trend"] == [{"month": "2026-01-01", "booked_hours": 12, "used_hours": 18}]
    heat = client.get("/api/v1/figures/heatmap/?year=2026&month=1").json()
    assert heat["booked"][5][22] == 2
    assert len(heat["used"]) == 7
    assert all(len(row) == 24 for row in heat["used"])


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?from=2026-01-01&to=2026-02-30", "figures_bad_date"),
        ("?from=2026-02-01&to=2026-01-01", "figures_period_reversed"),
        ("?from=2024-01-01&to=2026-01-01", "figures_period_too_long"),
        ("?year=2026&month=0", "figures_bad_date"),
        ("?year=2026&kind=spaceship", "invalid"),
        ("?year=2026&unit=abc", "invalid"),
        ("?year=2026&kind=", "invalid"),
        ("?year=2026&unit=", "invalid"),
        ("?year=2026&unit=99999999999999999999", "invalid"),
        ("?year=2026&colour=red", "unknown_field"),
    ],
)
def test_bad_queries_are_400_with_a_code(alliance, query, code):
    response = api_client(alliance.secretariat).get("/api/v1/figures/resources/" + query)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_public_summary_is_anonymous_and_cached(alliance):
    cache.delete(PUBLIC_SUMMARY_CACHE_KEY)
    with time_machine.travel(AFTER, tick=False):
        response = api_client().get("/api/v1/public/summary/")
        assert response.json() == {
            "year": 2026,
            "shared_resources": 3,
            "hours_shared": 10.5,
            "units_served": 2,
        }
        with CaptureQueriesContext(connection) as queries:
            again = api_client().get("/api/v1/public/summary/")
    assert again.json() == response.json()
    assert not any("usage" in q["sql"] for q in queries.captured_queries)
