"""Migrating an existing database: the access token left in plain text by 0001 is dropped
(not carried over), and the next reader fetches and stores a new one, encrypted."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alliance.crypto import secret_decrypt
from notifications.models import WeChatAccessToken
from notifications.wechat import access_token_get
from tests.conftest import FROZEN_NOW
from tests.wechat_fake import APPID, STABLE_TOKEN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_now")]

BEFORE = [("notifications", "0001_initial")]
PLAINTEXT = "plaintext-access-token-from-before"


def migrate(targets):
    """Migrate the test database to ``targets``; the model state there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_plaintext_token_is_dropped_and_fetched_again_encrypted(wechat_server):
    old_apps = migrate(BEFORE)
    old_apps.get_model("notifications", "WeChatAccessToken").objects.create(
        pk=1, appid=APPID, token=PLAINTEXT, expires_at=FROZEN_NOW + dt.timedelta(hours=1)
    )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # 0002 and all later

    table = connection.ops.quote_name(WeChatAccessToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a fixed table name
        (row,) = cursor.fetchall()
    assert all(PLAINTEXT not in str(column) for column in row)
    assert WeChatAccessToken.objects.get().token_encrypted == ""

    token = access_token_get()

    assert token != PLAINTEXT
    assert len(wechat_server.requests_to(STABLE_TOKEN)) == 1
    assert secret_decrypt(WeChatAccessToken.objects.get().token_encrypted) == token
