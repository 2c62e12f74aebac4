"""What a question is, before any retrieval: a request for a person, a question about the
asker's own records, another agency's matter, or outside the tax vocabulary. Pure.

The phrases are data (``data/phrases.json``): the tax vocabulary a question must touch (the
guard also takes the knowledge base's tags), other agencies' matters with the agency to turn
to, regular expressions for the phrasing of a question about one's own records
(我的退税到哪一步了, 查一下我的发票 …), and the words that ask for a person (转人工 …).
Every match is made on the normalized question (:func:`normalize`): traditional characters
simplified (the search kit's table, ``knowledge/lexicon/t2s.txt``, and this one's),
full-width forms narrowed, Latin letters lower-cased, so 個稅 and ＩＩＴ count.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from etax.knowledge.text import lexicon

PHRASES: Final = Path(__file__).with_name("data") / "phrases.json"

Kind = Literal["tax", "human", "own_records", "other_agency", "out_of_domain"]


@dataclass(frozen=True, slots=True)
class Phrases:
    tax_terms: tuple[str, ...]
    core_terms: tuple[str, ...]  # another agency's matter is still a tax question with one
    other_agencies: Mapping[str, str]
    own_records: tuple[re.Pattern[str], ...]
    human: tuple[re.Pattern[str], ...]
    traditional: Mapping[int, str]
    everyday_words: frozenset[str] = frozenset()  # tags that do not join the tax vocabulary


@cache
def phrases() -> Phrases:
    raw: dict[str, Any] = json.loads(PHRASES.read_text(encoding="utf-8"))
    pairs = raw["traditional"]
    return Phrases(
        tax_terms=tuple(t.lower() for t in raw["tax_terms"]),
        core_terms=tuple(raw["core_terms"]),
        other_agencies=dict(raw["other_agencies"]),
        own_records=tuple(re.compile(p) for p in raw["own_records"]),
        human=tuple(re.compile(h.lower()) for h in raw["human"]),
        traditional={**lexicon().simplified,
                     **{ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}},
        everyday_words=frozenset(raw.get("everyday_words", ())))


def normalize(text: str, table: Mapping[int, str] | None = None) -> str:
    """NFKC (full-width letters and digits narrowed), traditional characters simplified,
    lower case, runs of white space made one space."""
    text = unicodedata.normalize("NFKC", text).translate(table or phrases().traditional)
    return " ".join(text.lower().split())


@dataclass(frozen=True, slots=True)
class Intent:
    """What the guard read: ``kind``, the tax terms the question touches, and for another
    agency's matter the agency to turn to."""

    kind: Kind
    tax_terms: tuple[str, ...] = ()
    agency: str | None = None

    @property
    def in_domain(self) -> bool:
        return self.kind in ("tax", "human", "own_records")


class Guard:
    """Reads a question's intent; ``extra_terms`` join the tax vocabulary (the knowledge
    base's tags), but for the everyday words among them (微信, 春节 …)."""

    def __init__(self, extra_terms: Iterable[str] = (), data: Phrases | None = None) -> None:
        self.data = data or phrases()
        extra = (t for t in extra_terms if t not in self.data.everyday_words)
        terms = {normalize(t, self.data.traditional) for t in (*self.data.tax_terms, *extra)}
        self.terms = tuple(sorted((t for t in terms if t), key=len, reverse=True))

    def tax_terms_in(self, text: str) -> tuple[str, ...]:
        found: list[str] = []
        for term in self.terms:
            if term in text and not any(term in longer for longer in found):
                found.append(term)
        return tuple(found)

    def read(self, question: str) -> Intent:
        text = normalize(question, self.data.traditional)
        if any(h.search(text) for h in self.data.human):
            return Intent("human", self.tax_terms_in(text))
        terms = self.tax_terms_in(text)
        if any(p.search(text) for p in self.data.own_records):
            return Intent("own_records", terms)
        agency = next((a for matter, a in self.data.other_agencies.items() if matter in text),
                      None)
        if agency and not any(core in text for core in self.data.core_terms):
            return Intent("other_agency", agency=agency)
        return Intent("tax", terms) if terms else Intent("out_of_domain")
