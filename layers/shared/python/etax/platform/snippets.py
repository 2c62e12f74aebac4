"""Search snippets: short windows of a text around the places a query matched, the matches
marked ``<em>…</em>`` and everything else HTML-escaped, so a page may show a snippet as it is
(or, as the portal does, turn it into text and ``<mark>`` nodes). Pure.

Used by the knowledge search (:mod:`etax.knowledge.search`) and the tax school's library
(:mod:`etax.school.library`); each finds its own matches (``spans``: sorted, not overlapping
``(start, end)`` positions in the text)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Final

WIDTH: Final = 60  # characters of text a snippet shows
LEAD: Final = 12  # characters before the match it starts from


def snippet(text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> str:
    """``text[start:end]`` with ``spans`` (inside it) marked, an ellipsis where it is cut."""
    parts = ["…" if start > 0 else ""]
    at = start
    for s, e in spans:
        parts += [html.escape(text[at:s]), "<em>", html.escape(text[s:e]), "</em>"]
        at = e
    parts += [html.escape(text[at:end]), "…" if end < len(text) else ""]
    return "".join(parts)


def snippets(text: str, spans: Sequence[tuple[int, int]], count: int, *, width: int = WIDTH,
             lead: int = LEAD) -> list[str]:
    """Up to ``count`` snippets of ``text``, each from ``lead`` characters before a match not
    shown yet, with the matches it holds whole; the text's beginning when nothing matched."""
    if not spans:
        return [snippet(text, 0, min(len(text), width), [])] if text else []
    found: list[str] = []
    index = 0
    while index < len(spans) and len(found) < count:
        start = max(0, spans[index][0] - lead)
        end = min(len(text), start + width)
        inside = [s for s in spans[index:] if s[1] <= end]
        found.append(snippet(text, start, end, inside))
        index += max(1, len(inside))
    return found
