"""The 12366 knowledge base's articles and the seeded base. Pure.

An **article** answers one question, asked in several forms (``question`` and ``also_asked``),
in the platform's own words (``answer``), and rests on provisions of the regulations library
(``citations``: a work's id and a provision's key, ``"11"`` for 第11条, ``"11.2"`` for its
第2款). Its ``topic`` and ``taxpayer_types`` come from the closed lists below; ``valid_from``
and ``valid_to`` bound the days on which it may be served as current.

The seeded base is every ``data/articles/*.json`` file (``{"articles": [...]}``), read in name
order; :func:`check_base` holds it to the library: ids unique and well formed, every citation a
provision some version of the cited work has.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

from etax.errors import Invalid
from etax.regulations.model import Work, parse_date

DATA = Path(__file__).with_name("data") / "articles"

TOPICS: Final = {
    "iit": "个人所得税",
    "vat": "增值税",
    "invoice": "发票与数电票",
    "verification": "发票查验",
    "lottery": "发票抽奖",
    "departure_refund": "离境退税",
    "vehicle_vessel": "车船税",
    "registration": "税务登记与统一社会信用代码",
    "filing": "申报期限",
    "payment": "缴税方式",
    "refund": "退税",
    "certificate": "完税证明与涉税证明",
    "credit": "纳税信用与信用修复",
    "blacklist": "重大税收违法失信主体",
}

TAXPAYER_TYPES: Final = {
    "natural_person": "自然人",
    "individual_business": "个体工商户",
    "small_scale": "小规模纳税人",
    "general_taxpayer": "一般纳税人",
    "enterprise": "企业",
    "tourist": "境外旅客",
    "consumer": "消费者",
}

ARTICLE_ID: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PROVISION_KEY: Final = re.compile(r"^[1-9][0-9]*(?:\.[1-9][0-9]*)?$")


@dataclass(frozen=True, slots=True)
class Citation:
    """A provision an article rests on: the work's id and the provision's key (``"11.2"``)."""

    work_id: str
    provision: str


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    topic: str
    question: str
    also_asked: tuple[str, ...]
    answer: str
    citations: tuple[Citation, ...]
    tags: tuple[str, ...]
    taxpayer_types: tuple[str, ...]
    valid_from: date
    valid_to: date | None = None

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.question, *self.also_asked)

    def current_on(self, day: date) -> bool:
        """Within its own validity on ``day`` (a review flag is the repository's, not this)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def cites(self, work_id: str, provision: str) -> bool:
        return Citation(work_id, provision) in self.citations

    def check(self) -> None:
        where = self.id
        if not ARTICLE_ID.match(self.id) or len(self.id) > 64:
            raise Invalid(f"{where}: an id is lower-case words joined by '-'", field="id")
        if self.topic not in TOPICS:
            raise Invalid(f"{where}: unknown topic {self.topic}", field="topic")
        for name, value in (("question", self.question), ("answer", self.answer)):
            if not value.strip():
                raise Invalid(f"{where}: {name} is empty", field=name)
        if any(not q.strip() for q in self.also_asked):
            raise Invalid(f"{where}: an empty question form", field="also_asked")
        if not self.citations:
            raise Invalid(f"{where}: an article rests on at least one provision",
                          field="citations")
        for c in self.citations:
            if not PROVISION_KEY.match(c.provision):
                raise Invalid(f"{where}: provision {c.provision!r} is not 'N' or 'N.M'",
                              field="citations")
        unknown = set(self.taxpayer_types) - set(TAXPAYER_TYPES)
        if not self.taxpayer_types or unknown:
            raise Invalid(f"{where}: taxpayer types from {sorted(TAXPAYER_TYPES)}",
                          field="taxpayer_types")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise Invalid(f"{where}: valid_to before valid_from", field="valid_to")


def article_of(raw: dict[str, Any]) -> Article:
    valid_to = raw.get("valid_to")
    return Article(
        raw["id"], raw["topic"], raw["question"], tuple(raw.get("also_asked", ())),
        raw["answer"],
        tuple(Citation(c["work"], str(c["provision"])) for c in raw["citations"]),
        tuple(raw.get("tags", ())), tuple(raw["taxpayer_types"]),
        parse_date(raw["valid_from"], "valid_from"),
        parse_date(valid_to, "valid_to") if valid_to else None)


def check_base(articles: Iterable[Article], works: Iterable[Work]) -> None:
    """Every article well formed, ids unique, every citation a provision of the library."""
    articles = list(articles)
    keys = {w.id: {p.key for v in w.versions for p in v.provisions} for w in works}
    twice = [i for i, n in Counter(a.id for a in articles).items() if n > 1]
    if twice:
        raise Invalid(f"two articles share the id {twice[0]}", field="id")
    for article in articles:
        article.check()
        for c in article.citations:
            if c.provision not in keys.get(c.work_id, ()):
                raise Invalid(f"{article.id}: cites {c.work_id} {c.provision}, which the "
                              "library does not hold", field="citations")


@cache
def base() -> tuple[Article, ...]:
    """The seeded knowledge base, checked against the seeded library."""
    from etax.regulations.seeds import corpus

    articles = [article_of(raw) for path in sorted(DATA.glob("*.json"))
                for raw in json.loads(path.read_text(encoding="utf-8"))["articles"]]
    check_base(articles, corpus())
    return tuple(articles)
