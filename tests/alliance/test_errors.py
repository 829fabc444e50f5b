"""The error vocabulary: every code has a message in Chinese (the default) and in English."""

import re

import pytest
from django.utils import translation

from alliance.errors import MESSAGES, DomainError

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def rendered(language):
    with translation.override(language):
        return {code: str(message) for code, message in MESSAGES.items()}


def test_every_error_code_is_translated_into_simplified_chinese():
    english, chinese = rendered("en"), rendered("zh-hans")
    untranslated = [code for code in MESSAGES if english[code] == chinese[code]]
    assert untranslated == []


def test_every_translation_keeps_the_placeholders_of_its_source():
    english, chinese = rendered("en"), rendered("zh-hans")
    for code in MESSAGES:
        assert set(PLACEHOLDER.findall(chinese[code])) == set(PLACEHOLDER.findall(english[code])), (
            code
        )


def test_a_message_is_rendered_with_its_parameters_in_either_language():
    for language in ("en", "zh-hans"):
        with translation.override(language):
            message = DomainError("too_long", params={"minutes": 240}).message
        assert "240" in message


def test_unknown_codes_are_a_programming_error():
    with pytest.raises(ValueError, match="Unknown error code"):
        DomainError("no_such_code")
