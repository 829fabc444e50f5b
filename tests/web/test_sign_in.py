"""The web sign-in page: a challenge as a QR code and as text, the poll that signs the
session in once the mini-program confirmed, staff passwords under the sign-in limits, and
the debug-only page that plays the mini-program."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import translation

from alliance.errors import MESSAGES
from alliance.models import ApiToken, Member, WebSignInChallenge
from alliance.web_sign_in import challenge_payload_parse
from tests.api.helpers import api_client
from tests.factories import MemberFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PASSWORD = "correct horse battery staple"
PAYLOAD = re.compile(r'data-testid="sign-in-payload">([^<]+)<')


def _open_sign_in(client: Client, next_url: str = "/me/") -> tuple[str, str, str]:
    """Open the sign-in page; the payload it shows, split into (payload, id, secret)."""
    response = client.get("/sign-in/", {"next": next_url})
    assert response.status_code == 200
    payload = PAYLOAD.search(response.content.decode()).group(1)
    challenge_id, secret = challenge_payload_parse(payload)
    return payload, challenge_id, secret


def _scan(member, challenge_id: str, secret: str) -> None:
    """The mini-program confirms, over the API, with the member's bearer token."""
    response = api_client(member).post(
        f"/api/v1/auth/web-challenges/{challenge_id}/confirm/", {"secret": secret}, format="json"
    )
    assert response.status_code == 200, response.json()


def _poll(client: Client, challenge_id: str, next_url: str = "/me/", **headers):
    return client.post(
        f"/sign-in/challenges/{challenge_id}/poll/",
        {"next": next_url},
        headers={"HX-Request": "true", **headers},
    )


def _signed_in_as(client: Client):
    return client.session.get(SESSION_KEY)


class TestThePage:
    def test_it_shows_the_challenge_as_a_qr_code_and_as_text(self):
        response = Client().get("/sign-in/")

        html = response.content.decode()
        assert '<svg width="' in html
        assert 'data-testid="sign-in-qr"' in html
        payload = PAYLOAD.search(html).group(1)
        assert payload.startswith("alliance-share:web-sign-in:")
        assert 'hx-trigger="every 2s"' in html
        assert WebSignInChallenge.objects.count() == 1

    def test_the_dev_link_shows_with_debug_only(self, settings):
        assert (
            'data-testid="dev-mini-program-link"' not in Client().get("/sign-in/").content.decode()
        )
        settings.DEBUG = True
        assert 'data-testid="dev-mini-program-link"' in Client().get("/sign-in/").content.decode()

    def test_too_many_challenges_from_one_address_show_a_message_and_the_password_form(
        self, settings
    ):
        settings.WEB_SIGN_IN_CHALLENGE_LIMIT = 2
        client = Client()
        client.get("/sign-in/")
        client.get("/sign-in/")

        response = client.get("/sign-in/")

        html = response.content.decode()
        assert 'data-testid="sign-in-limited"' in html
        assert 'data-testid="sign-in-qr"' not in html
        assert 'data-testid="password-form"' in html
        assert WebSignInChallenge.objects.count() == 2


