"""The error vocabulary: every code has a message in Chinese (the default) and in English."""

import pytest
from django.utils import translation

from alliance.errors import MESSAGES, DomainError


def rendered(language):
    with translation.override(language):
        return {code: str(message) for code, message in MESSAGES.items()}


def test_every_error_code_is_translated_into_simplified_chinese():
    english, chinese = rendered("en"), rendered("zh-hans")
    untranslated = [code for code in MESSAGES if english[code] == chinese[code]]
    assert untranslated == []


def test_messages_keep_their_placeholders_in_both_languages():
    for language in ("en", "zh-hans"):
        with translation.override(language):
            message = DomainError("too_long", params={"minutes": 240}).message
        assert "240" in message


def test_unknown_codes_are_a_programming_error():
    with pytest.raises(ValueError, match="Unknown error code"):
        DomainError("no_such_code")
