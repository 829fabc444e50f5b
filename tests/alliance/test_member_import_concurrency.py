"""Two imports of the same sheet at the same moment on PostgreSQL: each person is created
once. The second import waits for the first one's lock on the unit, then finds them there.
The control switches the lock off and shows that the race is real."""

from __future__ import annotations

import io
import threading

import openpyxl
import pytest
from django.db import connection, connections

from alliance import member_import
from alliance.member_import import members_import
from alliance.models import Member, MemberRole
from tests.factories import MemberFactory, UnitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONES = ["13800138000", "13800138001", "13800138002"]


def _sheet() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "手机号"])
    for n, phone in enumerate(PHONES):
        workbook.active.append([f"成员{n}", phone])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _race(monkeypatch, manager, unit, *, locked: bool):
    """Two imports; the first to check its rows waits there until the other is either
    waiting for a lock (locked) or checking its rows too (control), then both go on."""
    real_check = member_import.rows_check
    checking = threading.Semaphore(0)
    first = threading.Lock()
    outcomes: list = [None, None]

    def other_is_blocked_or_checking() -> bool:
        if checking.acquire(timeout=0.05):
            return True
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            return cursor.fetchone()[0] > 0

    def rows_check(*args, **kwargs):
        if first.acquire(blocking=False):
            for _ in range(200):  # at most 10 seconds
                if other_is_blocked_or_checking():
                    break
        else:
            checking.release()
        return real_check(*args, **kwargs)

    monkeypatch.setattr(member_import, "rows_check", rows_check)
    if not locked:
        monkeypatch.setattr(member_import, "_units_lock", lambda unit_ids: None)
    content = _sheet()
    barrier = threading.Barrier(2, timeout=30)

    def attempt(i):
        try:
            barrier.wait()
            report = members_import(
                actor=manager, unit_id=unit.pk, file=io.BytesIO(content), commit=True
            )
            outcomes[i] = report.counts
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_two_imports_at_once_create_each_person_once(monkeypatch):
    assert connection.vendor == "postgresql"
    unit = UnitFactory()
    manager = MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER)
    outcomes = _race(monkeypatch, manager, unit, locked=True)
    assert sorted(outcome["created"] for outcome in outcomes) == [0, 3], outcomes
    assert sorted(outcome["existing"] for outcome in outcomes) == [0, 3], outcomes
    assert Member.objects.filter(unit=unit, phone__in=PHONES).count() == 3


def test_control_without_the_lock_both_imports_create_everyone(monkeypatch):
    unit = UnitFactory()
    manager = MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER)
    outcomes = _race(monkeypatch, manager, unit, locked=False)
    assert [outcome["created"] for outcome in outcomes] == [3, 3], outcomes
    assert Member.objects.filter(unit=unit, phone__in=PHONES).count() == 6
