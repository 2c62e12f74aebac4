"""An article's state in the knowledge base, kept in step with the regulations library. Pure.

An article is ``current`` or ``under_review``. When an officer publishes a version of a work
that amends or repeals a provision an article cites, the article is flagged: it goes under
review with a **reason** per provision (which work, provision, version, act and day), and stops
being served as current. A version flags an article once (the flag is keyed by work and
version). An officer reviews it — confirms the answer as still right, or replaces it — against
the ``revision`` they read, so a review made before a later flag is refused; the article is
then current again, with the reviewer recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from etax.knowledge.articles import Article
from etax.regulations.model import Version
from etax.regulations.render import changed

CURRENT: Final = "current"
UNDER_REVIEW: Final = "under_review"
CONFIRM: Final = "confirm"
REPLACE: Final = "replace"
NOTICE: Final = ("本条答复所依据的规定已修改或废止，正在复核中，复核完成前不作为现行答复，"
                 "请以所引规定的现行文本为准。")
EXPIRED_NOTICE: Final = "本条答复不在有效期内，不作为现行答复。"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an article went under review: a provision it cites, changed by a version."""

    work_id: str
    provision: str
    label: str
    change: str  # amended / added / repealed
    version: int
    valid_from: str
    act_title: str
    document_number: str
    flagged_at: str


@dataclass(frozen=True, slots=True)
class Entry:
    """An article as the knowledge base holds it: the article (its answer as last reviewed),
    its state and the revision every flag and review moves on by one."""

    article: Article
    state: str = CURRENT
    revision: int = 0
    reasons: tuple[Reason, ...] = ()
    flagged_at: str | None = None
    reviewed_by: str | None = None
    reviewed_at: str | None = None

    def served_on(self, day: date) -> bool:
        """Served as current on ``day``: not under review, and within its own validity."""
        return self.state == CURRENT and self.article.current_on(day)


def flags(work_id: str, version: Version, previous: Version | None, at: str,
          citing: Callable[[str, str], Iterable[str]]) -> dict[str, tuple[Reason, ...]]:
    """The articles ``version`` puts under review, each with its reasons: for every provision
    the version amended or repealed (or added back), the articles ``citing(work_id, key)``."""
    found: dict[str, list[Reason]] = {}
    for p in changed(version, previous):
        reason = Reason(work_id, p.key, p.label, p.status, version.number,
                        version.valid_from.isoformat(), version.act.title,
                        version.act.document_number, at)
        for article_id in citing(work_id, p.key):
            found.setdefault(article_id, []).append(reason)
    return {article_id: tuple(reasons) for article_id, reasons in sorted(found.items())}


def flag_key(work_id: str, version: int) -> str:
    """What makes a flag once per article and version."""
    return f"{work_id}#{version}"
