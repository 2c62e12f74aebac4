"""Duplicate-question detection: how like an earlier question or a knowledge-base article a
new question is, over normalised terms. Pure.

The terms come through a port (:class:`Terms`, any ``text → terms`` function): the platform's
Chinese search kit (``etax.knowledge.search.terms``: segmentation with the tax dictionary and
its synonyms) where it is present, else :func:`simple_terms` here — the text folded (NFKC,
lower case), a few tax synonyms written out, Chinese runs cut into overlapping two-character
terms and Latin words and numbers kept whole. The likeness of two texts is the cosine of
their term counts (0 … 1), a new question's title against each earlier title and each of an
article's question forms; what reaches :data:`SUGGEST_AT` is suggested.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

SUGGEST_AT: Final = 0.45
SUGGESTIONS: Final = 5

# colloquial forms written out as the long form (the search kit's dictionary is richer)
SYNONYMS: Final = {
    "个税": "个人所得税", "汇算清缴": "年度汇算", "汇算": "年度汇算", "专票": "增值税专用发票",
    "普票": "增值税普通发票", "数电票": "数电发票", "全电发票": "数电发票", "退税率": "退税比例",
}
_STOP: Final = frozenset("的了吗呢吧啊么是在我你他她它们和与及或请问怎么如何什么哪些")
_FORMS: Final = re.compile("|".join(
    re.escape(form) for form in sorted({*SYNONYMS, *SYNONYMS.values()}, key=len, reverse=True)))
_RUN: Final = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:\.[0-9]+)?")


class Terms(Protocol):
    def __call__(self, text: str) -> Sequence[str]: ...


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return _FORMS.sub(lambda m: SYNONYMS.get(m.group(), m.group()), text)


def simple_terms(text: str) -> list[str]:
    """The text's terms: Chinese runs as two-character terms (a lone character kept), Latin
    words and numbers whole; particles and question words dropped."""
    out: list[str] = []
    for run in _RUN.findall(fold(text)):
        if not ("\u4e00" <= run[0] <= "\u9fff"):
            out.append(run)
            continue
        chars = "".join(c for c in run if c not in _STOP)
        if len(chars) == 1:
            out.append(chars)
        out.extend(chars[i:i + 2] for i in range(len(chars) - 1))
    return out


def likeness(a: Sequence[str], b: Sequence[str]) -> float:
    """The cosine of two term lists' counts: 1 for the same terms, 0 for none shared."""
    ca, cb = Counter(a), Counter(b)
    dot = sum(n * cb[t] for t, n in ca.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(n * n for n in ca.values()) * sum(n * n for n in cb.values()))


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something a new question may repeat: ``kind`` ``question`` or ``article``."""

    kind: str
    id: str
    title: str
    texts: tuple[str, ...]  # what is compared: a question's title, an article's question forms


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str
    id: str
    title: str
    score: float


def similar(question: str, candidates: Iterable[Candidate], terms: Terms = simple_terms,
            at: float = SUGGEST_AT, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The candidates most like ``question`` (its title) at ``at`` or above, each scored by its
    likest text, best first (at most
    ``limit``; ties by kind and id, so the answer is stable)."""
    asked = list(terms(question))
    if not asked:
        return []
    found = []
    for c in candidates:
        score = max((likeness(asked, list(terms(text))) for text in c.texts), default=0.0)
        if score >= at:
            found.append(Suggestion(c.kind, c.id, c.title, round(score, 3)))
    found.sort(key=lambda s: (-s.score, s.kind, s.id))
    return found[:limit]
