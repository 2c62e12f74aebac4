"""The one wording of a published version's changes. Pure.

What a version changed — its provisions amended or added, and those it repealed (a repealed
provision stays in every later version as a tombstone, so "repealed by this version" needs the
version before) — rendered as one text: the API shows it on the version
(:class:`~etax.regulations.results.VersionShown`'s ``announcement``) and the subscribers'
notification carries it in its body, rendered from the ``RegulationVersionPublished`` event's
canonical text by the same functions. Inbox, SMS, WeChat and API show one wording.
"""

from __future__ import annotations

import json

from etax.regulations.codec import provision_from
from etax.regulations.model import Act, Provision, Version


def changed(version: Version, previous: Version | None) -> tuple[Provision, ...]:
    """The provisions ``version`` changed: amended or added by its act, or repealed by it (not
    already repealed in ``previous``)."""
    found = []
    for p in version.provisions:
        if p.status in ("amended", "added"):
            found.append(p)
        elif p.status == "repealed":
            before = previous.provision(p.key) if previous is not None else None
            if before is not None and before.status != "repealed":
                found.append(p)
    return tuple(found)


def provision_line(p: Provision) -> str:
    """One changed provision: ``第4条（修改后）：…`` / ``（新增）`` / ``第4条：废止``."""
    if p.status == "repealed":
        return f"{p.label}：废止"
    what = "新增" if p.status == "added" else "修改后"
    note = "（摘要，非原文）" if p.summary else ""
    return f"{p.label}（{what}）：{p.text}{note}"


def announcement(version: Version, previous: Version | None) -> str:
    """The version's changes as one text: the act, the day they take effect, one line each."""
    act = version.act
    head = (f"{act.title}（{act.document_number}）自{version.valid_from.isoformat()}起施行，"
            "修改以下条款：")
    return "\n".join((head, *(provision_line(p) for p in changed(version, previous))))


def version_of_event(detail: dict[str, object]) -> Version:
    """The version a ``RegulationVersionPublished`` event announces, read from its canonical
    text (``text``: every provision of the version) — the event alone, not the library."""
    from datetime import date

    act = detail["act"]
    if not isinstance(act, dict) or not isinstance(detail.get("text"), str):
        raise ValueError("not a RegulationVersionPublished event")
    provisions = tuple(provision_from(p) for p in json.loads(str(detail["text"])))
    return Version(int(str(detail["version"])), date.fromisoformat(str(detail["valid_from"])),
                   Act(str(act["title"]), str(act["document_number"]),
                       date.fromisoformat(str(act["issued"]))), provisions)


def published_by_officer(detail: dict[str, object]) -> bool:
    """The event announces a version an officer published (``published_by`` and ``draft``
    set), not one the seeding of the library wrote (``seed``)."""
    by, draft = detail.get("published_by"), detail.get("draft")
    return (isinstance(by, str) and bool(by) and by != "seed"
            and isinstance(draft, str) and bool(draft) and draft != "seed")
