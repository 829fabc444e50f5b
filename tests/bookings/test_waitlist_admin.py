"""The waitlist's back office (issue 12): read-only, scoped to the resources one manages."""

import pytest
from django.urls import reverse

from bookings.waitlist import waitlist_join
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def entries():
    made = []
    for resource in (ResourceFactory(name="本单位仪器"), ResourceFactory(name="他单位仪器")):
        BookingFactory(
            resource=resource, start=local(2026, 11, 24, 10), end=local(2026, 11, 24, 11)
        )
        made.append(
            waitlist_join(
                member=MemberFactory(),
                resource_id=resource.pk,
                start=local(2026, 11, 24, 10),
                end=local(2026, 11, 24, 11),
                purpose="候补",
            )
        )
    return made


def staff_client(client, **member):
    user = UserFactory(is_staff=True)
    MemberFactory(user=user, **member)
    client.force_login(user)
    return client


def test_a_unit_manager_sees_only_their_resources_entries_read_only(client, entries):
    mine, theirs = entries
    staff_client(client, unit=mine.resource.unit, role="unit_manager")
    listing = client.get(reverse("admin:bookings_waitlistentry_changelist")).content.decode()
    assert "本单位仪器" in listing
    assert "他单位仪器" not in listing
    page = client.get(reverse("admin:bookings_waitlistentry_change", args=[mine.pk]))
    assert page.status_code == 200
    assert 'name="purpose"' not in page.content.decode()  # read-only
    assert client.get(reverse("admin:bookings_waitlistentry_add")).status_code == 403
    other = client.get(reverse("admin:bookings_waitlistentry_change", args=[theirs.pk]))
    assert other.status_code in (302, 403, 404)


def test_the_secretariat_sees_every_entry(client, entries):
    staff_client(client, role="secretariat")
    listing = client.get(reverse("admin:bookings_waitlistentry_changelist")).content.decode()
    assert "本单位仪器" in listing
    assert "他单位仪器" in listing
