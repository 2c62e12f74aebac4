"""Questions taxpayers asked, each with the article that answered it. Pure.

The consultation's own indexes (:mod:`.local_index`) read an article together with the
questions asked of it — document expansion: a new question worded as an earlier one was
(分红, 接私单, 薪水 …) meets the article through that earlier wording, which the article's own
text may lack. They are the questions of ``data/asked/*.json`` (``{"questions": [{"question",
"expected", "form"}]}``): sets written as taxpayers ask, by paraphrase, in spoken and casual
words, with typos, in traditional characters, mixed with English, each with the article that
answers it. The evaluation's unseen sets (``tests/evaluation/``) are never among them: what
they measure is what a question nobody asked before gets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Final

ASKED: Final = Path(__file__).with_name("data") / "asked"


def read_asked(paths: Iterable[Path]) -> dict[str, tuple[str, ...]]:
    """Each article's asked questions, in the files' order."""
    by_article: dict[str, list[str]] = {}
    for path in paths:
        for q in json.loads(path.read_text(encoding="utf-8"))["questions"]:
            by_article.setdefault(q["expected"], []).append(q["question"])
    return {article: tuple(questions) for article, questions in by_article.items()}


@cache
def asked() -> Mapping[str, tuple[str, ...]]:
    """The seeded asked questions, by article id (read once per process)."""
    return read_asked(sorted(ASKED.glob("*.json")))
