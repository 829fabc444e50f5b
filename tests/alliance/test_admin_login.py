"""The back office's /admin/login/ under the same failure limits as the API's password sign-in.

Before: 30 wrong passwords, then the right one signed in. Now: 5 failures of one account
from one address refuse that pair, the right password included, until the window passes;
other addresses are unaffected (nobody can lock a staff member out from elsewhere); one
address meets a ceiling across accounts.
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from alliance.models import MemberRole
from tests.api.helpers import api_client
from tests.conftest import FROZEN_NOW
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def manager():
    return MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)


def sign_in(username: str, password: str, address: str = "192.0.2.10"):
    client = Client(headers={"accept-language": "en"}, REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_signs_in(manager):
    client, response = sign_in(manager.user.username, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_after_five_wrong_passwords_even_the_right_one_is_refused(manager):
    for _ in range(5):
        client, _ = sign_in(manager.user.username, "wrong")
        assert not signed_in(client)

    client, response = sign_in(manager.user.username, PASSWORD)

    assert not signed_in(client)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts; please try again in 15 minutes." in (
        response.content.decode()
    )


def test_the_block_ends_when_the_window_passes(manager):
    for _ in range(5):
        sign_in(manager.user.username, "wrong")

    with time_machine.travel(FROZEN_NOW + dt.timedelta(minutes=15, seconds=1), tick=False):
        client, _ = sign_in(manager.user.username, PASSWORD)

    assert signed_in(client)


def test_failures_from_another_address_do_not_lock_the_staff_member_out(manager):
    for _ in range(10):
        sign_in(manager.user.username, "wrong", address="198.51.100.7")

    client, _ = sign_in(manager.user.username, PASSWORD)

    assert signed_in(client)


def test_one_address_meets_a_ceiling_across_accounts(manager, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    for index in range(3):
        sign_in(f"nobody{index}", "wrong")

    client, _ = sign_in(manager.user.username, PASSWORD)

    assert not signed_in(client)


def test_a_researcher_without_back_office_access_counts_as_a_failure(settings):
    settings.SIGN_IN_FAILURE_LIMIT = 2
    researcher = MemberFactory()
    for _ in range(2):
        client, response = sign_in(researcher.user.username, PASSWORD)
        assert not signed_in(client)

    _, response = sign_in(researcher.user.username, PASSWORD)

    assert "Too many failed sign-in attempts" in response.content.decode()


def test_failures_at_the_api_count_at_the_back_office_door_too(manager):
    body = {"username": manager.user.username, "password": "wrong"}
    for _ in range(5):
        api_client().post(
            "/api/v1/auth/password-login/", body, format="json", REMOTE_ADDR="192.0.2.10"
        )

    client, _ = sign_in(manager.user.username, PASSWORD)

    assert not signed_in(client)
