"""Power control against a relay stand-in on loopback: starting a session switches the
instrument on after the session is recorded, stopping switches it off; a relay that is slow,
refuses or is gone never loses the session, records the attempt, and tells the member and
the managers. See docs/interlock.md."""

import datetime as dt

import pytest

from alliance.models import MemberRole
from bookings.interlock import (
    HttpRelayDriver,
    InterlockFailed,
    interlock_config_set,
    session_power_apply,
)
from bookings.models import InterlockAttempt, UsageSession
from bookings.usage import usage_start, usage_stop
from notifications.models import Notification
from tests.conftest import local
from tests.factories import MemberFactory, ResourceFactory
from tests.relay_standin import RelayStandIn

pytestmark = pytest.mark.django_db

NINE = local(2026, 11, 24, 9)
SECRET = "relay-secret-0f3a9c"


@pytest.fixture
def relay(settings):
    settings.INTERLOCK_TIMEOUT_SECONDS = 0.5
    with RelayStandIn(secret=SECRET) as standin:
        yield standin


@pytest.fixture
def lab(relay):
    resource = ResourceFactory(name="透射电镜", allows_walk_up=True)
    interlock_config_set(
        resource_id=resource.pk, driver="http_relay", relay_url=relay.url, channel=2, secret=SECRET
    )
    return resource


@pytest.fixture
def people(lab):
    return {
        "user": MemberFactory(),
        "manager": MemberFactory(unit=lab.unit, role=MemberRole.UNIT_MANAGER),
    }


def start(lab, member, capture):
    with capture(execute=True):
        return usage_start(actor=member, resource_id=lab.pk, code=lab.checkin_code, now=NINE)


def stop(session, member, capture):
    with capture(execute=True):
        return usage_stop(actor=member, session_id=session.pk, now=NINE + dt.timedelta(hours=1))


def test_the_secret_is_stored_encrypted_and_sent_only_to_the_relay(lab, relay):
    config = lab.interlock
    assert SECRET not in config.secret_encrypted
    assert HttpRelayDriver().unlock(config) == "on"
    assert relay.state == {2: "on"}
    assert HttpRelayDriver().status(config) == "on"


def test_starting_switches_on_and_stopping_switches_off(
    lab, people, relay, django_capture_on_commit_callbacks
):
    session = start(lab, people["user"], django_capture_on_commit_callbacks)
    assert relay.asked() == ["on"]
    session.refresh_from_db()
    assert session.power == "on"
    stop(session, people["user"], django_capture_on_commit_callbacks)
    assert relay.asked() == ["on", "off"]
    session.refresh_from_db()
    assert session.power == "off"
    assert session.stopped_at is not None
    attempts = list(InterlockAttempt.objects.order_by("pk").values_list("action", "ok", "session"))
    assert attempts == [("unlock", True, session.pk), ("lock", True, session.pk)]
    assert not Notification.objects.exists()


def test_nothing_is_switched_while_the_session_is_not_committed(lab, people, relay):
    """Without the commit (the test's transaction stays open) the relay is not called."""
    session = usage_start(actor=people["user"], resource_id=lab.pk, code=lab.checkin_code, now=NINE)
    assert relay.asked() == []
    assert session.power == "pending"


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda relay: setattr(relay, "delay", 2), "timeout"),
        (lambda relay: setattr(relay, "status", 500), "refused"),
        (lambda relay: setattr(relay, "secret", "changed"), "refused"),
    ],
    ids=["slow", "failing", "wrong-secret"],
)
def test_a_failing_relay_keeps_the_session_records_the_attempt_and_tells_people(
    lab, people, relay, setup, code, django_capture_on_commit_callbacks
):
    setup(relay)
    session = start(lab, people["user"], django_capture_on_commit_callbacks)
    session.refresh_from_db()
    assert session.is_running
    assert session.power == "on_failed"
    attempt = InterlockAttempt.objects.get()
    assert (attempt.action, attempt.ok, attempt.error_code) == ("unlock", False, code)
    if code == "timeout":
        assert 400 <= attempt.duration_ms < 2000
    told = set(Notification.objects.values_list("member", "kind"))
    assert told == {(people["user"].pk, "power_failed"), (people["manager"].pk, "power_failed")}
    assert all(SECRET not in n.body for n in Notification.objects.all())

    # The session can still be stopped; a failing power-off is recorded and told again.
    stop(session, people["user"], django_capture_on_commit_callbacks)
    session.refresh_from_db()
    assert session.stopped_at is not None
    assert session.power == "off_failed"
    assert InterlockAttempt.objects.filter(action="lock", ok=False).count() == 1


def test_a_relay_that_is_gone_is_unreachable(
    lab, people, relay, django_capture_on_commit_callbacks
):
    config = lab.interlock
    config.relay_url = "http://127.0.0.1:9/relay"  # discard port: nothing listens
    config.save()
    session = start(lab, people["user"], django_capture_on_commit_callbacks)
    assert InterlockAttempt.objects.get().error_code == "unreachable"
    assert UsageSession.objects.get(pk=session.pk).is_running


def test_a_resource_without_power_control_records_no_attempt(
    people, django_capture_on_commit_callbacks
):
    plain = ResourceFactory(allows_walk_up=True)
    with django_capture_on_commit_callbacks(execute=True):
        session = usage_start(
            actor=people["user"], resource_id=plain.pk, code=plain.checkin_code, now=NINE
        )
    assert session.power == "none"
    assert not InterlockAttempt.objects.exists()
    assert session_power_apply(session_id=session.pk, action="unlock") is None


def test_the_driver_refuses_a_relay_answer_it_did_not_ask_for(lab, relay):
    relay.state[2] = "off"
    config = lab.interlock
    with pytest.raises(InterlockFailed) as failed:
        HttpRelayDriver()._exchange(config, _request_not_http())
    assert failed.value.code == "unreachable"


def _request_not_http():
    import urllib.request

    return urllib.request.Request("file:///etc/passwd")  # noqa: S310 - the point
