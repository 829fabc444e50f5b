"""The API against its own OpenAPI schema: every operation fuzzed, as the secretariat and as a
researcher.

Schemathesis reads the schema the app serves and sends generated requests for every operation
to the WSGI app in this process, signed with a real Bearer token of a member of a small world.
Every answer must be no server error, a status the operation documents, with the documented
content type and headers, and a body that validates against the documented schema; input the
schema forbids (a wrong type, a blank required text, an unknown field, a page of 0) must be
refused (negative data rejection).

Bounded and repeatable: a fixed seed, derandomized generation, no example database, and each
operation a fresh world and token (its own test). Phases:

- as the secretariat, who may do everything, so that generated input reaches the services:
  the schema's examples, then the coverage phase (every boundary and wrong-type case the
  schema defines, deterministic), then MAX_EXAMPLES random requests;
- as a researcher, who is refused most management: the examples and random requests only.
  The coverage cases check input handling, which comes before any role's decision and is the
  same for both; running them twice would double the cost and find nothing new.

What the fuzzer writes (bookings, members, closures) lands in the test database and is
rolled back with the test. Sign-in with a WeChat code talks to the loopback fake WeChat.
"""

from __future__ import annotations

import copy

import hypothesis
import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alliance.models import Member, SignInChannel
from alliance.tokens import api_token_issue
from tests import wechat_fake
from tests.api.world import world_build

wechat_server = wechat_fake.wechat_server

#: Random requests per operation and role, after the examples and coverage cases. With the
#: coverage phase the module sends about 1,900 requests, about a minute of CPU in all.
MAX_EXAMPLES = 8
SEED = 20261123

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

APP = get_wsgi_application()
#: The schema exactly as /api/schema/ serves it (built without a request or the database).
SERVED = SchemaGenerator().get_schema(request=None, public=True)


def _schema(*, coverage: bool) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"coverage": {"enabled": coverage}},
            # A 503 is a documented, transient answer (resource_busy, WeChat unavailable):
            # allowed where the operation documents it (status_code_conformance checks that).
            # Any other 5xx fails.
            "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}},
        }
    )
    return schemathesis.openapi.from_dict(copy.deepcopy(SERVED), config=config)


as_secretariat = _schema(coverage=True)
as_researcher = _schema(coverage=False)


def _token(member: Member) -> str:
    _, raw = api_token_issue(member=member, channel=SignInChannel.WECHAT)
    return raw


@pytest.fixture
def connections_kept_open():
    """Keep the test's database connection across requests, as Django's test client does.

    The WSGI handler closes connections when a request starts and finishes; on PostgreSQL
    that would end the test's transaction after the first request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db, settings, wechat_server, frozen_now, connections_kept_open):
    """A fresh world for one operation at a fixed instant (what is past, open or due does
    not change with the day of the run); the WSGI client's host allowed, and no sign-in
    failures counted by an earlier test."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cache.clear()
    return world_build()


@pytest.fixture
def secretariat_token(fuzz_world) -> str:
    return _token(fuzz_world.secretariat)


@pytest.fixture
def researcher_token(fuzz_world) -> str:
    return _token(fuzz_world.researcher)


# All the examples of an operation share its world and token on purpose: later requests read
# what earlier ones wrote, as on a real server (the logout operation signs its token out, and
# its later requests are rightly answered 401).
SHARED_FIXTURES = hypothesis.settings(
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)


@as_secretariat.parametrize()
@SHARED_FIXTURES
def test_every_operation_answers_the_secretariat_as_documented(case, secretariat_token):
    headers = {"Authorization": f"Bearer {secretariat_token}"}
    case.call_and_validate(app=APP, headers=headers, checks=CHECKS)


@as_researcher.parametrize()
@SHARED_FIXTURES
def test_every_operation_answers_a_researcher_as_documented(case, researcher_token):
    headers = {"Authorization": f"Bearer {researcher_token}"}
    case.call_and_validate(app=APP, headers=headers, checks=CHECKS)