class TestScanning:
    def test_the_poll_waits_until_confirmed_then_signs_in_and_redirects_to_next(self):
        member = MemberFactory()
        browser = Client()
        _, challenge_id, secret = _open_sign_in(browser, "/bookings/")

        waiting = _poll(browser, challenge_id, "/bookings/")
        assert waiting.status_code == 200
        assert 'hx-trigger="every 2s"' in waiting.content.decode()
        assert _signed_in_as(browser) is None

        _scan(member, challenge_id, secret)
        key_before = browser.session.session_key
        done = _poll(browser, challenge_id, "/bookings/")

        assert done["HX-Redirect"] == "/bookings/"
        assert _signed_in_as(browser) == str(member.user.pk)
        assert browser.session.session_key != key_before
        assert browser.get("/me/").status_code == 200

    def test_without_htmx_the_poll_redirects(self):
        member = MemberFactory()
        browser = Client()
        _, challenge_id, secret = _open_sign_in(browser)
        _scan(member, challenge_id, secret)

        response = browser.post(f"/sign-in/challenges/{challenge_id}/poll/", {"next": "/me/"})

        assert response.status_code == 302
        assert response["Location"] == "/me/"

    @pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/x", ""])
    def test_a_next_off_this_site_goes_home(self, unsafe):
        member = MemberFactory()
        browser = Client()
        _, challenge_id, secret = _open_sign_in(browser, unsafe)
        _scan(member, challenge_id, secret)

        assert _poll(browser, challenge_id, unsafe)["HX-Redirect"] == "/"

    def test_another_browser_cannot_use_the_confirmed_challenge(self):
        member = MemberFactory()
        browser, thief = Client(), Client()
        _, challenge_id, secret = _open_sign_in(browser)
        thief.get("/sign-in/")  # A session of its own, with its own browser secret.
        _scan(member, challenge_id, secret)

        response = _poll(thief, challenge_id)

        assert "HX-Redirect" not in response
        assert 'data-testid="sign-in-error"' in response.content.decode()
        assert _signed_in_as(thief) is None
        assert _poll(browser, challenge_id)["HX-Redirect"] == "/me/"

    def test_a_challenge_signs_in_once(self):
        member = MemberFactory()
        browser = Client()
        _, challenge_id, secret = _open_sign_in(browser)
        _scan(member, challenge_id, secret)
        _poll(browser, challenge_id)
        browser.post("/sign-out/")

        response = _poll(browser, challenge_id)

        assert "HX-Redirect" not in response
        assert _signed_in_as(browser) is None

    def test_the_poll_is_csrf_protected(self):
        member = MemberFactory()
        browser = Client(enforce_csrf_checks=True)
        _, challenge_id, secret = _open_sign_in(browser)
        _scan(member, challenge_id, secret)

        response = _poll(browser, challenge_id)

        assert response.status_code == 403
        assert _signed_in_as(browser) is None
        assert WebSignInChallenge.objects.get().used_at is None


class TestPasswords:
    def test_staff_sign_in_with_their_password(self):
        manager = MemberFactory(role=Member.Role.UNIT_MANAGER, user__is_staff=True)
        client = Client()

        response = client.post(
            "/sign-in/password/",
            {"username": manager.user.username, "password": PASSWORD, "next": "/bookings/"},
        )

        assert response.status_code == 302
        assert response["Location"] == "/bookings/"
        assert _signed_in_as(client) == str(manager.user.pk)
        assert not ApiToken.objects.exists()

    def test_a_researcher_is_answered_as_for_a_wrong_password(self):
        researcher = MemberFactory()
        staff = MemberFactory(role=Member.Role.UNIT_MANAGER, user__is_staff=True)

        right = Client().post(
            "/sign-in/password/",
            {"username": researcher.user.username, "password": PASSWORD},
            follow=True,
        )
        wrong = Client().post(
            "/sign-in/password/", {"username": staff.user.username, "password": "nope"}, follow=True
        )

        messages = [[str(m) for m in r.context["messages"]] for r in (right, wrong)]
        assert messages[0] == messages[1]
        with translation.override("zh-hans"):
            assert messages[0] == [str(MESSAGES["invalid_credentials"])]
        assert _signed_in_as(right.client) is None

    def test_failures_are_limited_like_every_other_door(self, settings):
        settings.SIGN_IN_FAILURE_LIMIT = 3
        staff = MemberFactory(role=Member.Role.UNIT_MANAGER, user__is_staff=True)
        client = Client()
        for _ in range(3):
            client.post("/sign-in/password/", {"username": staff.user.username, "password": "x"})

        response = client.post(
            "/sign-in/password/",
            {"username": staff.user.username, "password": PASSWORD},
            follow=True,
        )

        assert _signed_in_as(client) is None
        *_, message = [str(m) for m in response.context["messages"]]
        with translation.override("zh-hans"):
            assert message == str(MESSAGES["sign_in_rate_limited"]) % {"minutes": 15}

    def test_the_back_office_counts_the_same_failures(self, settings):
        settings.SIGN_IN_FAILURE_LIMIT = 2
        staff = MemberFactory(role=Member.Role.UNIT_MANAGER, user__is_staff=True)
        client = Client()
        for _ in range(2):
            client.post("/sign-in/password/", {"username": staff.user.username, "password": "x"})

        client.post("/admin/login/", {"username": staff.user.username, "password": PASSWORD})

        assert _signed_in_as(client) is None

    def test_a_superuser_without_a_member_signs_in_as_secretariat(self):
        UserFactory(username="root", is_staff=True, is_superuser=True)
        client = Client()

        client.post("/sign-in/password/", {"username": "root", "password": PASSWORD})

        assert Member.objects.get(user__username="root").role == Member.Role.SECRETARIAT
        assert _signed_in_as(client) is not None


