"""The back office for recorded use: a manager enters a past session by hand (through the
service: a reason, marked manual, scoped to their unit), and configures a resource's relay
with a secret that is stored encrypted and never shown again."""

import pytest
from django.test import Client

from alliance.models import MemberRole
from bookings.models import InterlockConfig, UsageSession
from tests.factories import MemberFactory, ResourceFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff(role, unit):
    return MemberFactory(user=UserFactory(is_staff=True), unit=unit, role=role)


def signed_in(member):
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    return client


@pytest.fixture
def world(frozen_now):
    unit = UnitFactory()
    w = type("World", (), {})()
    w.manager = staff(MemberRole.UNIT_MANAGER, unit)
    w.other_manager = staff(MemberRole.UNIT_MANAGER, UnitFactory())
    w.resource = ResourceFactory(unit=unit)
    w.user = MemberFactory()
    return w


def entry(world, **changes):
    data = {
        "resource": world.resource.pk,
        "member": world.user.pk,
        "started_at_0": "2026-11-20",
        "started_at_1": "09:00:00",
        "stopped_at_0": "2026-11-20",
        "stopped_at_1": "10:00:00",
        "manual_reason": "停电补录",
        "samples": "3",
        "notes": "",
    }
    data.update(changes)
    return data


def test_a_manager_enters_a_session_by_hand_in_the_back_office(world):
    answer = signed_in(world.manager).post("/admin/bookings/usagesession/add/", entry(world))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    session = UsageSession.objects.get()
    assert (session.source, session.entered_by, session.samples) == ("manual", world.manager, 3)


def test_a_refused_entry_shows_why_and_writes_nothing(world):
    client = signed_in(world.manager)
    answer = client.post("/admin/bookings/usagesession/add/", entry(world, manual_reason=""))
    assert answer.status_code == 200
    other = signed_in(world.other_manager)
    answer = other.post("/admin/bookings/usagesession/add/", entry(world))
    assert answer.status_code == 200
    assert not UsageSession.objects.exists()


def test_the_relay_secret_is_stored_encrypted_and_never_shown(world):
    client = signed_in(world.manager)
    answer = client.post(
        "/admin/bookings/interlockconfig/add/",
        {
            "resource": world.resource.pk,
            "driver": "http_relay",
            "relay_url": "http://relay.lab.example/api",
            "channel": "3",
            "secret": "top-secret-42",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    config = InterlockConfig.objects.get()
    assert config.secret_encrypted
    assert "top-secret-42" not in config.secret_encrypted
    page = client.get(f"/admin/bookings/interlockconfig/{config.pk}/change/")
    assert "top-secret-42" not in page.content.decode()
    assert config.secret_encrypted not in page.content.decode()
