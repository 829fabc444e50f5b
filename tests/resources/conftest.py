"""Fixtures shared by the resources tests: units, staff, a resource, a small world."""

import pytest

from alliance.models import MemberRole
from tests.factories import MemberFactory, ResourceFactory, UnitFactory
from tests.resources.admin_support import staff


@pytest.fixture
def world(frozen_now):
    unit = UnitFactory(name="深圳湾实验室", short_name="湾实验室")
    other_unit = UnitFactory(name="中国科学院深圳理工大学", short_name="深理工")
    office = UnitFactory(name="联合体秘书处", short_name="秘书处")
    w = type("World", (), {})()
    w.unit, w.other_unit = unit, other_unit
    w.manager = staff(MemberRole.UNIT_MANAGER, unit, "张主任")
    w.other_manager = staff(MemberRole.UNIT_MANAGER, other_unit, "陈主任")
    w.secretariat = staff(MemberRole.SECRETARIAT, office, "赵秘书")
    w.researcher = MemberFactory(unit=unit, name="李研究员")
    w.resource = ResourceFactory(unit=unit, name="单细胞技术平台", building="光明区 B栋 3层")
    w.other_resource = ResourceFactory(unit=other_unit, name="冷冻电镜")
    return w


@pytest.fixture
def unit():
    return UnitFactory(name="深圳湾实验室")


@pytest.fixture
def other_unit():
    return UnitFactory(name="中山大学·深圳")


@pytest.fixture
def manager(unit):
    return MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER)


@pytest.fixture
def secretariat(other_unit):
    return MemberFactory(unit=other_unit, role=MemberRole.SECRETARIAT)


@pytest.fixture
def researcher(unit):
    return MemberFactory(unit=unit, role=MemberRole.RESEARCHER)


@pytest.fixture
def resource(unit):
    return ResourceFactory(unit=unit, name="冷冻电镜平台", slot_minutes=30)
