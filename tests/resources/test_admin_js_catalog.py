"""The admin's scripts speak Chinese too: the unit picker of a resource's "units allowed to
book" used strings that Django's own zh_Hans catalog lacks."""

import json
import re

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MISSING_FROM_DJANGO = [
    'Choose %s by selecting them and then select the "Choose" arrow button.',
    'Remove %s by selecting them and then select the "Remove" arrow button.',
    "Choose all %s",
    "Choose selected %s",
    "Remove selected %s",
    "Remove all %s",
    "(click to clear)",
]


def catalog(language: str) -> dict[str, str]:
    client = Client(headers={"accept-language": language})
    client.force_login(UserFactory(is_staff=True))
    source = client.get("/admin/jsi18n/").content.decode()
    found = re.findall(r"const newcatalog = (\{.*?\});", source, re.S)
    return json.loads(found[0]) if found else {}  # English needs no catalog


def test_the_admins_unit_picker_is_in_chinese():
    chinese = catalog("zh-hans")
    for message in MISSING_FROM_DJANGO:
        assert message in chinese, message
        assert re.search(r"[\u4e00-\u9fff]", chinese[message]), message
    assert chinese["Choose all %s"] == "全选%s"


def test_english_keeps_djangos_own_words():
    assert "Choose all %s" not in catalog("en")