class TestDevMiniProgram:
    URLS = ("/dev/mini-program/", "/dev/mini-program/confirm/", "/dev/mini-program/token/")

    @pytest.mark.parametrize("url", URLS)
    def test_with_debug_off_every_url_is_404(self, url, settings):
        settings.DEBUG = False
        member = MemberFactory()

        assert Client().get(url).status_code == 404
        assert Client().post(url, {"member": member.pk}).status_code == 404
        assert not ApiToken.objects.exists()

    def test_it_lists_the_active_members_only(self, settings):
        settings.DEBUG = True
        active, gone = MemberFactory(name="在职者"), MemberFactory(name="离职者", is_active=False)

        html = Client().get("/dev/mini-program/").content.decode()

        assert active.name in html
        assert gone.name not in html

    def test_it_confirms_a_challenge_as_the_chosen_member_through_the_real_services(self, settings):
        settings.DEBUG = True
        member = MemberFactory()
        browser = Client()
        payload, challenge_id, _ = _open_sign_in(browser)

        response = browser.post(
            "/dev/mini-program/confirm/", {"member": member.pk, "payload": payload}
        )

        assert 'data-testid="dev-confirmed"' in response.content.decode()
        member.refresh_from_db()
        assert member.wechat_openid == f"dev-openid-{member.pk}"  # linked by an invite code
        assert member.invite_codes.get().used_at is not None
        assert _poll(browser, challenge_id)["HX-Redirect"] == "/me/"

    def test_the_rules_still_apply(self, settings):
        settings.DEBUG = True
        member = MemberFactory()
        member.unit.is_active = False
        member.unit.save()
        browser = Client()
        payload, _, _ = _open_sign_in(browser)

        response = browser.post(
            "/dev/mini-program/confirm/", {"member": member.pk, "payload": payload}
        )

        assert 'data-code="actor_unit_inactive"' in response.content.decode()
        assert not WebSignInChallenge.objects.filter(confirmed_at__isnull=False).exists()

    def test_a_bad_payload_is_a_clear_error(self, settings):
        settings.DEBUG = True
        member = MemberFactory()

        response = Client().post(
            "/dev/mini-program/confirm/", {"member": member.pk, "payload": "hello"}
        )

        assert 'data-code="challenge_invalid"' in response.content.decode()

    def test_it_hands_out_a_real_bearer_token(self, settings):
        settings.DEBUG = True
        member = MemberFactory()

        html = Client().post("/dev/mini-program/token/", {"member": member.pk}).content.decode()

        token = re.search(r'data-testid="dev-token">([^<]+)<', html).group(1)
        me = api_client().get("/api/v1/me/", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["member"]["id"] == member.pk

    def test_without_a_member_it_says_so(self, settings):
        settings.DEBUG = True

        response = Client().post("/dev/mini-program/token/", {"member": "x"})

        assert 'data-code="invalid"' in response.content.decode()


class TestQueryCounts:
    @pytest.mark.parametrize("url", ["/sign-in/", "/dev/mini-program/"])
    def test_the_pages_read_as_much_for_many_members_as_for_few(
        self, url, settings, django_assert_max_num_queries
    ):
        settings.DEBUG = True
        MemberFactory()
        client = Client()
        client.get(url)  # The session exists from here on.
        counts = []
        for extra in (0, 20):
            for _ in range(extra):
                MemberFactory()
            with django_assert_max_num_queries(100) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))

        assert counts[0] == counts[1]
