"""Text that ends up in a signed document: names, item names, notes, purposes, bank names.

A signed invoice or certificate is shown to people who trust what they read. Characters
that are invisible or that reorder what is shown make the signed text say one thing and
read as another: a bidi override (U+202E) turns ``陈小明‮gnp.exe`` around on screen, a
zero-width space makes two names that look the same differ, a newline adds a line that the
document does not have. Such text is **refused** (a 422 naming the field), not cleaned:
silently changing what a client asked to sign is worse than telling it.

Refused, by Unicode general category (:func:`unicodedata.category`):

* ``Cc`` control characters: C0 (U+0000-U+001F, tab and newline included), DEL and C1;
* ``Cf`` format characters: the bidi embeddings, overrides and isolates
  (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C), the zero-width characters
  (U+200B-U+200D, U+2060, U+FEFF), the soft hyphen, and the rest of the category;
* ``Cs`` lone surrogates (not text at all), ``Zl``/``Zp`` line and paragraph separators.

Private-use characters (``Co``) are accepted: rare characters of personal names are still
encoded there by some systems. Text is not normalized (NFC) either: what is signed is
what was sent.

Use :class:`SignedText` as the metadata of a pydantic string field; it carries the field's
length bounds, so the check runs only on bounded text::

    name: Annotated[str, SignedText(min_length=1, max_length=100)]
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
EXCERPT_LENGTH = 40


def unsafe_character(text: str) -> tuple[int, str] | None:
    """The first refused character of ``text`` as (0-based position, character), or None."""
    for position, char in enumerate(text):
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return position, char
    return None


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: a character as a person can read it in a message."""
    name = unicodedata.name(char, "")
    if not name and unicodedata.category(char) == "Cc":
        name = "control character"
    return f"U+{ord(char):04X} {name}".rstrip()


def unsafe_reason(text: str) -> str | None:
    """Why ``text`` cannot be signed (without repeating the text), or None if it can."""
    found = unsafe_character(text)
    if found is None:
        return None
    position, char = found
    return (f"character {position + 1} is {describe(char)}: control, bidi and invisible "
            "characters are not accepted in text that is signed")


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """At most ``limit`` characters of ``text`` for a message, with ``…`` when cut, and
    refused characters shown as ``\\u202e`` so a message never carries them."""
    shown = text[:limit]
    if unsafe_character(shown) is not None:
        shown = "".join(c.encode("unicode_escape").decode("ascii")
                        if unicodedata.category(c) in REFUSED_CATEGORIES else c for c in shown)
    return shown + ("…" if len(text) > limit else "")


@dataclass(frozen=True, slots=True)
class SignedText:
    """Pydantic metadata for a string that ends up in a signed document.

    The string is stripped of outer whitespace (``strip``), bounded (``min_length``,
    ``max_length``: required, so no signed text is unbounded), then refused if it holds a
    character of :data:`REFUSED_CATEGORIES`, with a ``signed_text`` error whose message
    names the character and its position but never repeats the text.
    """

    max_length: int
    min_length: int = 0
    strip: bool = True
    lines: bool = False
    """also accept line breaks and tabs (a body of several lines); nothing else of the
    refused categories"""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            check_text_of_lines if self.lines else check_signed_text,
            core_schema.str_schema(strip_whitespace=self.strip, min_length=self.min_length,
                                   max_length=self.max_length),
        )


def check_signed_text(value: str) -> str:
    """``value`` if it may be signed; else a pydantic error (see :class:`SignedText`)."""
    reason = unsafe_reason(value)
    if reason is None:
        return value
    from pydantic_core import PydanticCustomError

    raise PydanticCustomError("signed_text", "{reason}", {"reason": reason})


def check_text_of_lines(value: str) -> str:
    """As :func:`check_signed_text`, line breaks and tabs allowed."""
    check_signed_text(_one_line(value))
    return value


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")


def unsafe_lines_reason(text: str) -> str | None:
    """As :func:`unsafe_reason` for a text of several lines (line breaks and tabs allowed):
    for a text checked outside a model (a survey's free answer)."""
    return unsafe_reason(_one_line(text))
