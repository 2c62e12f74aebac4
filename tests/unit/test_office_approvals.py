"""The internal approvals' rules (etax.office.approvals), without storage: the order of the
reviewers, whose turn it is, what each decision changes and who is told."""

from __future__ import annotations

from typing import Any

import pytest

from etax.errors import Invalid, Refused, StateChanged
from etax.office import approvals

AT = "2026-12-06T02:00:00Z"
OFFICE = "13501000000"


def stored(**changes: Any) -> dict[str, Any]:
    return {"state": "pending", "office": OFFICE, "submitted_by": "clerk",
            "reviewers": ["head", "director"], "position": 0, "round": 1, "conditions": [],
            "title": "请示", "category": "document", "trail": [], **changes}


@pytest.mark.parametrize(("reviewers", "field"), [
    ([], "reviewers"), ([f"o{n}" for n in range(9)], "reviewers"),
    (["head", "clerk"], "reviewers[1]"), (["head", "director", "head"], "reviewers[2]")])
def test_the_reviewers_are_one_to_eight_distinct_officers_not_the_submitter(
        reviewers: list[str], field: str) -> None:
    with pytest.raises(Invalid) as raised:
        approvals.check_reviewers("clerk", reviewers)
    assert raised.value.field == field


def test_an_approval_moves_to_the_next_reviewer_and_the_last_ends_it() -> None:
    moved = approvals.decide(stored(), "head", OFFICE, "approve", None, "限本月内", AT)
    assert moved.values == {"position": 1,
                            "conditions": [{"by": "head", "at": AT, "text": "限本月内"}]}
    assert moved.step == {"at": AT, "by": "head", "action": "approved_with_conditions",
                          "text": "条件：限本月内"}
    assert moved.tell == (("director", "to_review"),)
    ended = approvals.decide(stored(**moved.values), "director", OFFICE, "approve", "同意",
                             None, AT)
    assert ended.values["state"] == "approved"
    assert ended.values["conditions"] == moved.values["conditions"]  # kept to the outcome
    assert ended.tell == (("clerk", "approved"),)
    title, body = approvals.words("approved", stored(**moved.values), ended)
    assert title == "已审批通过：请示"
    assert body == "你提交的文书审批“请示”已审批通过（附条件：限本月内）。"


@pytest.mark.parametrize(("by", "office"), [("director", OFFICE), ("head", "13502000000"),
                                            ("clerk", OFFICE)])
def test_only_the_reviewer_whose_turn_it_is_decides(by: str, office: str) -> None:
    with pytest.raises(Refused):
        approvals.decide(stored(), by, office, "approve", None, None, AT)


@pytest.mark.parametrize("state", ["returned", "approved", "rejected", "withdrawn"])
def test_nothing_is_decided_unless_pending(state: str) -> None:
    with pytest.raises(StateChanged):
        approvals.decide(stored(state=state), "head", OFFICE, "approve", None, None, AT)


def test_a_return_goes_back_to_the_reviewer_who_returned_it_up_to_ten_rounds() -> None:
    returned = approvals.decide(stored(position=1), "director", OFFICE, "return", "补充材料",
                                None, AT)
    assert returned.values == {"state": "returned"}
    again = approvals.resubmit(stored(state="returned", position=1), "clerk",
                               {"body": "已补充"}, None, AT)
    assert again.values == {"state": "pending", "round": 2, "body": "已补充"}
    assert again.tell == (("director", "to_review"),)
    with pytest.raises(StateChanged):
        approvals.resubmit(stored(state="returned", round=approvals.MAX_ROUNDS), "clerk", {},
                           None, AT)
    with pytest.raises(Refused):
        approvals.resubmit(stored(state="returned"), "head", {}, None, AT)


def test_a_withdrawal_tells_the_reviewer_waiting_and_nobody_once_returned() -> None:
    assert approvals.withdraw(stored(), "clerk", "撤回", AT).tell == (("head", "withdrawn"),)
    assert approvals.withdraw(stored(state="returned"), "clerk", "撤回", AT).tell == ()
    with pytest.raises(StateChanged):
        approvals.withdraw(stored(state="approved"), "clerk", "撤回", AT)
