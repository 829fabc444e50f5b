"""Migrating an existing database: the one-line location of each resource moves into its
address (0004), so nothing a manager typed is lost; migrating back joins the parts."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("resources", "0003_resource_requires_checkin")]
AFTER = [("resources", "0004_resource_location_contact_photos")]


def migrate(targets):
    """Migrate the test database to ``targets``; the model state there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_old_location_becomes_the_address_and_comes_back_on_the_way_down():
    old_apps = migrate(BEFORE)
    unit = old_apps.get_model("alliance", "Unit").objects.create(name="深圳湾实验室", kind="lab")
    old_apps.get_model("resources", "Resource").objects.create(
        unit=unit, kind="lab", name="单细胞技术平台", location="光明区 B栋 3层"
    )

    new_apps = migrate(AFTER)
    resource = new_apps.get_model("resources", "Resource").objects.get()
    assert (resource.building, resource.room, resource.address) == ("", "", "光明区 B栋 3层")
    resource.building = "科研楼B栋"
    resource.save()

    back_apps = migrate(BEFORE)
    assert back_apps.get_model("resources", "Resource").objects.get().location == (
        "科研楼B栋 光明区 B栋 3层"
    )
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
