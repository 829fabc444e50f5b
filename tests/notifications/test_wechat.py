"""The WeChat access token at rest: encrypted in the database row and in the cache, read back
to call WeChat, reused while valid, and fetched again (never a crash) when the stored value
cannot be decrypted because a key changed or the value was altered."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.db import connection

from alliance.crypto import secret_decrypt, secret_encrypt
from notifications.models import WeChatAccessToken
from notifications.wechat import _cache_key, access_token_get, subscribe_message_send
from tests.notifications.conftest import OPENID, TEMPLATES
from tests.wechat_fake import STABLE_TOKEN, SUBSCRIBE_SEND

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

DATA = {"thing1": {"value": "冷冻电镜"}}


@pytest.fixture
def wechat(wechat_server):
    """The loopback WeChat server, which knows the booker."""
    wechat_server.add_user(OPENID)
    return wechat_server


def raw_row() -> tuple:
    """The token's row exactly as the database holds it (raw SQL, no model field involved)."""
    table = connection.ops.quote_name(WeChatAccessToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a fixed table name
        (row,) = cursor.fetchall()
    return row


def send():
    subscribe_message_send(
        openid=OPENID, template_id=TEMPLATES["approved"], page="pages/index", data=DATA
    )


def test_the_raw_token_never_appears_in_the_database_row(wechat):
    token = access_token_get()

    row = raw_row()
    assert all(token not in str(column) for column in row)
    stored = WeChatAccessToken.objects.get()
    assert stored.token_encrypted in row
    assert secret_decrypt(stored.token_encrypted) == token


def test_the_cache_holds_the_token_encrypted_only(wechat):
    token = access_token_get()

    encrypted, _expires_at = cache.get(_cache_key())
    assert token not in encrypted
    assert secret_decrypt(encrypted) == token


def test_the_token_round_trips_and_is_reused_by_every_server(wechat):
    send()
    cache.clear()  # another server, with its own cache: it reads the row
    send()
    send()  # and now from its cache

    assert len(wechat.requests_to(STABLE_TOKEN)) == 1
    sends = wechat.requests_to(SUBSCRIBE_SEND)
    assert len(wechat.sent_messages) == 3, "WeChat accepted the decrypted token every time"
    assert len({request.query["access_token"] for request in sends}) == 1


# Each way of breaking the stored token. A changed key also leaves the cache's entry
# undecryptable, and it is kept there to show it is not trusted either; a changed row is
# read by a server whose cache is empty.


def another_secret_key(settings):
    settings.SECRET_KEY = "a-rotated-secret-key-for-tests-only"


def another_field_key(settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()


def altered_row(settings):
    encrypted = WeChatAccessToken.objects.get().token_encrypted
    flipped = encrypted[:20] + ("A" if encrypted[20] != "A" else "B") + encrypted[21:]
    WeChatAccessToken.objects.update(token_encrypted=flipped)
    cache.clear()


def plaintext_row(settings):
    """A value left in plain text, as an older version stored it."""
    WeChatAccessToken.objects.update(token_encrypted="a-plaintext-access-token")
    cache.clear()


@pytest.mark.parametrize(
    "break_key",
    [another_secret_key, another_field_key, altered_row, plaintext_row],
    ids=["SECRET_KEY rotated", "FIELD_ENCRYPTION_KEY set", "altered", "plain text"],
)
def test_a_token_that_does_not_decrypt_is_fetched_again_instead_of_crashing(
    wechat, settings, caplog, break_key
):
    caplog.set_level(logging.DEBUG)
    first = access_token_get()
    break_key(settings)

    send()

    (_first_fetch, second_fetch) = wechat.requests_to(STABLE_TOKEN)
    assert second_fetch.json["force_refresh"] is False, "the token in use stays valid"
    (request,) = wechat.requests_to(SUBSCRIBE_SEND)
    assert request.query["access_token"] == first  # stable_token hands back the same token
    assert len(wechat.sent_messages) == 1
    assert secret_decrypt(WeChatAccessToken.objects.get().token_encrypted) == first
    assert "does not decrypt" in caplog.text
    assert first not in caplog.text
    access_token_get()
    assert len(wechat.requests_to(STABLE_TOKEN)) == 2, "the re-encrypted token is reused"


def test_the_row_stores_what_secret_encrypt_gives_under_the_configured_key(wechat, settings):
    key = Fernet.generate_key()
    settings.FIELD_ENCRYPTION_KEY = key.decode()

    token = access_token_get()

    encrypted = WeChatAccessToken.objects.get().token_encrypted
    assert Fernet(key).decrypt(encrypted.encode()).decode() == token
    assert secret_encrypt(token) != encrypted, "every encryption is salted (random IV)"
