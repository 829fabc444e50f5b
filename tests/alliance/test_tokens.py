"""Sign-in services: tokens, invite codes, binding, and the password sign-in."""

import datetime as dt
import hashlib
import threading
from collections import Counter

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connections

from alliance.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from alliance.models import ApiToken, InviteCode, Member, MemberRole, SignInChannel, Unit
from alliance.tokens import (
    TokenRefused,
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
    invite_code_issue,
    invite_code_redeem,
    member_invite,
    member_invite_renew,
    password_sign_in,
)
from tests.conftest import FROZEN_NOW
from tests.factories import MemberFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PASSWORD = "correct horse battery staple"


def _unbound(openid: str = "o-visitor") -> ApiToken:
    token, _ = api_token_issue(openid=openid)
    return token


class TestApiTokens:
    def test_only_the_sha256_digest_of_a_token_is_stored(self):
        member = MemberFactory()

        token, raw = api_token_issue(member=member)

        assert len(raw) >= 43  # 32 random bytes, URL-safe base64
        stored = ApiToken.objects.filter(pk=token.pk).values().get()
        assert raw not in {str(value) for value in stored.values()}
        assert stored["digest"] == hashlib.sha256(raw.encode()).hexdigest()

    def test_a_token_expires_after_the_configured_days(self, settings):
        settings.API_TOKEN_TTL_DAYS = 7

        token, _ = api_token_issue(member=MemberFactory())

        assert token.expires_at == FROZEN_NOW + dt.timedelta(days=7)

    def test_a_live_token_authenticates_its_member(self):
        member = MemberFactory()
        _, raw = api_token_issue(member=member)

        assert api_token_authenticate(raw=raw).member == member

    def test_an_unbound_token_carries_the_openid_only(self):
        _, raw = api_token_issue(openid="o-visitor")

        token = api_token_authenticate(raw=raw)
        assert (token.member, token.wechat_openid) == (None, "o-visitor")

    def test_a_token_needs_a_member_or_an_openid(self):
        with pytest.raises(ValueError, match="member or an openid"):
            api_token_issue()

    @pytest.mark.parametrize(
        ("setup", "reason"),
        [
            ("unknown", "unknown"),
            ("revoked", "revoked"),
            ("expired", "expired"),
            ("member_inactive", "inactive"),
            ("user_inactive", "inactive"),
        ],
    )
    def test_a_dead_token_is_refused(self, setup, reason):
        member = MemberFactory()
        token, raw = api_token_issue(member=member)
        if setup == "unknown":
            raw = raw[:-1] + ("A" if raw[-1] != "A" else "B")
        elif setup == "revoked":
            api_token_revoke(token=token)
        elif setup == "expired":
            ApiToken.objects.filter(pk=token.pk).update(expires_at=FROZEN_NOW)
        elif setup == "member_inactive":
            Member.objects.filter(pk=member.pk).update(is_active=False)
        else:
            get_user_model().objects.filter(pk=member.user_id).update(is_active=False)

        with pytest.raises(TokenRefused) as refused:
            api_token_authenticate(raw=raw)
        assert refused.value.reason == reason

    def test_last_use_is_recorded_at_most_once_a_minute(self):
        token, raw = api_token_issue(member=MemberFactory())

        api_token_authenticate(raw=raw)
        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=59), tick=False):
            api_token_authenticate(raw=raw)
        token.refresh_from_db()
        assert token.last_used_at == FROZEN_NOW

        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=60), tick=False):
            api_token_authenticate(raw=raw)
        token.refresh_from_db()
        assert token.last_used_at == FROZEN_NOW + dt.timedelta(seconds=60)

    def test_revoking_twice_keeps_the_first_time(self):
        token, _ = api_token_issue(member=MemberFactory())
        api_token_revoke(token=token)
        with time_machine.travel(FROZEN_NOW + dt.timedelta(hours=1), tick=False):
            api_token_revoke(token=token)

        token.refresh_from_db()
        assert token.revoked_at == FROZEN_NOW

    def test_issuing_clears_dead_tokens_of_the_same_subject_only(self):
        member, other = MemberFactory(), MemberFactory()
        revoked, _ = api_token_issue(member=member)
        api_token_revoke(token=revoked)
        live, _ = api_token_issue(member=member)
        others_revoked, _ = api_token_issue(member=other)
        api_token_revoke(token=others_revoked)

        api_token_issue(member=member)

        remaining = set(ApiToken.objects.values_list("pk", flat=True))
        assert revoked.pk not in remaining
        assert {live.pk, others_revoked.pk} <= remaining


