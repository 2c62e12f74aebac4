"""An answer composed from retrieved articles. Pure.

Retrieval is a port (:class:`Retriever`: the search kit's index in the function, a small
index or a double in the tests). The best article gives the answer; its citations are
rendered from the regulations library as of the day asked (work title, 文号, provision label,
the as-of date); the next articles give up to :data:`RELATED` related questions.

**Confidence** (0-1) is read from the retrieval itself: ``coverage`` — the share of the
question's own content terms (the retriever's segmentation, question words left out) found in
the best article's text, i.e. the best score against what the question could match at most —
and ``margin`` — how far the best score stands above the next, relative to it. A question all
of whose terms the article holds, with a clear winner, is near 1; a question that shares one
common word with several articles is near 0. :func:`confidence` weighs them
(:data:`COVERAGE_WEIGHT`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

from etax.consult.guard import normalize
from etax.knowledge.articles import Article
from etax.regulations.model import Work

RELATED: Final = 3
CANDIDATES: Final = 6  # hits asked of the retriever: the best, the runner-up, related ones
COVERAGE_WEIGHT: Final = 0.3  # the rest is the margin's
_QUESTION_WORDS = (
    "什么 怎么 怎样 如何 多少 哪些 哪个 哪里 是否 可以 能否 能不能 需要 需不需要 要不要 "
    "吗 呢 吧 啊 了 的 是 有 在 和 与 或 我 我们 你 您 请问 请 一下 一个 时候 什么时候 "
    "几 多久 多长 办理 问题 情况 "
    "what how when where which is are do does can the a an of to for in on my i")
QUESTION_WORDS: Final = frozenset(_QUESTION_WORDS.split())


class Hit(Protocol):
    """One retrieved document as the search kit's ``Hit`` gives it (what this module reads)."""

    @property
    def id(self) -> str: ...

    @property
    def score(self) -> float: ...


class Retriever(Protocol):
    def search(self, query: str, k: int) -> Sequence[Hit]:
        """The ``k`` best knowledge-base articles for ``query``, best first."""
        ...


def simple_terms(text: str) -> list[str]:
    """A segmentation without a dictionary (the tests' and the fallback's): Latin words and
    digit runs whole, Chinese as overlapping character pairs."""
    out: list[str] = []
    for run in re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]+", text.lower()):
        if run.isascii() or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


@dataclass(frozen=True, slots=True)
class CitedProvision:
    work_id: str
    title: str
    document_number: str
    provision: str
    label: str
    as_of: str
    summary: bool  # the provision's text is the platform's summary, not the official wording

    @property
    def text(self) -> str:
        return f"《{self.title}》（{self.document_number}）{self.label}（截至{self.as_of}）"


@dataclass(frozen=True, slots=True)
class Related:
    article_id: str
    question: str


@dataclass(frozen=True, slots=True)
class Composed:
    article: Article
    confidence: float
    citations: tuple[CitedProvision, ...]
    related: tuple[Related, ...]

    @property
    def text(self) -> str:
        """The one wording every channel shows: the answer, then what it rests on."""
        basis = "；".join(c.text for c in self.citations)
        return f"{self.article.answer}\n依据：{basis}" if basis else self.article.answer


def content_terms(question: str, terms: Callable[[str], Sequence[str]]) -> set[str]:
    return {t for t in terms(question) if t.strip() and t not in QUESTION_WORDS}


def confidence(coverage: float, best: float, runner_up: float) -> float:
    margin = (best - runner_up) / best if best > 0 else 0.0
    value = COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * max(0.0, margin)
    return round(min(1.0, max(0.0, value)), 3)


def cite(article: Article, works: Mapping[str, Work], day: date) -> tuple[CitedProvision, ...]:
    cited = []
    for c in article.citations:
        work = works.get(c.work_id)
        if work is None:
            continue
        version = work.version_on(day) or work.versions[-1]
        provision = version.provision(c.provision)
        article_no, _, paragraph = c.provision.partition(".")
        label = provision.label if provision is not None else (
            f"第{article_no}条" + (f"第{paragraph}款" if paragraph else ""))
        cited.append(CitedProvision(work.id, work.title, work.document_number, c.provision,
                                    label, day.isoformat(),
                                    bool(provision is not None and provision.summary)))
    return tuple(cited)


class Composer:
    """Composes answers from ``articles`` (those served as current) found by ``retriever``,
    citing ``works``; ``terms`` is the retriever's segmentation."""

    def __init__(self, retriever: Retriever, articles: Iterable[Article],
                 works: Iterable[Work],
                 terms: Callable[[str], Sequence[str]] = simple_terms) -> None:
        self.retriever = retriever
        self.articles = {a.id: a for a in articles}
        self.works = {w.id: w for w in works}
        self.terms = terms
        self._article_terms: dict[str, frozenset[str]] = {}

    def article_terms(self, article: Article) -> frozenset[str]:
        found = self._article_terms.get(article.id)
        if found is None:
            text = " ".join((*article.questions, article.answer, *article.tags))
            found = self._article_terms[article.id] = frozenset(self.terms(normalize(text)))
        return found

    def coverage(self, question: str, article: Article) -> float:
        wanted = content_terms(normalize(question), self.terms)
        if not wanted:
            return 0.0
        return len(wanted & self.article_terms(article)) / len(wanted)

    def compose(self, question: str, day: date) -> Composed | None:
        """The answer, or None when no served article matches at all."""
        hits = [h for h in self.retriever.search(question, CANDIDATES)
                if h.id in self.articles and self.articles[h.id].current_on(day)]
        if not hits or hits[0].score <= 0:
            return None
        best = self.articles[hits[0].id]
        runner_up = hits[1].score if len(hits) > 1 else 0.0
        related = tuple(Related(h.id, self.articles[h.id].question)
                        for h in hits[1:1 + RELATED])
        return Composed(best, confidence(self.coverage(question, best), hits[0].score,
                                         runner_up),
                        cite(best, self.works, day), related)
