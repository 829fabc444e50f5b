"""The staff dashboard (issue 11): who may see which unit's figures, what its tables show,
that their CSV and Excel downloads hold the same rows and totals, and that the page costs a
fixed number of queries whatever the data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from alliance.models import MemberRole
from bookings.figures.rollup import figures_rollup_refresh
from bookings.models import UsageSession
from resources.models import ResourceKind
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory, UnitFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("web:staff-dashboard")
NOVEMBER = "?from=2026-10-01&to=2026-11-22"
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def export(table: str, fmt: str, query: str = NOVEMBER) -> str:
    return reverse("web:staff-dashboard-export", args=[table, fmt]) + query


def session(resource, member, start: dt.datetime, hours: float) -> UsageSession:
    return UsageSession.objects.create(
        resource=resource,
        member=member,
        started_at=start,
        stopped_at=start + dt.timedelta(hours=hours),
        source="qr_scan",
    )


@pytest.fixture
def world(frozen_now):
    """Monday 2026-11-23 08:00; the period asked for is 1 October to 22 November (53 days,
    so the national averages scale to 1,599 × 53 / 365 = 232.2 and 273 × 53 / 365 = 39.6).
    Unit A (深圳湾) owns the electron microscope and a venue, unit B (光明) the spectrometer.
    A researcher of B uses the microscope for 3 hours on Monday 2 November from 10:00; one
    of A for 1 hour on Tuesday 3 November from 9:00 and the spectrometer for 2 hours on
    Friday 30 October from 14:00."""
    w = type("World", (), {})()
    w.unit_a = UnitFactory(name="深圳湾实验室", short_name="深圳湾")
    w.unit_b = UnitFactory(name="光明实验室", short_name="光明")
    w.microscope = ResourceFactory(name="冷冻电镜", unit=w.unit_a)
    w.hall = ResourceFactory(name="报告厅", unit=w.unit_a, kind=ResourceKind.VENUE)
    w.spectrometer = ResourceFactory(name="质谱仪", unit=w.unit_b)
    w.researcher_a = MemberFactory(name="李研究员", unit=w.unit_a)
    w.researcher_b = MemberFactory(name="赵研究员", unit=w.unit_b)
    w.manager_a = MemberFactory(name="王管理员", unit=w.unit_a, role=MemberRole.UNIT_MANAGER)
    w.manager_b = MemberFactory(unit=w.unit_b, role=MemberRole.UNIT_MANAGER)
    w.secretariat = MemberFactory(name="秘书处", unit=w.unit_a, role=MemberRole.SECRETARIAT)
    session(w.microscope, w.researcher_b, local(2026, 11, 2, 10), 3)
    session(w.microscope, w.researcher_a, local(2026, 11, 3, 9), 1)
    session(w.spectrometer, w.researcher_a, local(2026, 10, 30, 14), 2)
    return w


def table_cells(html: str, key: str, part: str = "tbody") -> list[list[str]]:
    """The text of each row's cells of the page's table ``key`` (its body or its footer)."""
    table = re.search(rf'<table[^>]*data-testid="table-{key}".*?</table>', html, re.S).group(0)
    section = re.search(rf"<{part}>(.*?)</{part}>", table, re.S)
    if section is None:
        return []
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", section.group(1), re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def cell(value) -> float | str:
    """A cell of a page or a download, compared as a number where it is one (Excel keeps
    2.0 as the number 2)."""
    text = "" if value is None else str(value)
    try:
        return float(text)
    except ValueError:
        return text


# --- Access -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(world):
    for url in (DASHBOARD, export("balance", "csv")):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/sign-in/" in response["Location"]


@pytest.mark.parametrize("url", [DASHBOARD, export("balance", "csv"), export("trend", "xlsx")])
def test_researchers_are_refused(world, url):
    assert signed_in(world.researcher_a).get(url).status_code == 403


def test_the_staff_area_links_to_the_dashboard(world):
    html = signed_in(world.manager_a).get(reverse("web:staff")).content.decode()
    assert 'data-testid="staff-dashboard-link"' in html


def test_a_manager_sees_only_their_own_units_figures(world):
    response = signed_in(world.manager_a).get(DASHBOARD + NOVEMBER)
    assert response.status_code == 200
    html = response.content.decode()
    assert table_cells(html, "instruments") == [
        ["冷冻电镜", "深圳湾实验室", "4.0", "3.0", "232.2", "39.6", "1.7%"]
    ]
    assert [row[0] for row in table_cells(html, "balance")] == ["深圳湾实验室"]
    assert "质谱仪" not in html
    assert 'data-testid="dashboard-unit"' not in html  # no unit picker for a manager


def test_a_manager_also_sees_the_alliance_wide_totals(world):
    html = signed_in(world.manager_a).get(DASHBOARD + NOVEMBER).content.decode()
    glance = re.search(r'data-testid="dashboard-glance".*?</dl>', html, re.S).group(0)
    figures = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", glance))
    assert figures["使用机时"] == "6.0"  # both units' use, not only unit A's 4 hours
    assert figures["对外服务机时"] == "5.0"


def test_a_manager_asking_for_another_unit_is_refused(world):
    client = signed_in(world.manager_a)
    query = NOVEMBER + f"&unit={world.unit_b.pk}"
    assert client.get(DASHBOARD + query).status_code == 403
    assert client.get(export("instruments", "xlsx", query)).status_code == 403
    assert client.get(DASHBOARD + NOVEMBER + f"&unit={world.unit_a.pk}").status_code == 200


def test_the_secretariat_sees_the_alliance_and_narrows_it_to_a_unit(world):
    client = signed_in(world.secretariat)
    html = client.get(DASHBOARD + NOVEMBER).content.decode()
    assert [row[0] for row in table_cells(html, "instruments")] == ["质谱仪", "冷冻电镜"]
    assert table_cells(html, "balance") == [
        ["光明实验室", "2.0", "3.0", "-1.0", "1", ""],
        ["深圳湾实验室", "3.0", "2.0", "1.0", "1", ""],
    ]
    assert 'data-testid="dashboard-unit"' in html
    narrowed = client.get(DASHBOARD + NOVEMBER + f"&unit={world.unit_b.pk}").content.decode()
    assert [row[0] for row in table_cells(narrowed, "instruments")] == ["质谱仪"]


def test_the_heat_map_and_the_trend_tables_hold_the_hours_of_use(world):
    html = signed_in(world.secretariat).get(DASHBOARD + NOVEMBER).content.decode()
    heatmap = {row[0]: row[1:] for row in table_cells(html, "heatmap")}
    assert list(heatmap) == ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
    used = {
        (day, hour): float(value)
        for day, values in heatmap.items()
        for hour, value in enumerate(values[:24])
        if float(value)
    }
    assert used == {
        ("星期一", 10): 1.0,
        ("星期一", 11): 1.0,
        ("星期一", 12): 1.0,
        ("星期二", 9): 1.0,
        ("星期五", 14): 1.0,
        ("星期五", 15): 1.0,
    }
    assert table_cells(html, "heatmap", "tfoot")[0][-1] == "6.0"
    assert table_cells(html, "trend") == [["2026-10", "0.0", "2.0"], ["2026-11", "0.0", "4.0"]]


def test_the_kind_filter_narrows_the_resources(world):
    html = signed_in(world.secretariat).get(DASHBOARD + NOVEMBER + "&kind=venue").content.decode()
    assert table_cells(html, "instruments") == [["本期间没有数据。"]]


def test_a_bad_period_is_explained_not_a_500(world):
    client = signed_in(world.secretariat)
    response = client.get(DASHBOARD + "?from=2026-11-22&to=2026-10-01")
    assert response.status_code == 400
    assert 'data-testid="dashboard-error"' in response.content.decode()
    response = client.get(export("balance", "csv", "?from=nonsense&to=2026-10-01"))
    assert response.status_code == 400


def test_the_filter_form_gets_the_body_only_for_htmx(world):
    response = signed_in(world.secretariat).get(DASHBOARD + NOVEMBER, **HTMX)
    html = response.content.decode()
    assert 'data-testid="dashboard-filters"' in html
    assert "<html" not in html


def test_every_chart_embeds_its_figures_as_json(world):
    html = signed_in(world.secretariat).get(DASHBOARD + NOVEMBER).content.decode()
    for key in ("heatmap", "balance", "trend", "instruments"):
        assert f'data-testid="chart-{key}"' in html
        assert f'<script id="chart-{key}" type="application/json">' in html
    assert "<script>" not in html  # no inline script


# --- Downloads ----------------------------------------------------------------------------


def _csv_lines(content: bytes) -> list[list[str]]:
    lines = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return [[cell(value) for value in line] for line in lines]


def _xlsx_lines(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [[cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("key", ["heatmap", "balance", "trend", "instruments"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_download_holds_the_pages_table_and_totals(world, key, fmt):
    client = signed_in(world.secretariat)
    html = client.get(DASHBOARD + NOVEMBER).content.decode()
    response = client.get(export(key, fmt))
    assert response.status_code == 200
    assert f"dashboard-{key}-2026-10-01_2026-11-22.{fmt}" in response["Content-Disposition"]
    lines = _csv_lines(response.content) if fmt == "csv" else _xlsx_lines(response.content)
    header, *rows = lines
    assert not re.search("[A-Za-z]", "".join(str(heading) for heading in header))  # Chinese
    page = [[cell(value) for value in row] for row in table_cells(html, key)]
    page += [[cell(value) for value in row] for row in table_cells(html, key, "tfoot")]
    assert rows == page


def test_download_totals_are_the_hand_computed_ones(world):
    response = signed_in(world.secretariat).get(export("balance", "xlsx"))
    *_, totals = _xlsx_lines(response.content)
    assert totals[:5] == ["合计", 5.0, 5.0, 0.0, 2.0]
    response = signed_in(world.secretariat).get(export("instruments", "csv"))
    *_, totals = _csv_lines(response.content)
    assert totals[2:4] == [6.0, 5.0]


# --- A fixed number of queries ------------------------------------------------------------


def _populate(n_resources: int, sessions_each: int) -> None:
    unit = UnitFactory()
    user = MemberFactory()
    for _ in range(n_resources):
        resource = ResourceFactory(unit=unit)
        for i in range(sessions_each):
            session(resource, user, local(2026, 10, 1 + i % 28, 8 + i % 10), 1)


def test_the_dashboard_costs_the_same_queries_for_little_or_much_data(
    world, django_assert_num_queries
):
    client = signed_in(world.secretariat)
    client.get(DASHBOARD + NOVEMBER)  # warm the session
    # Session, user, member; the units to pick from; the figures (each first asks whether
    # any rollup day is marked: one query when none is; the heat map, the overview, the
    # per-resource figures, the unit balance, each from the rollup plus the sessions still
    # running); the frame's unread notices and decisions awaiting: 35 in all, the same on
    # SQLite and PostgreSQL.
    with django_assert_num_queries(35) as small:
        assert client.get(DASHBOARD + NOVEMBER).status_code == 200
    _populate(30, 20)
    # The writes marked their days; the jobs loop (or the first read) recounts them, in a
    # fixed number of queries too (tests/bookings/test_figures.py counts it).
    figures_rollup_refresh()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(DASHBOARD + NOVEMBER)
    assert len(table_cells(response.content.decode(), "instruments")) == 32
