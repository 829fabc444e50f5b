"""Deleting in the back office goes through the services (ScopedModelAdmin's
``delete_through_service``): the one-row delete page and the bulk "delete selected" action
lift closures, remove make-up days and quotas as the service allows, and what the
service refuses stays."""

import datetime as dt

import pytest
from django.urls import reverse

from bookings.models import Quota
from resources.models import Closure, MakeUpWorkingDay
from tests.conftest import local
from tests.factories import ClosureFactory
from tests.resources.admin_support import signed_in, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_closure(world):
    return ClosureFactory(
        resource=world.resource, start=local(2026, 12, 1), end=local(2026, 12, 2), reason="维护"
    )


@pytest.fixture
def holiday():
    return ClosureFactory(
        resource=None, start=local(2027, 1, 1), end=local(2027, 1, 2), reason="元旦"
    )


def bulk_delete(client, changelist, pks):
    return client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks], "post": "yes"},
    )


def test_a_manager_lifts_their_closure_on_its_delete_page(world, own_closure):
    client = signed_in(world.manager)

    response = client.post(url("closure_delete", own_closure.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Closure.objects.filter(pk=own_closure.pk).exists()


def test_the_bulk_action_lifts_what_the_secretariat_selects(world, own_closure, holiday):
    client = signed_in(world.secretariat)

    response = bulk_delete(client, url("closure_changelist"), [own_closure.pk, holiday.pk])

    assert response.status_code == 302
    assert not Closure.objects.exists()


def test_a_manager_cannot_lift_an_alliance_wide_closure(world, holiday):
    client = signed_in(world.manager)

    client.post(url("closure_delete", holiday.pk), {"post": "yes"})
    bulk_delete(client, url("closure_changelist"), [holiday.pk])

    assert Closure.objects.filter(pk=holiday.pk).exists()


def test_the_secretariat_removes_a_make_up_day(world):
    day = MakeUpWorkingDay.objects.create(date=dt.date(2027, 2, 7), opens_as=0, note="春节调休")
    client = signed_in(world.secretariat)

    bulk_delete(client, url("makeupworkingday_changelist"), [day.pk])

    assert not MakeUpWorkingDay.objects.exists()


def test_a_manager_removes_a_quota_of_their_resource_and_not_a_kinds(world):
    own = Quota.objects.create(
        resource=world.resource, scope="member", measure="hours", period="week", limit=8
    )
    kinds = Quota.objects.create(
        kind="venue", scope="member", measure="hours", period="week", limit=8
    )
    client = signed_in(world.manager)
    changelist = reverse("admin:bookings_quota_changelist")

    bulk_delete(client, changelist, [own.pk, kinds.pk])
    client.post(reverse("admin:bookings_quota_delete", args=[kinds.pk]), {"post": "yes"})

    assert list(Quota.objects.values_list("pk", flat=True)) == [kinds.pk]
