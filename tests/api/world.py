"""A small alliance for API tests: two units with a researcher and a manager each, the
secretariat, a resource of each unit, and clients signed in as any of them."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.test import APIClient

from alliance.models import Member, MemberRole
from resources.models import Resource
from tests.api.helpers import api_client
from tests.factories import MemberFactory, ResourceFactory, UnitFactory


@dataclass
class World:
    researcher: Member
    other_researcher: Member
    manager: Member
    other_manager: Member
    secretariat: Member
    resource: Resource  # owned by the researcher's and manager's unit, needs approval
    other_resource: Resource  # owned by the other unit, booked without approval


def world_build() -> World:
    unit = UnitFactory(name="南方科技大学", short_name="南科大")
    other_unit = UnitFactory(name="深圳大学", short_name="深大")
    secretariat_unit = UnitFactory(name="联合体秘书处", short_name="秘书处")
    return World(
        researcher=MemberFactory(unit=unit, name="李研究员"),
        other_researcher=MemberFactory(unit=other_unit, name="王研究员"),
        manager=MemberFactory(unit=unit, name="张主任", role=MemberRole.UNIT_MANAGER),
        other_manager=MemberFactory(unit=other_unit, name="陈主任", role=MemberRole.UNIT_MANAGER),
        secretariat=MemberFactory(
            unit=secretariat_unit, name="赵秘书", role=MemberRole.SECRETARIAT
        ),
        resource=ResourceFactory(unit=unit, name="冷冻电镜", requires_approval=True),
        other_resource=ResourceFactory(unit=other_unit, name="报告厅", kind="venue"),
    )


def client_for(member: Member | None) -> APIClient:
    """An API client signed in as ``member`` with a real Bearer token, the way the
    mini-program signs in (anonymous for None)."""
    return api_client(member)
