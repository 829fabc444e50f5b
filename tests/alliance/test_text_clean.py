"""alliance.services.text_clean: the one check every free-text input passes through.

Control characters corrupt lists, exports and terminals; bidirectional embedding, override
and isolate controls make a name or a reason display in another order than it is stored.
Both are refused with ``invalid_characters``; multi-line text keeps its line breaks.
"""

from __future__ import annotations

import pytest

from alliance.errors import ValidationFailed
from alliance.services import text_clean

CONTROLS = {
    "NUL": "\x00",
    "bell": "\x07",
    "escape": "\x1b",
    "unit separator": "\x1f",
    "DEL": "\x7f",
    "C1 next line": "\x85",
    "C1 CSI": "\x9b",
}
BIDI_CONTROLS = {
    "LRE": "\u202a",
    "RLE": "\u202b",
    "PDF": "\u202c",
    "LRO": "\u202d",
    "RLO": "\u202e",
    "LRI": "\u2066",
    "RLI": "\u2067",
    "FSI": "\u2068",
    "PDI": "\u2069",
}
LINE_BREAKS = {"tab": "\t", "line feed": "\n", "carriage return": "\r"}


def clean(value: str, *, multiline: bool = False) -> str:
    return text_clean(value, field="purpose", max_length=200, required=True, multiline=multiline)


@pytest.mark.parametrize(
    "character", [*CONTROLS.values(), *BIDI_CONTROLS.values()], ids=[*CONTROLS, *BIDI_CONTROLS]
)
@pytest.mark.parametrize("multiline", [False, True], ids=["single-line", "multi-line"])
def test_control_and_direction_override_characters_are_refused(character, multiline):
    with pytest.raises(ValidationFailed, match="^invalid_characters: ") as refusal:
        clean(f"样品{character}观察", multiline=multiline)

    assert refusal.value.extra == {"fields": {"purpose": ["invalid_characters"]}}


@pytest.mark.parametrize("character", LINE_BREAKS.values(), ids=LINE_BREAKS)
def test_line_breaks_and_tabs_are_refused_in_single_line_text(character):
    with pytest.raises(ValidationFailed, match="^invalid_characters: "):
        clean(f"样品{character}观察")


@pytest.mark.parametrize("character", LINE_BREAKS.values(), ids=LINE_BREAKS)
def test_multi_line_text_keeps_line_breaks_and_tabs(character):
    assert clean(f"样品{character}观察", multiline=True) == f"样品{character}观察"


def test_direction_marks_are_allowed_because_they_reorder_nothing():
    name = "Lab \u200fمختبر\u200e 1 \u061c"

    assert clean(name) == name


def test_surrounding_whitespace_is_stripped_before_the_characters_are_checked():
    assert clean("  冷冻电镜样品观察\n") == "冷冻电镜样品观察"


def test_ordinary_chinese_english_and_punctuation_pass():
    text = "冷冻电镜（Cryo-EM）样品观察——第 2 批，约 30 分钟。"

    assert clean(text) == text
