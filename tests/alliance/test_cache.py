"""The shared default cache: Django's database cache with counters that never lose a count.

Limits hold across servers only if every server counts in one place and no increment is
lost when two count at once. The races run on PostgreSQL with real threads (one database
connection each); the control shows that Django's stock DatabaseCache loses increments
under the same race. The Redis option is exercised against the Redis server that runs on
loopback on this machine and in CI.
"""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, connections
from django.test import override_settings

from alliance import ratelimit
from alliance.cache import CounterDatabaseCache
from alliance.models import MemberRole
from tests.api.helpers import api_client
from tests.conftest import FROZEN_NOW
from tests.factories import MemberFactory

THREADS = 8
ROUNDS = 25
REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD_LOGIN = "/api/v1/auth/password-login/"


def test_the_default_cache_is_the_database_shared_by_every_server():
    assert isinstance(caches["default"], CounterDatabaseCache)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
class TestCounters:
    def test_incr_counts_and_keeps_the_entrys_expiry(self):
        cache.add("hits", 0, timeout=60)
        assert [cache.incr("hits") for _ in range(3)] == [1, 2, 3]

        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=59), tick=False):
            assert cache.get("hits") == 3
        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=61), tick=False):
            assert cache.get("hits") is None
            with pytest.raises(ValueError, match="not found"):
                cache.incr("hits")

    def test_incr_counts_an_entry_stored_in_djangos_own_format_too(self):
        cache.set("stock", 41, timeout=60)  # set() pickles, as the stock backend does
        DatabaseCache("cache", {}).set("also-stock", 1, timeout=60)

        assert cache.incr("stock") == 42
        assert cache.incr("stock") == 43
        assert cache.incr("also-stock", 2) == 3
        assert cache.get_many(["stock", "also-stock"]) == {"stock": 43, "also-stock": 3}

    def test_incr_of_a_missing_key_is_a_value_error(self):
        with pytest.raises(ValueError, match="not found"):
            cache.incr("nothing")

    def test_add_stores_only_over_a_missing_or_expired_entry(self):
        assert cache.add("k", "first", timeout=10) is True
        assert cache.add("k", "second", timeout=10) is False
        assert cache.get("k") == "first"
        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=11), tick=False):
            assert cache.add("k", "third", timeout=10) is True
            assert cache.get("k") == "third"

    def test_a_full_table_drops_expired_entries_but_never_live_counters(self, settings):
        small = CounterDatabaseCache("cache", {"OPTIONS": {"MAX_ENTRIES": 3}})
        for index in range(3):
            small.set(f"old-{index}", index, timeout=5)
        for index in range(3):
            small.add(f"limit-{index}", index, timeout=900)
        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=6), tick=False):
            small.set("one-more", 1, timeout=900)  # the stock cache would cull a third here
            stored = small.get_many([f"limit-{index}" for index in range(3)])

        assert stored == {"limit-0": 0, "limit-1": 1, "limit-2": 2}

    def test_counter_incr_opens_a_window_that_later_counts_do_not_extend(self):
        assert [ratelimit.counter_incr("c", window=60) for _ in range(3)] == [1, 2, 3]
        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=61), tick=False):
            assert ratelimit.counter_incr("c", window=60) == 1

    def test_a_count_is_one_statement_even_when_it_opens_the_window(
        self, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            assert ratelimit.counter_incr("one", window=60) == 1
        with django_assert_num_queries(1):
            assert ratelimit.counter_incr("one", window=60) == 2

    def test_a_later_count_does_not_extend_the_window(self):
        assert ratelimit.counter_incr("w", window=60) == 1
        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=50), tick=False):
            assert ratelimit.counter_incr("w", window=60) == 2
        with time_machine.travel(FROZEN_NOW + dt.timedelta(seconds=61), tick=False):
            assert ratelimit.counter_incr("w", window=60) == 1

    def test_counting_over_a_value_that_is_not_a_number_starts_again(self):
        cache.set("word", "hello", timeout=600)
        assert ratelimit.counter_incr("word", window=60) == 1
        assert ratelimit.counter_incr("word", window=60) == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgres_the_cache_table_skips_the_write_ahead_log():
    """Every counted request writes it; a logged table would wait for a WAL flush."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'cache'")
        assert cursor.fetchone() == ("u",)


def _race(backend, key: str) -> None:
    """THREADS threads, each incrementing ``key`` ROUNDS times, lined up by a barrier."""
    barrier = threading.Barrier(THREADS, timeout=30)
    errors: list[BaseException] = []

    def count() -> None:
        try:
            for _ in range(ROUNDS):
                barrier.wait()
                backend.incr(key)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestAtomicIncrementOnPostgres:
    @pytest.fixture(autouse=True)
    def _empty_cache(self):
        cache.clear()  # the cache table is not flushed between transactional tests
        yield
        cache.clear()

    def test_concurrent_increments_all_count(self):
        cache.add("race", 0, timeout=600)

        _race(caches["default"], "race")

        assert cache.get("race") == THREADS * ROUNDS

    def test_control_the_stock_database_cache_loses_increments(self):
        stock = DatabaseCache("cache", {})
        stock.add("race", 0, timeout=600)

        _race(stock, "race")

        assert stock.get("race") < THREADS * ROUNDS

    def test_concurrent_first_failures_open_one_window_and_all_count(self):
        barrier = threading.Barrier(THREADS, timeout=30)
        counts: list[int] = []

        def fail() -> None:
            try:
                barrier.wait()
                counts.append(ratelimit.counter_incr("first", window=600))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=fail) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        assert sorted(counts) == list(range(1, THREADS + 1))


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.exceptions.ConnectionError:
        return False


REDIS_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "alliance-tests",
    }
}


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server answers at 127.0.0.1:6379")
class TestRedis:
    """CACHE_URL=redis://... (the production option): the client is installed and the limits
    count there, atomically."""

    @pytest.fixture(autouse=True)
    def _redis_cache(self):
        with override_settings(CACHES=REDIS_CACHES):
            cache.clear()
            yield
            cache.clear()

    def test_sign_in_failures_are_limited_in_redis(self, settings):
        settings.SIGN_IN_FAILURE_LIMIT = 3
        who = {"address": "192.0.2.1", "account": "username:li"}
        for _ in range(3):
            assert ratelimit.sign_in_wait(**who) is None
            ratelimit.sign_in_failure_record(**who)

        wait = ratelimit.sign_in_wait(**who)

        assert 0 < wait <= settings.SIGN_IN_FAILURE_WINDOW_SECONDS
        assert "RedisCache" in type(caches["default"]).__name__

    def test_concurrent_increments_all_count(self):
        cache.add("race", 0, timeout=600)

        _race(caches["default"], "race")

        assert cache.get("race") == THREADS * ROUNDS

    @pytest.mark.django_db
    def test_password_sign_in_answers_and_is_limited(self):
        manager = MemberFactory(role=MemberRole.UNIT_MANAGER, user__is_staff=True)
        body = {"username": manager.user.username, "password": "wrong"}
        answers = [
            api_client().post(PASSWORD_LOGIN, body, format="json").status_code for _ in range(6)
        ]

        assert answers == [400] * 5 + [429]
