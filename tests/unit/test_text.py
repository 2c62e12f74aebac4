"""Text that is signed: control, bidi and invisible characters refused, named, never echoed."""

from __future__ import annotations

import unicodedata
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from etax.rules import text
from etax.rules.text import SignedText

BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
ZERO_WIDTH = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
CONTROL = [0x00, 0x07, 0x09, 0x0A, 0x0D, 0x1B, 0x7F, 0x85, 0x9F]
SEPARATORS = [0x2028, 0x2029]


class Signed(BaseModel):
    name: Annotated[str, SignedText(min_length=1, max_length=40)]
    note: Annotated[str, SignedText(max_length=50, strip=False)] | None = None


@pytest.mark.parametrize("code", BIDI + ZERO_WIDTH + CONTROL + SEPARATORS)
def test_every_listed_character_is_refused_with_its_name_and_place(code: int) -> None:
    char = chr(code)
    with pytest.raises(ValidationError) as caught:
        Signed(name=f"陈小{char}明")
    [error] = caught.value.errors()
    assert error["type"] == "signed_text"
    assert error["loc"] == ("name",)
    assert f"character 3 is U+{code:04X}" in error["msg"]
    assert char not in error["msg"]


def test_a_lone_surrogate_is_refused() -> None:
    assert text.unsafe_character("a\ud800") == (1, "\ud800")


@pytest.mark.parametrize("fine", ["陈小明", "阿卜杜·热合曼", "O'Brien & Co. (HK) Ltd.",
                                  "福州市鼓楼区五四路88号", "𠀀𪚥", "\ue000", "Zoë", "ＡＢＣ"])
def test_ordinary_names_are_accepted_as_sent(fine: str) -> None:
    assert Signed(name=fine).name == fine


def test_outer_spaces_are_stripped_and_lengths_checked_first() -> None:
    assert Signed(name="  陈小明 ").name == "陈小明"
    with pytest.raises(ValidationError) as caught:
        Signed(name="\u202e" * 10_000)
    assert caught.value.errors()[0]["type"] == "string_too_long"
    assert Signed(name="a", note=" 两端 ").note == " 两端 "


@given(st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=50))
def test_text_without_refused_categories_always_passes(value: str) -> None:
    assert text.unsafe_reason(value) is None
    assert text.check_signed_text(value) == value


@given(st.text(max_size=30), st.sampled_from(BIDI + ZERO_WIDTH + CONTROL), st.text(max_size=30))
def test_one_refused_character_anywhere_is_found(before: str, code: int, after: str) -> None:
    found = text.unsafe_character(before + chr(code) + after)
    assert found is not None
    position, char = found
    assert position <= len(before)
    assert unicodedata.category(char) in text.REFUSED_CATEGORIES


def test_excerpt_is_short_and_shows_invisible_characters_escaped() -> None:
    assert text.excerpt("x" * 100_000) == "x" * 40 + "…"
    assert text.excerpt("abc") == "abc"
    assert text.excerpt("a\u202eb") == "a\\u202eb"


class Lines(BaseModel):
    body: Annotated[str, text.SignedText(min_length=1, max_length=100, lines=True)]


def test_text_of_lines_takes_breaks_and_tabs_and_nothing_else_refused() -> None:
    assert Lines(body="第一行\n\t第二行").body == "第一行\n\t第二行"
    for refused in ("a\u202eb", "a\u200bb", "a\rb", "a\x00b", "a\u2028b"):
        with pytest.raises(ValidationError) as raised:
            Lines(body=refused)
        assert raised.value.errors()[0]["type"] == "signed_text"
    with pytest.raises(ValidationError):
        Signed(name="第一行\n第二行")  # a one-line text still refuses a break


def test_a_text_of_lines_checked_outside_a_model_allows_breaks_and_tabs_only() -> None:
    from etax.rules.text import unsafe_lines_reason

    assert unsafe_lines_reason("第一行\n第二行\t说明") is None
    assert unsafe_lines_reason("第一行\u202e翻转") is not None
    assert unsafe_lines_reason("零宽\u200b字符") is not None