class TestInviteCodes:
    def test_a_code_is_typable_and_stored_only_as_a_keyed_digest(self):
        member = MemberFactory()

        invite, code = invite_code_issue(member=member, created_by=None)

        assert len(code) == 11
        assert code[5] == "-"
        assert set(code.replace("-", "")) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        stored = InviteCode.objects.filter(pk=invite.pk).values().get()
        plain = code.replace("-", "")
        assert not any(plain in str(value) for value in stored.values())
        assert stored["digest"] != hashlib.sha256(plain.encode()).hexdigest()
        assert invite.expires_at == FROZEN_NOW + dt.timedelta(days=14)

    def test_a_new_code_replaces_the_unused_one(self):
        member = MemberFactory()
        _, old = invite_code_issue(member=member, created_by=None)
        _, new = invite_code_issue(member=member, created_by=None)

        with pytest.raises(ValidationFailed, match="invite_code_invalid"):
            invite_code_redeem(token=_unbound(), code=old)
        assert invite_code_redeem(token=_unbound(), code=new) == member

    def test_redeeming_links_the_openid_and_every_unbound_token_of_it(self):
        member = MemberFactory()
        _, code = invite_code_issue(member=member, created_by=None)
        token, other_token = _unbound("o-visitor"), _unbound("o-visitor")
        stranger = _unbound("o-stranger")

        assert invite_code_redeem(token=token, code=code.lower().replace("-", " ")) == member

        member.refresh_from_db()
        assert member.wechat_openid == "o-visitor"
        assert token.member == member
        other_token.refresh_from_db()
        stranger.refresh_from_db()
        assert (other_token.member, stranger.member) == (member, None)
        assert InviteCode.objects.get().used_at == FROZEN_NOW

    def test_a_code_works_once(self):
        member = MemberFactory()
        _, code = invite_code_issue(member=member, created_by=None)
        invite_code_redeem(token=_unbound("o-first"), code=code)

        with pytest.raises(ValidationFailed, match="invite_code_used"):
            invite_code_redeem(token=_unbound("o-second"), code=code)
        member.refresh_from_db()
        assert member.wechat_openid == "o-first"

    def test_an_expired_code_is_refused_and_nothing_is_written(self):
        member = MemberFactory()
        _, code = invite_code_issue(member=member, created_by=None)
        token = _unbound()

        with (
            time_machine.travel(FROZEN_NOW + dt.timedelta(days=14), tick=False),
            pytest.raises(ValidationFailed, match="invite_code_expired"),
        ):
            invite_code_redeem(token=token, code=code)

        member.refresh_from_db()
        token.refresh_from_db()
        assert (member.wechat_openid, token.member) == (None, None)
        assert InviteCode.objects.get().used_at is None

    def test_a_code_still_works_just_before_it_expires(self):
        member = MemberFactory()
        _, code = invite_code_issue(member=member, created_by=None)

        with time_machine.travel(FROZEN_NOW + dt.timedelta(days=14, seconds=-1), tick=False):
            assert invite_code_redeem(token=_unbound(), code=code) == member

    def test_a_member_linked_to_another_openid_is_a_conflict(self):
        member = MemberFactory(wechat_openid="o-original")
        _, code = invite_code_issue(member=member, created_by=None)

        with pytest.raises(Conflict, match="member_already_bound"):
            invite_code_redeem(token=_unbound("o-other"), code=code)
        assert InviteCode.objects.get().used_at is None

    def test_an_openid_linked_to_another_member_is_a_conflict(self):
        MemberFactory(wechat_openid="o-visitor")
        member = MemberFactory()
        _, code = invite_code_issue(member=member, created_by=None)
        token = ApiToken.objects.create(
            digest="0" * 64,
            wechat_openid="o-visitor",
            channel=SignInChannel.WECHAT,
            expires_at=FROZEN_NOW + dt.timedelta(days=1),
        )

        with pytest.raises(Conflict, match="already_bound"):
            invite_code_redeem(token=token, code=code)
        member.refresh_from_db()
        assert member.wechat_openid is None

    def test_a_bound_token_cannot_bind_again(self):
        token, _ = api_token_issue(member=MemberFactory(wechat_openid="o-member"))
        _, code = invite_code_issue(member=MemberFactory(), created_by=None)

        with pytest.raises(Conflict, match="already_bound"):
            invite_code_redeem(token=token, code=code)

    def test_an_inactive_member_cannot_be_linked(self):
        member = MemberFactory(is_active=False)
        _, code = invite_code_issue(member=member, created_by=None)

        with pytest.raises(AccessDenied, match="member_inactive"):
            invite_code_redeem(token=_unbound(), code=code)


