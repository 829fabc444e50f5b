"""The resource's back office form carries the service modes and the operators of assisted
use (issue 10), written through resources.services."""

import pytest

from tests.factories import MemberFactory
from tests.resources.admin_support import post_data, signed_in, url

pytestmark = pytest.mark.django_db


def test_a_manager_switches_on_assisted_use_and_names_its_operators(world):
    operator = MemberFactory(unit=world.unit, name="钱工程师")
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    form = client.get(change)
    assert "钱工程师" in form.content.decode()

    response = client.post(
        change,
        post_data(
            form,
            offers_assisted="on",
            assisted_min_notice_minutes="120",
            operators=[str(operator.pk)],
            sample_instructions="每份样品不少于 5 mg",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    world.resource.refresh_from_db()
    assert world.resource.service_modes == ["self_use", "assisted"]
    assert world.resource.assisted_min_notice_minutes == 120
    assert list(world.resource.operators.all()) == [operator]
    assert world.resource.sample_instructions == "每份样品不少于 5 mg"


def test_a_manager_cannot_pick_another_units_member_nor_switch_every_mode_off(world):
    stranger = MemberFactory(unit=world.other_unit)
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    form = client.get(change)

    picked = client.post(change, post_data(form, operators=[str(stranger.pk)]))
    assert picked.status_code == 200
    assert picked.context["adminform"].form.errors["operators"]

    data = post_data(form)
    data.pop("offers_self_use", None)
    nothing = client.post(change, data)
    assert nothing.status_code == 200
    world.resource.refresh_from_db()
    assert world.resource.offers_self_use
    assert not world.resource.operators.exists()
