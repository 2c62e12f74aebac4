"""Internal approvals (E18) over moto: a document routed through reviewers of the office in
order, each deciding in turn (approved, with conditions, returned for changes, rejected), the
submitter resubmitting or withdrawing, every step on the trail and each person told in the
inbox; who may see and do what; two decisions at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.functional.test_office import (
    ADMIN,
    DRAFTER,
    ELSEWHERE,
    FUZHOU,
    NOW,
    SECOND,
    THIRD,
    get,
    post,
)
from tests.functional.test_office import module as module  # the fixture, shared

SUBMITTER = DRAFTER
SECTION_HEAD = SECOND  # 科长
DIRECTOR = THIRD  # 局长
BYSTANDER = ("officer", "officer-fz-0009", FUZHOU)
PROPOSAL: dict[str, Any] = {
    "category": "document", "title": "关于对某公司开展税务检查的请示",
    "body": "经风险分析，该公司 2025 年度存在顶额开具风险。\n拟于 12 月开展检查，请审批。",
    "reviewers": [SECTION_HEAD[1], DIRECTOR[1]], "reference": "fd-0123456789abcdef"}


@pytest.fixture
def office(module: Any) -> Any:
    module.approvals.now = lambda: NOW
    return module


def submit(module: Any, body: dict[str, Any] | None = None,
           who: tuple[str, ...] = SUBMITTER, key: str = "a-1") -> dict[str, Any]:
    return post(module, "/v1/office/approvals", body or PROPOSAL, who, key=key)


def act(module: Any, approval_id: str, action: str, body: Any,
        who: tuple[str, ...]) -> dict[str, Any]:
    return post(module, f"/v1/office/approvals/{approval_id}/{action}", body, who,
                resource=f"/v1/office/approvals/{{approval_id}}/{action}",
                params={"approval_id": approval_id})


def read(module: Any, approval_id: str, who: tuple[str, ...]) -> dict[str, Any]:
    return get(module, f"/v1/office/approvals/{approval_id}", who,
               "/v1/office/approvals/{approval_id}", {"approval_id": approval_id})


def box(module: Any, who: tuple[str, ...], which: str | None = None,
        cursor: str | None = None) -> dict[str, Any]:
    query = {k: v for k, v in (("box", which), ("cursor", cursor)) if v}
    return get(module, "/v1/office/approvals", who, query=query or None)


def told(published: list[Any]) -> list[tuple[str, str]]:
    """(recipient, kind) of every notification published, in order."""
    return [(e.detail["notification"]["recipient"], e.detail["notification"]["kind"])
            for e in published if e.detail_type == "ApprovalMoved"]


def ids(page: dict[str, Any]) -> list[str]:
    return [a["id"] for a in page["json"]["approvals"]]


def test_a_document_passes_its_reviewers_in_order_with_a_condition_kept_on_the_outcome(
        office: Any, published: list[Any]) -> None:
    submitted = submit(office)
    assert submitted["statusCode"] == 201, submitted["json"]
    approval = submitted["json"]
    approval_id = approval["id"]
    assert approval["state"] == "pending"
    assert approval["waiting_for"] == SECTION_HEAD[1]
    assert approval["category_name"] == "文书审批"
    assert approval["body"] == PROPOSAL["body"]  # its line break kept
    assert ids(box(office, SECTION_HEAD)) == [approval_id]
    assert ids(box(office, DIRECTOR)) == []  # not its turn yet
    assert ids(box(office, SUBMITTER, "submitted")) == [approval_id]

    # the director may not jump the queue
    early = act(office, approval_id, "decisions", {"decision": "approve"}, DIRECTOR)
    assert early["statusCode"] == 403

    first = act(office, approval_id, "decisions",
                {"decision": "approve", "conditions": "检查前须报稽查局备案"}, SECTION_HEAD)
    assert first["statusCode"] == 200, first["json"]
    assert first["json"]["waiting_for"] == DIRECTOR[1]
    assert ids(box(office, SECTION_HEAD)) == []
    assert ids(box(office, DIRECTOR)) == [approval_id]

    office.approvals.now = lambda: NOW + timedelta(hours=2)
    last = act(office, approval_id, "decisions", {"decision": "approve", "comment": "同意。"},
               DIRECTOR)
    assert last["statusCode"] == 200, last["json"]
    outcome = last["json"]
    assert outcome["state"] == "approved"
    assert outcome["decided_at"] == "2026-12-06T04:00:00Z"
    assert "waiting_for" not in outcome
    assert outcome["conditions"] == [{"by": SECTION_HEAD[1], "at": "2026-12-06T02:00:00Z",
                                      "text": "检查前须报稽查局备案"}]
    assert [(s["by"], s["action"]) for s in outcome["trail"]] == [
        (SUBMITTER[1], "submitted"), (SECTION_HEAD[1], "approved_with_conditions"),
        (DIRECTOR[1], "approved")]
    assert ids(box(office, DIRECTOR)) == []
    assert read(office, approval_id, SUBMITTER)["json"] == outcome

    assert told(published) == [(SECTION_HEAD[1], "office.approval_to_review"),
                               (DIRECTOR[1], "office.approval_to_review"),
                               (SUBMITTER[1], "office.approval_approved")]
    done = published[-1].detail["notification"]
    assert done["title"] == f"已审批通过：{PROPOSAL['title']}"
    assert "附条件：检查前须报稽查局备案" in done["body"]
    assert done["link"] == f"/v1/office/approvals/{approval_id}"

    again = act(office, approval_id, "decisions", {"decision": "approve"}, DIRECTOR)
    assert again["statusCode"] == 409


def test_a_returned_document_is_revised_and_goes_back_to_the_reviewer_who_returned_it(
        office: Any, published: list[Any]) -> None:
    approval_id = submit(office)["json"]["id"]
    act(office, approval_id, "decisions", {"decision": "approve"}, SECTION_HEAD)
    returned = act(office, approval_id, "decisions",
                   {"decision": "return", "comment": "请补充检查人员名单"}, DIRECTOR)
    assert returned["json"]["state"] == "returned"
    assert ids(box(office, DIRECTOR)) == []

    # only the submitter resubmits
    assert act(office, approval_id, "resubmit", {}, SECTION_HEAD)["statusCode"] == 403
    revised = act(office, approval_id, "resubmit",
                  {"body": "补充：检查人员为张某、李某。", "comment": "已补充"}, SUBMITTER)
    assert revised["statusCode"] == 200, revised["json"]
    assert revised["json"]["state"] == "pending"
    assert revised["json"]["round"] == 2
    assert revised["json"]["waiting_for"] == DIRECTOR[1]  # the section head keeps its approval
    assert revised["json"]["body"] == "补充：检查人员为张某、李某。"
    assert revised["json"]["title"] == PROPOSAL["title"]
    assert ids(box(office, DIRECTOR)) == [approval_id]

    rejected = act(office, approval_id, "decisions",
                   {"decision": "reject", "comment": "风险已排除，不予检查"}, DIRECTOR)
    assert rejected["json"]["state"] == "rejected"
    assert [s["action"] for s in rejected["json"]["trail"]] == [
        "submitted", "approved", "returned", "resubmitted", "rejected"]
    assert rejected["json"]["trail"][2]["text"] == "请补充检查人员名单"
    assert told(published)[-3:] == [(SUBMITTER[1], "office.approval_returned"),
                                    (DIRECTOR[1], "office.approval_to_review"),
                                    (SUBMITTER[1], "office.approval_rejected")]
    assert "风险已排除" in published[-1].detail["notification"]["body"]


def test_the_submitter_withdraws_and_the_waiting_reviewer_is_told(
        office: Any, published: list[Any]) -> None:
    approval_id = submit(office)["json"]["id"]
    assert act(office, approval_id, "withdraw", {"reason": "不再需要"},
               SECTION_HEAD)["statusCode"] == 403
    withdrawn = act(office, approval_id, "withdraw", {"reason": "情况有变，撤回"}, SUBMITTER)
    assert withdrawn["json"]["state"] == "withdrawn"
    assert ids(box(office, SECTION_HEAD)) == []
    assert told(published)[-1] == (SECTION_HEAD[1], "office.approval_withdrawn")
    late = act(office, approval_id, "decisions", {"decision": "approve"}, SECTION_HEAD)
    assert late["statusCode"] == 409
    assert act(office, approval_id, "withdraw", {"reason": "再撤一次"},
               SUBMITTER)["statusCode"] == 409


def test_who_sees_an_approval(office: Any) -> None:
    approval_id = submit(office)["json"]["id"]
    for who in (SUBMITTER, SECTION_HEAD, DIRECTOR, ADMIN):
        assert read(office, approval_id, who)["statusCode"] == 200, who
    for who in (BYSTANDER, ELSEWHERE):  # an officer of the office not on it; another office
        assert read(office, approval_id, who)["statusCode"] == 404, who
    taxpayer = ("taxpayer", "91350100M000100Y43")
    assert read(office, approval_id, taxpayer)["statusCode"] == 403
    assert read(office, "ap-" + "0" * 20, SUBMITTER)["statusCode"] == 404
    assert read(office, "../../etc", SUBMITTER)["statusCode"] == 404
    # an officer named a reviewer but of another office decides nothing
    stray = submit(office, {**PROPOSAL, "reviewers": [ELSEWHERE[1]]}, key="a-2")["json"]["id"]
    assert act(office, stray, "decisions", {"decision": "approve"},
               ELSEWHERE)["statusCode"] == 404
    assert submit(office, who=ADMIN, key="a-3")["statusCode"] == 403


def test_two_decisions_at_once_apply_once(office: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    approval_id = submit(office)["json"]["id"]
    stale = office.repository.approval(approval_id)
    act(office, approval_id, "decisions", {"decision": "approve"}, SECTION_HEAD)
    # the second request read the approval before the first wrote it
    monkeypatch.setattr(office.repository, "approval", lambda _id: stale)
    second = act(office, approval_id, "decisions",
                 {"decision": "return", "comment": "请补充"}, SECTION_HEAD)
    assert second["statusCode"] == 409
    assert second["json"]["field"] == "approval_id"
    monkeypatch.undo()
    assert read(office, approval_id, SUBMITTER)["json"]["waiting_for"] == DIRECTOR[1]


def test_the_submitters_box_pages_newest_first(office: Any) -> None:
    made = []
    for n in range(3):
        office.approvals.now = lambda n=n: NOW + timedelta(minutes=n)
        made.append(submit(office, key=f"p-{n}")["json"]["id"])
    first = box(office, SUBMITTER, "submitted")
    assert ids(first) == made[::-1]
    waiting = box(office, SECTION_HEAD)
    assert ids(waiting) == made  # longest waiting first


@pytest.mark.parametrize(("change", "field"), [
    ({"reviewers": []}, "reviewers"),
    ({"reviewers": [f"officer-fz-{n:04d}" for n in range(2, 11)]}, "reviewers"),
    ({"reviewers": [SUBMITTER[1]]}, "reviewers[0]"),
    ({"reviewers": [SECOND[1], SECOND[1]]}, "reviewers[1]"),
    ({"reviewers": ["bad reviewer!"]}, "reviewers[0]"),
    ({"category": "party"}, "category"),
    ({"title": "x"}, "title"),
    ({"body": "a\u202eb"}, "body"),
    ({"owner": "me"}, "owner"),
])
def test_a_submission_that_breaks_a_rule_is_refused_naming_the_field(
        office: Any, change: dict[str, Any], field: str) -> None:
    answer = submit(office, {**PROPOSAL, **change})
    assert answer["statusCode"] in (400, 422), answer["json"]
    assert field in str(answer["json"]), answer["json"]


@pytest.mark.parametrize(("body", "field"), [
    ({"decision": "return"}, "comment"),
    ({"decision": "reject", "comment": "x"}, "comment"),
    ({"decision": "reject", "comment": "不同意", "conditions": "附条件"}, "conditions"),
    ({"decision": "maybe"}, "decision"),
    ({}, "decision"),
])
def test_a_decision_that_breaks_a_rule_is_refused_naming_the_field(
        office: Any, body: dict[str, Any], field: str) -> None:
    approval_id = submit(office)["json"]["id"]
    answer = act(office, approval_id, "decisions", body, SECTION_HEAD)
    assert answer["statusCode"] in (400, 422), answer["json"]
    assert field in str(answer["json"]), answer["json"]
    assert read(office, approval_id, SUBMITTER)["json"]["waiting_for"] == SECTION_HEAD[1]


def test_a_box_that_is_neither_or_a_forged_cursor_is_refused(office: Any) -> None:
    assert "box" in str(box(office, SUBMITTER, "everything")["json"])
    answer = box(office, SUBMITTER, cursor="eyJwayI6ICJ4In0")
    assert answer["statusCode"] == 400
    assert "cursor" in str(answer["json"])
