"""The small alliance the assessment tests compute by hand (2025, Asia/Shanghai).

Units O (owns the instruments), E and F (served), Z (owns an instrument of its own).
X: a general instrument (定额 1,400) with its asset data; Y: a specialised one (800);
R: retired, used in 2025; R0: retired and idle (not assessed); V: a venue (not an
instrument); ZX: Z's instrument.

Sessions on X (the hours inside 2025):
  x1 E's booking, run by O's operator for E's researcher  3 Mar 09:00–13:00  4 h  ext  fee 800.00
  x2 O's researcher, walk-up                              1 Apr 10:00–11:30  1.5 h
  x3 F's researcher, walk-up                              6 May 14:00–16:00  2 h  ext  fee 300.50
  x4 E's researcher across New Year's midnight   31 Dec 22:00 → 1 Jan 02:00  2 h  ext  fee 100.00
  x5 O's researcher, flagged left running                 1 Jun 09:00–12:00  3 h used, not effective
  x6 F's researcher from the year before    31 Dec 2024 23:00 → 01:00  1 h  ext  fee 50 (2024's)
  x7 O's researcher in 2026                              10 Jan 2026 09:00–10:00  not in 2025
X in 2025: used 13.5, effective 10.5, external 9, units served 2 (E, F), income 1,200.50,
6 records; share 9 ÷ 10.5, quota 10.5 ÷ 1,400.
Y: E's researcher 1 Jul 08:00–18:00: 10 h external, 1 unit, no fee (income empty).
R: O's researcher 1 Feb 09:00–10:00: 1 h. V: E's researcher, 5 h (not counted: a venue).
ZX: O's researcher 2 Mar 09:00–12:00: 3 h external for Z (serves O).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from alliance.models import MemberRole
from bookings.models import BookingStatus, UsageSession
from resources.models import ResourceKind
from tests.conftest import local
from tests.factories import BookingFactory, MemberFactory, ResourceFactory, UnitFactory


@dataclass
class Scene:
    o: object
    e: object
    f: object
    z: object
    x: object
    y: object
    r: object
    r0: object
    v: object
    zx: object
    manager_o: object
    manager_z: object
    researcher_o: object
    secretariat: object
    x1: object
    x4: object


def session(resource, member, start, end, **fields):
    return UsageSession.objects.create(
        resource=resource,
        member=member,
        started_at=start,
        stopped_at=end,
        source=fields.pop("source", "qr_scan"),
        **fields,
    )


def scene_build() -> Scene:
    o = UnitFactory(name="深圳湾实验室")
    e = UnitFactory(name="南方科技大学")
    f = UnitFactory(name="深圳大学")
    z = UnitFactory(name="中山大学（深圳）")
    x = ResourceFactory(
        unit=o,
        name="场发射扫描电镜",
        asset_number="SZBL-2020-001",
        original_value=Decimal("5000000.00"),
        purchase_date=dt.date(2020, 5, 1),
        classification_code="010101",
        classification_name="扫描电子显微镜",
    )
    y = ResourceFactory(unit=o, name="同步辐射线站", specialised=True)
    r = ResourceFactory(unit=o, name="旧质谱仪", is_retired=True)
    r0 = ResourceFactory(unit=o, name="报废离心机", is_retired=True)
    v = ResourceFactory(unit=o, name="报告厅", kind=ResourceKind.VENUE)
    zx = ResourceFactory(unit=z, name="核磁共振仪")
    o1, e1, f1 = MemberFactory(unit=o), MemberFactory(unit=e), MemberFactory(unit=f)
    operator = MemberFactory(unit=o, name="操作员")
    booking = BookingFactory(
        resource=x,
        member=e1,
        start=local(2025, 3, 3, 9),
        end=local(2025, 3, 3, 13),
        status=BookingStatus.COMPLETED,
    )
    x1 = session(
        x,
        e1,
        local(2025, 3, 3, 9),
        local(2025, 3, 3, 13),
        operator=operator,
        booking=booking,
        source="check_in",
        fee=Decimal("800.00"),
    )
    session(x, o1, local(2025, 4, 1, 10), local(2025, 4, 1, 11, 30))
    session(x, f1, local(2025, 5, 6, 14), local(2025, 5, 6, 16), fee=Decimal("300.50"))
    x4 = session(x, e1, local(2025, 12, 31, 22), local(2026, 1, 1, 2), fee=Decimal("100.00"))
    session(
        x,
        o1,
        local(2025, 6, 1, 9),
        local(2025, 6, 1, 12),
        flagged=True,
        flag_reason="left_running",
    )
    session(x, f1, local(2024, 12, 31, 23), local(2025, 1, 1, 1), fee=Decimal("50.00"))
    session(x, o1, local(2026, 1, 10, 9), local(2026, 1, 10, 10))
    session(y, e1, local(2025, 7, 1, 8), local(2025, 7, 1, 18))
    session(r, o1, local(2025, 2, 1, 9), local(2025, 2, 1, 10))
    session(v, e1, local(2025, 8, 1, 9), local(2025, 8, 1, 14))
    session(zx, o1, local(2025, 3, 2, 9), local(2025, 3, 2, 12))
    return Scene(
        o=o,
        e=e,
        f=f,
        z=z,
        x=x,
        y=y,
        r=r,
        r0=r0,
        v=v,
        zx=zx,
        manager_o=MemberFactory(unit=o, role=MemberRole.UNIT_MANAGER),
        manager_z=MemberFactory(unit=z, role=MemberRole.UNIT_MANAGER),
        researcher_o=o1,
        secretariat=MemberFactory(role=MemberRole.SECRETARIAT),
        x1=x1,
        x4=x4,
    )
