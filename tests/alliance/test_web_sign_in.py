"""Signing a browser in by scanning a challenge (alliance.web_sign_in): a challenge works
once, expires, signs in only the browser that created it, and only a bound, active member
of an active unit can confirm it."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import Counter

import pytest
import time_machine
from django.db import connections

from alliance.errors import AccessDenied, ValidationFailed
from alliance.models import SignInChannel, WebSignInChallenge
from alliance.tokens import api_token_issue
from alliance.web_sign_in import (
    PAYLOAD_PREFIX,
    browser_secret_of,
    challenge_payload_parse,
    web_challenge_complete,
    web_challenge_confirm,
    web_challenge_create,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

BROWSER = "the-browser-secret-of-one-session"
OTHER_BROWSER = "the-browser-secret-of-another-session"


def _token(member=None, *, openid=""):
    token, _ = api_token_issue(member=member, openid=openid, channel=SignInChannel.WECHAT)
    return token


def _issue():
    issued = web_challenge_create(browser_secret=BROWSER)
    challenge_id, secret = challenge_payload_parse(issued.payload)
    return issued.challenge, challenge_id, secret


def _confirm(member, challenge_id, secret):
    return web_challenge_confirm(token=_token(member), challenge_id=challenge_id, secret=secret)


@pytest.mark.usefixtures("frozen_now")
class TestCreating:
    def test_a_challenge_carries_its_id_and_a_secret_and_expires_in_two_minutes(self, frozen_now):
        issued = web_challenge_create(browser_secret=BROWSER)

        challenge_id, secret = challenge_payload_parse(issued.payload)
        assert issued.payload.startswith(PAYLOAD_PREFIX)
        assert challenge_id == str(issued.challenge.pk)
        assert issued.challenge.expires_at == frozen_now + dt.timedelta(seconds=120)

    def test_only_digests_of_the_secrets_are_stored(self):
        issued = web_challenge_create(browser_secret=BROWSER)
        _, secret = challenge_payload_parse(issued.payload)

        row = WebSignInChallenge.objects.values().get()
        assert secret not in str(row)
        assert BROWSER not in str(row)
        assert row["secret_digest"] == hashlib.sha256(secret.encode()).hexdigest()

    def test_the_lifetime_is_a_setting(self, settings, frozen_now):
        settings.WEB_SIGN_IN_CHALLENGE_TTL_SECONDS = 30

        issued = web_challenge_create(browser_secret=BROWSER)

        assert issued.challenge.expires_at == frozen_now + dt.timedelta(seconds=30)

    def test_challenges_expired_for_a_day_are_cleared_on_the_way(self, frozen_now):
        old, _, _ = _issue()
        with time_machine.travel(frozen_now + dt.timedelta(days=2), tick=False):
            fresh, _, _ = _issue()

        assert list(WebSignInChallenge.objects.values_list("pk", flat=True)) == [fresh.pk]

    def test_a_session_keeps_one_browser_secret(self):
        session = {}

        first = browser_secret_of(session)

        assert len(first) >= 40
        assert browser_secret_of(session) == first
        assert browser_secret_of({}) != first

    @pytest.mark.parametrize(
        "payload",
        ["", "hello", PAYLOAD_PREFIX, f"{PAYLOAD_PREFIX}abc", f"{PAYLOAD_PREFIX}:secret"],
    )
    def test_a_payload_that_is_not_a_challenge_is_invalid(self, payload):
        with pytest.raises(ValidationFailed, match="challenge_invalid"):
            challenge_payload_parse(payload)


@pytest.mark.usefixtures("frozen_now")
class TestConfirming:
    def test_a_bound_active_member_confirms_and_the_browser_signs_in_as_them(self):
        member = MemberFactory()
        challenge, challenge_id, secret = _issue()

        assert _confirm(member, challenge_id, secret) == member

        assert web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER) == member

    def test_until_confirmed_the_browser_keeps_waiting(self):
        _, challenge_id, _ = _issue()

        assert web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER) is None
        assert web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER) is None

    def test_a_wrong_secret_or_unknown_challenge_is_invalid_and_writes_nothing(self):
        member = MemberFactory()
        challenge, challenge_id, secret = _issue()

        for cid, sec in [
            (challenge_id, secret + "x"),
            (challenge_id, ""),
            ("00000000-0000-4000-8000-000000000000", secret),
            ("not-a-uuid", secret),
        ]:
            with pytest.raises(ValidationFailed, match="challenge_invalid"):
                _confirm(member, cid, sec)
        challenge.refresh_from_db()
        assert challenge.confirmed_at is None

    def test_an_unbound_token_is_refused(self):
        _, challenge_id, secret = _issue()

        with pytest.raises(AccessDenied, match="not_bound"):
            web_challenge_confirm(
                token=_token(openid="o-unbound"), challenge_id=challenge_id, secret=secret
            )
        assert not WebSignInChallenge.objects.filter(confirmed_at__isnull=False).exists()

    def test_an_inactive_member_is_refused(self):
        member = MemberFactory()
        token = _token(member)
        member.is_active = False
        member.save()
        _, challenge_id, secret = _issue()

        with pytest.raises(AccessDenied, match="member_inactive"):
            web_challenge_confirm(token=token, challenge_id=challenge_id, secret=secret)
        assert not WebSignInChallenge.objects.filter(confirmed_at__isnull=False).exists()

    def test_a_member_of_an_inactive_unit_is_refused(self):
        member = MemberFactory()
        token = _token(member)
        member.unit.is_active = False
        member.unit.save()
        _, challenge_id, secret = _issue()

        with pytest.raises(AccessDenied, match="actor_unit_inactive"):
            web_challenge_confirm(token=token, challenge_id=challenge_id, secret=secret)
        assert not WebSignInChallenge.objects.filter(confirmed_at__isnull=False).exists()

    def test_an_expired_challenge_cannot_be_confirmed(self, frozen_now):
        member = MemberFactory()
        challenge, challenge_id, secret = _issue()

        with (
            time_machine.travel(frozen_now + dt.timedelta(seconds=120), tick=False),
            pytest.raises(ValidationFailed, match="challenge_expired"),
        ):
            _confirm(member, challenge_id, secret)
        challenge.refresh_from_db()
        assert challenge.confirmed_at is None

    def test_one_second_before_expiry_it_still_can(self, frozen_now):
        member = MemberFactory()
        _, challenge_id, secret = _issue()

        with time_machine.travel(frozen_now + dt.timedelta(seconds=119), tick=False):
            assert _confirm(member, challenge_id, secret) == member

    def test_another_member_cannot_take_over_a_confirmed_challenge(self):
        first, second = MemberFactory(), MemberFactory()
        challenge, challenge_id, secret = _issue()
        _confirm(first, challenge_id, secret)

        with pytest.raises(ValidationFailed, match="challenge_used"):
            _confirm(second, challenge_id, secret)
        challenge.refresh_from_db()
        assert challenge.confirmed_by == first

    def test_confirming_again_as_the_same_member_is_a_harmless_retry(self):
        member = MemberFactory()
        _, challenge_id, secret = _issue()
        _confirm(member, challenge_id, secret)

        assert _confirm(member, challenge_id, secret) == member

    def test_after_the_browser_signed_in_the_challenge_is_used(self):
        member = MemberFactory()
        _, challenge_id, secret = _issue()
        _confirm(member, challenge_id, secret)
        web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER)

        with pytest.raises(ValidationFailed, match="challenge_used"):
            _confirm(member, challenge_id, secret)


@pytest.mark.usefixtures("frozen_now")
class TestCompleting:
    def test_a_challenge_signs_in_once(self):
        member = MemberFactory()
        challenge, challenge_id, secret = _issue()
        _confirm(member, challenge_id, secret)

        web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER)
        with pytest.raises(ValidationFailed, match="challenge_used"):
            web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER)

    def test_another_browser_cannot_use_a_confirmed_challenge(self):
        member = MemberFactory()
        challenge, challenge_id, secret = _issue()
        _confirm(member, challenge_id, secret)

        with pytest.raises(ValidationFailed, match="challenge_invalid"):
            web_challenge_complete(challenge_id=challenge_id, browser_secret=OTHER_BROWSER)
        challenge.refresh_from_db()
        assert challenge.used_at is None
        # The browser that created it still can.
        assert web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER) == member

    def test_an_unconfirmed_challenge_expires(self, frozen_now):
        _, challenge_id, _ = _issue()

        with (
            time_machine.travel(frozen_now + dt.timedelta(seconds=120), tick=False),
            pytest.raises(ValidationFailed, match="challenge_expired"),
        ):
            web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER)

    def test_a_challenge_confirmed_in_time_completes_within_the_grace(self, frozen_now):
        member = MemberFactory()
        _, challenge_id, secret = _issue()
        with time_machine.travel(frozen_now + dt.timedelta(seconds=119), tick=False):
            _confirm(member, challenge_id, secret)

        with time_machine.travel(frozen_now + dt.timedelta(seconds=125), tick=False):
            assert (
                web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER) == member
            )

    def test_but_not_long_after(self, frozen_now):
        member = MemberFactory()
        challenge, challenge_id, secret = _issue()
        _confirm(member, challenge_id, secret)

        with (
            time_machine.travel(frozen_now + dt.timedelta(minutes=10), tick=False),
            pytest.raises(ValidationFailed, match="challenge_expired"),
        ):
            web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER)
        challenge.refresh_from_db()
        assert challenge.used_at is None

    def test_a_member_deactivated_after_confirming_is_not_signed_in(self):
        member = MemberFactory()
        _, challenge_id, secret = _issue()
        _confirm(member, challenge_id, secret)
        member.is_active = False
        member.save()

        with pytest.raises(AccessDenied, match="member_inactive"):
            web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER)


def _race(attempts):
    """Run the callables at once, each on its own connection; their outcomes."""
    barrier = threading.Barrier(len(attempts), timeout=30)
    outcomes: list = [None] * len(attempts)

    def run(index):
        try:
            barrier.wait()
            outcomes[index] = "won" if attempts[index]() is not None else "none"
        except ValidationFailed as exc:
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
class TestConcurrentCompletion:
    RACERS = 8

    def _confirmed(self):
        member = MemberFactory()
        _, challenge_id, secret = _issue()
        _confirm(member, challenge_id, secret)
        return challenge_id

    def test_many_polls_at_once_sign_in_exactly_once(self):
        challenge_id = self._confirmed()

        outcomes = _race(
            [
                lambda: web_challenge_complete(challenge_id=challenge_id, browser_secret=BROWSER)
                for _ in range(self.RACERS)
            ]
        )

        assert Counter(outcomes) == {"won": 1, "challenge_used": self.RACERS - 1}

    def test_control_a_read_then_write_completion_lets_several_win(self):
        """The same race against a naive check-then-set: several win, so the race above
        really overlaps and its single winner is the conditional UPDATE's doing."""
        challenge_id = self._confirmed()
        gate = threading.Barrier(self.RACERS, timeout=30)

        def naive():
            challenge = WebSignInChallenge.objects.get(pk=challenge_id)
            gate.wait()  # Everyone has read "unused" before anyone writes.
            if challenge.used_at is not None:
                raise ValidationFailed("challenge_used")
            challenge.used_at = challenge.confirmed_at
            challenge.save(update_fields=["used_at"])
            return challenge

        outcomes = _race([naive for _ in range(self.RACERS)])

        assert Counter(outcomes)["won"] > 1

    def test_two_members_confirming_at_once_one_wins(self):
        members = [MemberFactory() for _ in range(self.RACERS)]
        tokens = [_token(member) for member in members]
        _, challenge_id, secret = _issue()

        outcomes = _race(
            [
                lambda t=token: web_challenge_confirm(
                    token=t, challenge_id=challenge_id, secret=secret
                )
                for token in tokens
            ]
        )

        assert Counter(outcomes) == {"won": 1, "challenge_used": self.RACERS - 1}
