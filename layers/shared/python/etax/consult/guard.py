"""What a question is, before any retrieval: a request for a person, a question about the
asker's own records, another agency's matter, or outside the tax vocabulary. Pure.

The phrases are data (``data/phrases.json``): the tax vocabulary a question must touch (the
guard also takes the knowledge base's tags), other agencies' matters with the agency to turn
to, regular expressions for the phrasing of a question about one's own records
(我的退税到哪一步了, 查一下我的发票 …), and the words that ask for a person (转人工 …).
Every match is made on the normalized question (:func:`normalize`): traditional characters
simplified (the search kit's table, ``knowledge/lexicon/t2s.txt``, and this one's),
full-width forms narrowed, Latin letters lower-cased, so 個稅 and ＩＩＴ count.

A question that touches no term of the tax vocabulary may still be one told in its own words
(我同一张票今天已经验了五次 …): it is read as a tax question when it holds at least
:data:`DOMAIN_WORDS_NEEDED` of the knowledge base's own words (:func:`domain_words`: the words
its articles use far more often than Chinese at large does). One such word is not enough: 号码,
多少钱 or 房贷 alone are asked of many other services.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from etax.knowledge.text import general_frequency, lexicon, normalise, tokenizer

PHRASES: Final = Path(__file__).with_name("data") / "phrases.json"
DOMAIN_LEAST_USES: Final = 3  # times the articles use a word for it to be one of their own
DOMAIN_RATIO: Final = 3.0
"""How much more often than in Chinese at large (jieba's dictionary, its words' frequencies
over a general corpus) the articles use a word of their own: e³, some twenty times."""
DOMAIN_WORDS_NEEDED: Final = 2

_HAN: Final = re.compile(r"[\u4e00-\u9fff]+")

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


def domain_words(texts: Iterable[str], skipped: Iterable[str] = ()) -> frozenset[str]:
    """The words of ``texts`` (the knowledge base's articles) that are their own: Chinese words
    of two characters or more, used at least :data:`DOMAIN_LEAST_USES` times, whose share of
    the texts' words is at least e^:data:`DOMAIN_RATIO` times their share of jieba's general
    corpus (add-one for a word it lacks) — terminology found by its frequency, not listed.
    Stop words and ``skipped`` (question words) are never among them."""
    segmenter = tokenizer()
    left_out = lexicon().stopwords | set(skipped)
    uses: Counter[str] = Counter()
    for text in texts:
        uses.update(w for w in segmenter.lcut(normalise(text))
                    if len(w) >= 2 and _HAN.fullmatch(w) and w not in left_out)
    total = sum(uses.values())

    def ratio(word: str, n: int) -> float:
        count, general = general_frequency(word)
        return math.log((n / total) / ((count + 1) / general))

    return frozenset(w for w, n in uses.items()
                     if n >= DOMAIN_LEAST_USES and ratio(w, n) >= DOMAIN_RATIO)


def _longest_first(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted((t for t in set(terms) if t), key=len, reverse=True))


def _found(terms: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The ``terms`` (longest first) in ``text``, none that is part of a longer one found."""
    found: list[str] = []
    for term in terms:
        if term in text and not any(term in longer for longer in found):
            found.append(term)
    return tuple(found)


class Guard:
    """Reads a question's intent; ``extra_terms`` join the tax vocabulary (the knowledge
    base's tags), but for the everyday words among them (微信, 春节 …); ``domain`` are the
    knowledge base's own words (:func:`domain_words`)."""

    def __init__(self, extra_terms: Iterable[str] = (), data: Phrases | None = None, *,
                 domain: Iterable[str] = ()) -> None:
        self.data = data or phrases()
        extra = (t for t in extra_terms if t not in self.data.everyday_words)
        self.terms = _longest_first(normalize(t, self.data.traditional)
                                    for t in (*self.data.tax_terms, *extra))
        self.domain = _longest_first(normalize(t, self.data.traditional) for t in domain
                                     if t not in self.data.everyday_words)

    def tax_terms_in(self, text: str) -> tuple[str, ...]:
        return _found(self.terms, text)

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
        if terms:
            return Intent("tax", terms)
        own = _found(self.domain, text)
        return Intent("tax", own) if len(own) >= DOMAIN_WORDS_NEEDED else Intent("out_of_domain")
