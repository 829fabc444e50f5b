"""The back office's qualifications: scoped like bookings, read-only rows with their
history, and grant, refuse (with a reason) and revoke through the services."""

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from alliance.models import MemberRole
from bookings.qualifications import qualification_grant, qualification_request
from resources.models import Qualification, QualificationStatus
from tests.conftest import FROZEN_NOW
from tests.factories import MemberFactory, ResourceFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
CHANGELIST = "admin:resources_qualification_changelist"


def staff(role, unit):
    return MemberFactory(user=UserFactory(is_staff=True), unit=unit, role=role)


def signed_in(member):
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    return client


@pytest.fixture
def scene():
    unit_a, unit_b = UnitFactory(), UnitFactory()
    krios = ResourceFactory(unit=unit_a, requires_qualification=True)
    other = ResourceFactory(unit=unit_b, requires_qualification=True)
    member = MemberFactory()
    return {
        "mine": qualification_request(member=member, resource_id=krios.pk, now=FROZEN_NOW),
        "theirs": qualification_request(member=member, resource_id=other.pk, now=FROZEN_NOW),
        "manager": staff(MemberRole.UNIT_MANAGER, unit_a),
        "secretariat": staff(MemberRole.SECRETARIAT, UnitFactory()),
        "researcher": staff(MemberRole.RESEARCHER, unit_a),
    }


def listed(client):
    response = client.get(reverse(CHANGELIST))
    if response.status_code != 200:
        return response.status_code
    return {q.pk for q in response.context["cl"].result_list}


def test_each_role_sees_its_scope(scene):
    assert listed(signed_in(scene["manager"])) == {scene["mine"].pk}
    assert listed(signed_in(scene["secretariat"])) == {scene["mine"].pk, scene["theirs"].pk}
    assert listed(signed_in(scene["researcher"])) == 403


def test_a_row_shows_its_history_and_cannot_be_edited_or_added(scene):
    client = signed_in(scene["manager"])
    page = client.get(reverse("admin:resources_qualification_change", args=[scene["mine"].pk]))

    assert page.status_code == 200
    assert "Training requested" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # read-only: decided by the actions
    assert client.get(reverse("admin:resources_qualification_add")).status_code == 403
    other = client.get(reverse("admin:resources_qualification_change", args=[scene["theirs"].pk]))
    assert other.status_code in (302, 404)


def act(client, action, ids, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(i) for i in ids], **extra},
        follow=True,
    )


def test_grant_through_the_action_in_scope_only(scene):
    client = signed_in(scene["manager"])

    act(client, "grant_qualifications", [scene["mine"].pk, scene["theirs"].pk])

    assert Qualification.objects.get(pk=scene["mine"].pk).status == QualificationStatus.GRANTED
    assert Qualification.objects.get(pk=scene["theirs"].pk).status == "requested"
    assert Qualification.objects.get(pk=scene["mine"].pk).events.last().actor == scene["manager"]


def test_refuse_asks_for_a_reason_then_refuses(scene):
    client = signed_in(scene["manager"])

    asked = act(client, "refuse_qualifications", [scene["mine"].pk])
    assert "reason" in asked.content.decode()
    assert Qualification.objects.get(pk=scene["mine"].pk).status == "requested"
    empty = act(client, "refuse_qualifications", [scene["mine"].pk], post="yes", reason="")
    assert Qualification.objects.get(pk=scene["mine"].pk).status == "requested"
    assert empty.status_code == 200
    act(client, "refuse_qualifications", [scene["mine"].pk], post="yes", reason="名额已满")

    refused = Qualification.objects.get(pk=scene["mine"].pk)
    assert (refused.status, refused.reason) == ("refused", "名额已满")


def test_a_refusal_of_the_service_is_reported_by_row(scene):
    client = signed_in(scene["manager"])

    response = act(
        client, "revoke_qualifications", [scene["mine"].pk], post="yes", reason="违规操作"
    )

    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("cannot be done now" in t for t in texts)
    assert Qualification.objects.get(pk=scene["mine"].pk).status == "requested"
    qualification_grant(actor=scene["manager"], qualification_id=scene["mine"].pk, now=FROZEN_NOW)
    act(client, "revoke_qualifications", [scene["mine"].pk], post="yes", reason="违规操作")
    assert Qualification.objects.get(pk=scene["mine"].pk).status == QualificationStatus.REVOKED