class TestMemberInvite:
    def test_a_unit_manager_invites_a_researcher_of_their_unit(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER)

        invitation = member_invite(
            actor=manager, unit_id=manager.unit_id, name="新研究员", role=MemberRole.RESEARCHER
        )

        assert invitation.member.unit == manager.unit
        assert invitation.invite.created_by == manager
        assert invite_code_redeem(token=_unbound(), code=invitation.code) == invitation.member

    @pytest.mark.parametrize(
        ("role", "same_unit"),
        [(MemberRole.UNIT_MANAGER, True), (MemberRole.RESEARCHER, False)],
    )
    def test_a_unit_manager_is_refused_anything_else_and_nothing_is_written(self, role, same_unit):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER)
        unit = manager.unit if same_unit else UnitFactory()
        members_before = Member.objects.count()

        with pytest.raises(AccessDenied):
            member_invite(actor=manager, unit_id=unit.pk, name="某人", role=role)
        assert Member.objects.count() == members_before
        assert not InviteCode.objects.exists()

    def test_the_secretariat_invites_anyone_anywhere(self):
        secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
        unit = UnitFactory()

        invitation = member_invite(
            actor=secretariat, unit_id=unit.pk, name="新主任", role=MemberRole.UNIT_MANAGER
        )

        assert (invitation.member.unit, invitation.member.role) == (unit, MemberRole.UNIT_MANAGER)

    def test_renewing_gives_a_new_code_and_voids_the_old(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER)
        first = member_invite(
            actor=manager, unit_id=manager.unit_id, name="新研究员", role=MemberRole.RESEARCHER
        )

        renewed = member_invite_renew(actor=manager, member_id=first.member.pk)

        assert renewed.code != first.code
        assert InviteCode.objects.filter(member=first.member).count() == 1
        with pytest.raises(ValidationFailed, match="invite_code_invalid"):
            invite_code_redeem(token=_unbound(), code=first.code)

    def test_renewing_is_refused_for_linked_members_strangers_and_unknown_ids(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER)
        linked = MemberFactory(unit=manager.unit, wechat_openid="o-linked")
        other_units = MemberFactory()

        with pytest.raises(Conflict, match="member_already_bound"):
            member_invite_renew(actor=manager, member_id=linked.pk)
        with pytest.raises(AccessDenied):
            member_invite_renew(actor=manager, member_id=other_units.pk)
        with pytest.raises(NotFound):
            member_invite_renew(actor=manager, member_id=10**9)
        assert not InviteCode.objects.exists()


