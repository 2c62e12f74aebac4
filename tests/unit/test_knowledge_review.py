"""The knowledge base kept in step, pure: what a version changed (a repeal told from a tombstone
carried on), its one wording, the articles it flags, who is notified and how, the seeds'
versions told from an officer's."""

from __future__ import annotations

import json
from datetime import date

import pytest

from etax.errors import Invalid
from etax.knowledge.articles import Article, Citation
from etax.knowledge.review import CURRENT, UNDER_REVIEW, Entry, flags
from etax.knowledge.subscriptions import MAX_WORKS, checked_works, notice
from etax.notifications.contract import Notification
from etax.regulations.codec import canonical_text
from etax.regulations.model import Act, Change, Provision, Version, amended
from etax.regulations.render import (
    announcement,
    changed,
    provision_line,
    published_by_officer,
    version_of_event,
)
from etax.regulations.seeds import corpus

ACT = Act("关于修改的公告", "示例2026年第1号", date(2026, 11, 1))
V1 = Version(1, date(2020, 1, 1), Act("办法", "示例2019年第1号", date(2019, 12, 1)), (
    Provision(1, "第一条原文。"), Provision(2, "第二条原文。"), Provision(3, "第三条原文。")))
V2 = amended(V1, (Change("amend", 1, "第一条新文。", summary=True), Change("repeal", 2)), ACT,
             date(2027, 1, 1))
V3 = amended(V2, (Change("add", 4, "第四条。"),), ACT, date(2028, 1, 1))


def test_a_version_changed_what_its_act_amended_added_or_repealed_not_an_old_repeal() -> None:
    assert [(p.key, p.status) for p in changed(V2, V1)] == [("1", "amended"), ("2", "repealed")]
    assert [(p.key, p.status) for p in changed(V3, V2)] == [("4", "added")]  # 2 still repealed
    assert changed(V1, None) == ()


def test_the_wording_of_a_change() -> None:
    assert provision_line(V2.provisions[0]) == "第1条（修改后）：第一条新文。（摘要，非原文）"
    assert provision_line(V2.provisions[1]) == "第2条：废止"
    assert provision_line(V3.provisions[-1]) == "第4条（新增）：第四条。"
    assert announcement(V2, V1) == (
        "关于修改的公告（示例2026年第1号）自2027-01-01起施行，修改以下条款：\n"
        "第1条（修改后）：第一条新文。（摘要，非原文）\n第2条：废止")


def test_the_event_carries_the_version_and_the_same_wording_comes_of_it() -> None:
    detail = {"work_id": "w", "version": 2, "valid_from": "2027-01-01",
              "act": {"title": ACT.title, "document_number": ACT.document_number,
                      "issued": "2026-11-01"}, "text": canonical_text(V2)}
    assert version_of_event(detail) == V2
    assert announcement(version_of_event(detail), V1) == announcement(V2, V1)
    with pytest.raises(ValueError, match="not a RegulationVersionPublished"):
        version_of_event({"act": "x"})


@pytest.mark.parametrize(("by", "draft", "officer"), [
    ("seed", "seed", False), (None, None, False), ("", "d-1", False),
    ("officer-fz-0001", "seed", False), ("officer-fz-0001", "d-1", True)])
def test_only_an_officers_version_counts(by: str | None, draft: str | None,
                                         officer: bool) -> None:
    assert published_by_officer({"published_by": by, "draft": draft}) is officer


def test_the_flags_of_a_version_group_its_reasons_by_article() -> None:
    citing = {("w", "1"): ["a", "b"], ("w", "2"): ["a"], ("w", "3"): ["c"]}
    found = flags("w", V2, V1, "2026-12-04T00:00:00Z", lambda w, k: citing.get((w, k), []))
    assert sorted(found) == ["a", "b"]  # c cites an unchanged provision
    assert [(r.provision, r.change, r.version) for r in found["a"]] == [
        ("1", "amended", 2), ("2", "repealed", 2)]
    assert found["b"][0].label == "第1条"
    assert found["b"][0].document_number == ACT.document_number


def test_an_article_is_served_only_when_current_and_within_its_validity() -> None:
    article = Article("a", "iit", "问？", (), "答。", (Citation("w", "1"),), (),
                      ("natural_person",), date(2020, 1, 1), date(2026, 12, 31))
    day = date(2026, 6, 1)
    assert Entry(article).served_on(day)
    assert not Entry(article, UNDER_REVIEW).served_on(day)
    assert not Entry(article, CURRENT).served_on(date(2027, 1, 1))


def test_subscriptions_are_known_works_each_once_under_the_cap() -> None:
    known = {w.id: w for w in corpus()}
    assert checked_works(["iit-law", "vat-law", "iit-law"], known) == ["iit-law", "vat-law"]
    with pytest.raises(Invalid) as unknown:
        checked_works(["iit-law", "nope"], known)
    assert unknown.value.field == "works[1]"
    many = {f"w{n}": corpus()[0] for n in range(MAX_WORKS + 1)}
    with pytest.raises(Invalid) as over:
        checked_works(list(many), many)
    assert over.value.field == "works"


def test_a_notice_is_one_per_subscriber_and_version_with_the_wording() -> None:
    work = corpus()[0]
    shown = notice(work, V2, V1, "350102199003071234")
    assert shown["id"] == f"regulation:{work.id}:2:350102199003071234"
    assert shown["recipient"] == "350102199003071234"
    assert shown["body"] == announcement(V2, V1)
    assert shown["link"].endswith("as_of=2027-01-01")
    json.dumps(shown)  # the event's detail is JSON
    Notification.model_validate(shown)


def test_a_notice_of_a_long_amendment_stays_within_the_contract() -> None:
    long = amended(V1, (Change("amend", 1, "长" * 3000),), ACT, date(2027, 1, 1))
    shown = notice(corpus()[0], long, V1, "350102199003071234")
    Notification.model_validate(shown)
    assert len(shown["body"]) == 2000
    assert shown["body"].endswith("（全文见链接）")
