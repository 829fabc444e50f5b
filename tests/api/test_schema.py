"""The OpenAPI schema and its Swagger UI: valid, complete, and usable offline."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

#: Every v1 path of this contract and its methods, as the mini-program team codes them.
CONTRACT = {
    "/api/v1/units/": {"get"},
    "/api/v1/units/{unit_id}/": {"get"},
    "/api/v1/resources/": {"get", "post"},
    "/api/v1/resources/{resource_id}/": {"get", "patch"},
    "/api/v1/resources/{resource_id}/retire/": {"post"},
    "/api/v1/resources/{resource_id}/opening-hours/": {"put"},
    "/api/v1/resources/{resource_id}/closures/": {"get", "post"},
    "/api/v1/resources/{resource_id}/closures/{closure_id}/": {"delete"},
    "/api/v1/resources/{resource_id}/availability/": {"get"},
    "/api/v1/bookings/": {"get", "post"},
    "/api/v1/bookings/{booking_id}/": {"get"},
    "/api/v1/bookings/{booking_id}/cancel/": {"post"},
    "/api/v1/bookings/{booking_id}/approve/": {"post"},
    "/api/v1/bookings/{booking_id}/reject/": {"post"},
    "/api/v1/approvals/": {"get"},
}


def test_the_schema_validates_without_a_single_warning(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_served_as_yaml_and_as_json():
    client = APIClient()

    as_yaml = client.get("/api/schema/")
    as_json = client.get("/api/schema/", {"format": "json"})

    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content)["info"]["title"] == "Alliance Share API"
    assert json.loads(as_json.content)["info"]["title"] == "Alliance Share API"


def test_the_schema_documents_every_endpoint_of_the_contract(schema):
    for path, methods in CONTRACT.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_lists_are_documented_as_paginated(schema):
    for path in ("/api/v1/units/", "/api/v1/resources/", "/api/v1/bookings/", "/api/v1/approvals/"):
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        component = ok["schema"]["$ref"].rsplit("/", 1)[1]
        properties = schema["components"]["schemas"][component]["properties"]
        assert {"count", "next", "previous", "results"} <= set(properties), path


def test_errors_are_documented_with_their_code_and_message(schema):
    create = schema["paths"]["/api/v1/bookings/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409"} <= set(create)
    conflict = create["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    properties = schema["components"]["schemas"][conflict]["properties"]
    assert {"code", "message", "conflicts", "alternatives"} <= set(properties)


def test_the_booking_filters_are_documented(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/bookings/"]["get"]["parameters"]}

    assert {"status", "resource", "unit", "from", "to", "page"} <= names


def test_the_resource_filters_are_documented(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/resources/"]["get"]["parameters"]}

    assert {"kind", "unit", "q", "free_from", "free_to", "include_retired"} <= names


def test_swagger_ui_loads_nothing_from_other_hosts():
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", html, re.IGNORECASE)
    assert '"validatorUrl": null' in html
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file"
