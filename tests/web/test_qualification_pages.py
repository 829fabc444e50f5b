"""Qualification pages: asking for training from a resource's page, following one's own
requests, and the managers' list where they schedule, grant, refuse and revoke in place.
Every page in a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import MemberRole
from bookings.qualifications import qualification_grant, qualification_request
from resources.models import Qualification, QualificationStatus
from tests.conftest import FROZEN_NOW
from tests.factories import MemberFactory, ResourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def krios():
    return ResourceFactory(name="冷冻电镜", requires_qualification=True, qualification_idle_days=90)


@pytest.fixture
def member():
    return MemberFactory(name="李研究员")


@pytest.fixture
def manager(krios):
    return MemberFactory(unit=krios.unit, role=MemberRole.UNIT_MANAGER, name="张主任")


def signed_in(client, who):
    client.force_login(who.user)
    return client


def ask(member, resource):
    return qualification_request(member=member, resource_id=resource.pk, now=FROZEN_NOW)


def test_an_unqualified_member_is_told_and_offered_training_not_time(client, krios, member):
    html = signed_in(client, member).get(reverse("web:resource", args=[krios.pk])).content.decode()

    assert 'data-code="not_qualified"' in html
    assert 'data-testid="request-training"' in html
    assert 'data-state="free"' not in html


def test_asking_for_training_answers_in_place(client, krios, member, manager):
    response = signed_in(client, member).post(
        reverse("web:resource-qualification", args=[krios.pk]), {"note": "做单颗粒"}, **HTMX
    )

    html = response.content.decode()
    assert 'data-status="requested"' in html
    qualification = Qualification.objects.get()
    assert (qualification.member, qualification.note) == (member, "做单颗粒")
    again = client.post(reverse("web:resource-qualification", args=[krios.pk]), **HTMX)
    assert 'data-code="qualification_exists"' in again.content.decode()
    assert Qualification.objects.count() == 1


def test_a_qualified_member_is_offered_free_time(client, krios, member, manager):
    qualification_grant(actor=manager, qualification_id=ask(member, krios).pk, now=FROZEN_NOW)

    html = signed_in(client, member).get(reverse("web:resource", args=[krios.pk])).content.decode()

    assert 'data-testid="qualified"' in html
    assert 'data-state="free"' in html
    assert "not_qualified" not in html


def test_a_resource_without_the_requirement_shows_no_box(client, member):
    plain = ResourceFactory()

    html = signed_in(client, member).get(reverse("web:resource", args=[plain.pk])).content.decode()

    assert 'data-testid="qualification"' not in html


def test_a_visitor_asking_is_sent_to_sign_in(client, krios):
    response = client.post(reverse("web:resource-qualification", args=[krios.pk]))

    assert response.status_code == 302
    assert reverse("web:sign-in") in response["Location"]
    assert Qualification.objects.count() == 0


def test_my_qualifications_and_withdrawing_one(client, krios, member):
    qualification = ask(member, krios)
    client = signed_in(client, member)

    html = client.get(reverse("web:my-qualifications")).content.decode()
    assert 'data-status="requested"' in html
    assert "冷冻电镜" in html
    client.post(reverse("web:qualification-cancel", args=[qualification.pk]))

    qualification.refresh_from_db()
    assert qualification.status == QualificationStatus.CANCELLED


def test_someone_elses_request_cannot_be_withdrawn(client, krios, member):
    qualification = ask(member, krios)

    response = signed_in(client, MemberFactory()).post(
        reverse("web:qualification-cancel", args=[qualification.pk])
    )

    assert response.status_code == 404
    qualification.refresh_from_db()
    assert qualification.status == QualificationStatus.REQUESTED


def test_researchers_may_not_open_the_staff_page(client, member):
    response = signed_in(client, member).get(reverse("web:staff-qualifications"))

    assert response.status_code == 403


def test_a_manager_schedules_then_grants_in_place(client, krios, member, manager):
    qualification = ask(member, krios)
    client = signed_in(client, manager)
    assert (
        f'data-id="{qualification.pk}"'
        in client.get(reverse("web:staff-qualifications")).content.decode()
    )

    def act(action, **data):
        url = reverse("web:staff-qualification-act", args=[qualification.pk, action])
        return client.post(url, data, **HTMX).content.decode()

    assert 'data-status="training_scheduled"' in act(
        "schedule", training_at="2026-11-25T14:00", place="B1"
    )
    qualification.refresh_from_db()
    assert qualification.training_at == dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)
    assert 'data-status="granted"' in act("grant")
    row = act("revoke")  # no reason: refused in place
    assert 'data-testid="row-error"' in row
    assert 'data-status="granted"' in row
    assert 'data-status="revoked"' in act("revoke", reason="违规操作")


def test_a_refusal_needs_a_reason_and_bad_times_are_refused_in_place(
    client, krios, member, manager
):
    qualification = ask(member, krios)
    client = signed_in(client, manager)

    def act(action, **data):
        url = reverse("web:staff-qualification-act", args=[qualification.pk, action])
        return client.post(url, data, **HTMX).content.decode()

    assert 'data-testid="row-error"' in act("refuse", reason="")
    assert 'data-testid="row-error"' in act("schedule", training_at="tomorrow")
    assert 'data-testid="row-error"' in act("schedule", training_at="2026-11-20T09:00")
    qualification.refresh_from_db()
    assert qualification.status == QualificationStatus.REQUESTED
    assert 'data-status="refused"' in act("refuse", reason="名额已满")


def test_another_units_manager_cannot_act(client, krios, member):
    qualification = ask(member, krios)
    other = MemberFactory(role=MemberRole.UNIT_MANAGER)

    response = signed_in(client, other).post(
        reverse("web:staff-qualification-act", args=[qualification.pk, "grant"]), **HTMX
    )

    assert response.status_code == 404
    assert Qualification.objects.get().status == QualificationStatus.REQUESTED


def _many(krios, manager, member, n):
    """``n`` more requests and ``n`` more grants, each on its own instrument of the unit,
    half of them the member's own."""
    for i in range(n):
        who = member if i % 2 == 0 else MemberFactory()
        ask(who, ResourceFactory(unit=krios.unit, requires_qualification=True))
        q = ask(who, ResourceFactory(unit=krios.unit, requires_qualification=True))
        qualification_grant(actor=manager, qualification_id=q.pk, now=FROZEN_NOW)


@pytest.mark.parametrize(
    ("url_name", "who"),
    [("web:my-qualifications", "member"), ("web:staff-qualifications", "manager")],
)
@pytest.mark.parametrize("status", ["open", "granted"])
def test_the_lists_take_the_same_queries_whatever_their_length(
    client, krios, manager, member, url_name, who, status
):
    client = signed_in(client, {"member": member, "manager": manager}[who])
    url = reverse(url_name) + f"?status={status}"

    def queries():
        with CaptureQueriesContext(connection) as counted:
            assert client.get(url).status_code == 200
        return len(counted)

    _many(krios, manager, member, 1)
    small = queries()
    _many(krios, manager, member, 6)

    assert queries() == small


def test_the_resource_page_reads_the_qualification_once(client, krios, member, manager):
    client = signed_in(client, member)
    url = reverse("web:resource", args=[krios.pk])
    plain_url = reverse("web:resource", args=[ResourceFactory(unit=krios.unit).pk])

    def queries(page):
        with CaptureQueriesContext(connection) as counted:
            assert client.get(page).status_code == 200
        return len(counted)

    assert queries(url) == queries(plain_url) + 1