class TestPasswordSignIn:
    def test_staff_with_a_member_get_a_token(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)

        sign_in = password_sign_in(username=manager.user.username, password=PASSWORD)

        assert sign_in.member == manager
        assert api_token_authenticate(raw=sign_in.token).channel == SignInChannel.PASSWORD

    def test_a_superuser_becomes_secretariat_of_the_configured_unit(self, settings):
        settings.SECRETARIAT_UNIT_NAME = "联合体秘书处"
        admin = UserFactory(username="admin", is_staff=True, is_superuser=True)

        first = password_sign_in(username="admin", password=PASSWORD)
        second = password_sign_in(username="admin", password=PASSWORD)

        assert first.member == second.member
        assert first.member.user == admin
        assert first.member.role == MemberRole.SECRETARIAT
        assert first.member.unit.name == "联合体秘书处"
        assert Unit.objects.filter(name="联合体秘书处").count() == 1

    def test_a_superuser_joins_an_existing_secretariat_unit(self, settings):
        unit = UnitFactory(name="联合体秘书处")
        settings.SECRETARIAT_UNIT_NAME = unit.name
        UserFactory(username="admin", is_staff=True, is_superuser=True)

        assert password_sign_in(username="admin", password=PASSWORD).member.unit == unit

    def test_a_wrong_password_is_invalid_credentials(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)

        with pytest.raises(ValidationFailed, match="invalid_credentials"):
            password_sign_in(username=manager.user.username, password="wrong")
        assert not ApiToken.objects.exists()

    def test_a_researchers_right_password_is_refused_like_a_wrong_one(self):
        researcher = MemberFactory()

        with pytest.raises(ValidationFailed, match="invalid_credentials"):
            password_sign_in(username=researcher.user.username, password=PASSWORD)
        assert not ApiToken.objects.exists()

    def test_staff_without_a_member_are_refused(self):
        UserFactory(username="clerk", is_staff=True)

        with pytest.raises(AccessDenied, match="no_member_profile"):
            password_sign_in(username="clerk", password=PASSWORD)
        assert not Member.objects.exists()


def _race(attempts):
    """Run the callables at once, each on its own connection; return their outcomes."""
    barrier = threading.Barrier(len(attempts), timeout=30)
    outcomes: list = [None] * len(attempts)

    def run(index):
        try:
            barrier.wait()
            attempts[index]()
            outcomes[index] = "won"
        except (ValidationFailed, Conflict) as exc:
            outcomes[index] = exc.code
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            outcomes[index] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestConcurrentBinding:
    def test_one_code_redeemed_at_once_by_many_links_exactly_one(self):
        member = MemberFactory()
        _, code = invite_code_issue(member=member, created_by=None)
        tokens = [_unbound(f"o-racer-{index}") for index in range(8)]

        outcomes = _race(
            [lambda t=token: invite_code_redeem(token=t, code=code) for token in tokens]
        )

        assert Counter(outcomes) == {"won": 1, "invite_code_used": 7}
        member.refresh_from_db()
        winner = tokens[outcomes.index("won")].wechat_openid
        assert member.wechat_openid == winner

    def test_one_openid_redeeming_two_codes_at_once_links_one_member(self):
        first, second = MemberFactory(), MemberFactory()
        codes = [invite_code_issue(member=m, created_by=None)[1] for m in (first, second)]
        tokens = [_unbound("o-twice"), _unbound("o-twice")]

        outcomes = _race(
            [
                lambda t=token, c=code: invite_code_redeem(token=t, code=c)
                for token, code in zip(tokens, codes, strict=True)
            ]
        )

        assert sorted(outcomes) == ["already_bound", "won"]
        assert Member.objects.filter(wechat_openid="o-twice").count() == 1
        assert InviteCode.objects.filter(used_at__isnull=False).count() == 1
