"""GET /api/v1/me/ and inviting members: POST /api/v1/members/ and .../invite-code/."""

import pytest

from alliance.models import InviteCode, Member, MemberRole
from tests.api.helpers import api_client
from tests.factories import MemberFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

ME = "/api/v1/me/"
MEMBERS = "/api/v1/members/"
BIND = "/api/v1/auth/bind/"


def _invite_code_url(member: Member) -> str:
    return f"{MEMBERS}{member.pk}/invite-code/"


class TestMe:
    def test_a_member_sees_themselves(self):
        member = MemberFactory(phone="13800000000", role=MemberRole.UNIT_MANAGER)

        response = api_client(member).get(ME)

        assert response.status_code == 200
        body = response.json()
        assert body["bound"] is True
        assert (body["member"]["id"], body["member"]["phone"]) == (member.pk, "13800000000")
        assert body["member"]["role"] == "unit_manager"

    def test_an_unbound_token_is_signed_in_but_not_bound(self):
        response = api_client(openid="o-visitor").get(ME)

        assert response.json() == {"bound": False, "member": None}

    def test_a_back_office_session_without_a_member_is_not_bound(self):
        client = api_client()
        client.force_login(UserFactory(username="clerk", is_staff=True))

        assert client.get(ME).json() == {"bound": False, "member": None}

    def test_anonymous_is_401(self):
        assert api_client().get(ME).status_code == 401


class TestMemberCreate:
    def _create(self, actor, **body):
        client = api_client(actor) if isinstance(actor, Member) else actor
        return client.post(MEMBERS, body, format="json")

    def test_the_secretariat_creates_a_member_of_any_unit_with_an_invite_code(self):
        secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
        unit = UnitFactory()

        response = self._create(
            secretariat, unit=unit.pk, name="周主任", role="unit_manager", phone="0755-1234"
        )

        assert response.status_code == 201
        body = response.json()
        member = Member.objects.get(pk=body["id"])
        assert (member.unit, member.name, member.role, member.phone) == (
            unit,
            "周主任",
            MemberRole.UNIT_MANAGER,
            "0755-1234",
        )
        assert body["invite_expires_at"] == "2026-12-07T08:00:00+08:00"
        bind = api_client(openid="o-zhou").post(
            BIND, {"invite_code": body["invite_code"]}, format="json"
        )
        assert bind.json()["member"]["id"] == member.pk

    def test_a_unit_manager_creates_a_researcher_of_their_unit(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER)

        response = self._create(manager, unit=manager.unit_id, name="吴博士", role="researcher")

        assert response.status_code == 201
        assert Member.objects.get(pk=response.json()["id"]).unit == manager.unit

    @pytest.mark.parametrize(
        ("actor_role", "same_unit", "role"),
        [
            ("unit_manager", True, "unit_manager"),
            ("unit_manager", True, "secretariat"),
            ("unit_manager", False, "researcher"),
            ("researcher", True, "researcher"),
        ],
    )
    def test_anything_else_is_403_and_writes_nothing(self, actor_role, same_unit, role):
        actor = MemberFactory(role=actor_role)
        unit = actor.unit if same_unit else UnitFactory()
        members_before = Member.objects.count()

        response = self._create(actor, unit=unit.pk, name="某人", role=role)

        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
        assert Member.objects.count() == members_before
        assert not InviteCode.objects.exists()

    def test_an_unbound_token_is_403_not_bound(self):
        unit = UnitFactory()

        response = self._create(
            api_client(openid="o-visitor"), unit=unit.pk, name="某人", role="researcher"
        )

        assert (response.status_code, response.json()["code"]) == (403, "not_bound")

    def test_anonymous_is_401(self):
        response = self._create(api_client(), unit=1, name="某人", role="researcher")

        assert response.status_code == 401

    def test_an_unknown_unit_is_404(self):
        secretariat = MemberFactory(role=MemberRole.SECRETARIAT)

        response = self._create(secretariat, unit=10**9, name="某人", role="researcher")

        assert (response.status_code, response.json()["code"]) == (404, "not_found")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"unit": 1, "name": "某人", "role": "boss"}, "role"),
            ({"unit": "one", "name": "某人", "role": "researcher"}, "unit"),
            ({"unit": 1, "name": "长" * 51, "role": "researcher"}, "name"),
            ({"unit": 1, "role": "researcher"}, "name"),
            ({"unit": 1, "name": "某人", "role": "researcher", "phone": "1" * 31}, "phone"),
        ],
    )
    def test_bad_input_is_400_with_the_field(self, body, field):
        secretariat = MemberFactory(role=MemberRole.SECRETARIAT)

        response = api_client(secretariat).post(MEMBERS, body, format="json")

        assert (response.status_code, response.json()["code"]) == (400, "invalid")
        assert field in response.json()["fields"]


class TestInviteCodeRenewal:
    def test_a_manager_renews_the_code_of_their_researcher(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER)
        researcher = MemberFactory(unit=manager.unit)

        response = api_client(manager).post(_invite_code_url(researcher))

        assert response.status_code == 201
        assert response.json()["id"] == researcher.pk
        bind = api_client(openid="o-new").post(
            BIND, {"invite_code": response.json()["invite_code"]}, format="json"
        )
        assert bind.status_code == 200

    def test_a_linked_member_is_409(self):
        secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
        linked = MemberFactory(wechat_openid="o-linked")

        response = api_client(secretariat).post(_invite_code_url(linked))

        assert (response.status_code, response.json()["code"]) == (409, "member_already_bound")

    def test_another_units_manager_is_403(self):
        researcher = MemberFactory()

        response = api_client(MemberFactory(role=MemberRole.UNIT_MANAGER)).post(
            _invite_code_url(researcher)
        )

        assert response.status_code == 403
        assert not InviteCode.objects.exists()
