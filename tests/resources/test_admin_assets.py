"""The resource's back office form carries the qualification settings and the asset data,
written through resources.services and checked by the model's validators."""

from decimal import Decimal

import pytest

from tests.resources.admin_support import post_data, signed_in, url

pytestmark = pytest.mark.django_db


def test_a_manager_records_asset_data_and_the_qualification_rule(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)

    response = client.post(
        change,
        post_data(
            client.get(change),
            asset_number="SZBL-2021-EM-0001",
            original_value="45000000.00",
            purchase_date="2021-06-18",
            classification_code="0101",
            classification_name="分析仪器/电子光学仪器",
            specialised="on",
            requires_qualification="on",
            qualification_idle_days="90",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    world.resource.refresh_from_db()
    assert world.resource.original_value == Decimal("45000000.00")
    assert world.resource.classification_code == "0101"
    assert world.resource.expected_yearly_hours == 800
    assert world.resource.requires_qualification
    assert world.resource.qualification_idle_days == 90


def test_an_unknown_classification_comes_back_on_the_form(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)

    response = client.post(change, post_data(client.get(change), classification_code="99"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["classification_code"]
    world.resource.refresh_from_db()
    assert world.resource.classification_code == ""
