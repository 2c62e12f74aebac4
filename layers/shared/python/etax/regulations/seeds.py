"""The corpus the platform applies (``data/works*.json``, read in name order), read into works
and checked: every work holds together (:meth:`~etax.regulations.model.Work.check`), ids and
numbers are unique across the files."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from etax.errors import Invalid
from etax.regulations.codec import version_from
from etax.regulations.model import Work

DATA = Path(__file__).with_name("data")


def work_of(raw: dict[str, Any]) -> Work:
    expires = raw.get("expires")
    return Work(raw["id"], raw["title"], raw["kind"], raw["document_number"],
                tuple(raw["issuers"]), date.fromisoformat(raw["issued"]),
                tuple(version_from(v) for v in raw["versions"]),
                date.fromisoformat(expires) if expires else None)


def check_corpus(works: list[Work]) -> None:
    for name, values in (("id", [w.id for w in works]),
                         ("document_number", [w.document_number for w in works])):
        twice = [value for value, count in Counter(values).items() if count > 1]
        if twice:
            raise Invalid(f"two works share the {name} {twice[0]}", field=name)
    for work in works:
        work.check()


@cache
def corpus() -> tuple[Work, ...]:
    works = [work_of(raw) for path in sorted(DATA.glob("works*.json"))
             for raw in json.loads(path.read_text(encoding="utf-8"))["works"]]
    check_corpus(works)
    return tuple(works)
