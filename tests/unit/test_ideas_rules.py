"""The idea space's rules (etax.ideas.rules), without storage: who supports, when supports
send an idea to review, what each decision needs and changes, hiding and merging."""

from __future__ import annotations

from typing import Any

import pytest

from etax.errors import Invalid, Refused, StateChanged
from etax.ideas import rules

AT = "2026-12-06T02:00:00Z"


def idea(**changes: Any) -> dict[str, Any]:
    return {"id": "id-1", "state": "submitted", "author": "350102199003071234",
            "supports": 0, "window_ends": "2027-03-06T02:00:00Z", **changes}


def test_a_support_is_for_an_open_idea_within_its_window_from_someone_else() -> None:
    rules.check_supportable(idea(), "91350100M000100Y43", AT)
    rules.check_supportable(idea(state="under_review"), "91350100M000100Y43", AT)
    with pytest.raises(Refused):
        rules.check_supportable(idea(), "350102199003071234", AT)
    with pytest.raises(StateChanged):
        rules.check_supportable(idea(window_ends=AT), "91350100M000100Y43", AT)
    for state in ("adopted", "declined", "delivered", "withdrawn", "merged"):
        with pytest.raises(StateChanged):
            rules.check_supportable(idea(state=state), "91350100M000100Y43", AT)


def test_the_threshold_sends_a_submitted_idea_to_review_once() -> None:
    assert not rules.reached(idea(supports=rules.SUPPORT_THRESHOLD - 1))
    assert rules.reached(idea(supports=rules.SUPPORT_THRESHOLD))
    assert not rules.reached(idea(state="under_review", supports=rules.SUPPORT_THRESHOLD + 5))


def test_each_decision_in_its_state_and_with_what_it_needs() -> None:
    adopted = rules.decide(idea(state="under_review"), "officer-1", "adopt", None, AT)
    assert adopted.values == {"state": "adopted", "decided_at": AT}
    assert adopted.step == {"at": AT, "by": "officer-1", "action": "adopted", "public": True}
    with pytest.raises(Invalid) as bare:
        rules.decide(idea(state="under_review"), "officer-1", "decline", None, AT)
    assert bare.value.field == "reason"
    delivered = rules.decide(idea(state="adopted"), "officer-1", "deliver", "已上线", AT)
    assert delivered.values["state"] == "delivered"
    with pytest.raises(StateChanged):
        rules.decide(idea(), "officer-1", "adopt", None, AT)  # not under review
    with pytest.raises(StateChanged):
        rules.decide(idea(state="under_review"), "officer-1", "deliver", "x", AT)


def test_hiding_is_a_step_the_public_does_not_see_and_happens_once() -> None:
    hidden = rules.hide(idea(), "officer-1", "广告", AT)
    assert hidden.values == {"hidden": {"by": "officer-1", "at": AT, "reason": "广告"}}
    assert hidden.step["public"] is False
    with pytest.raises(StateChanged):
        rules.hide(idea(hidden={"by": "o"}), "officer-1", "广告", AT)


def test_merging_needs_two_open_ideas() -> None:
    merged = rules.merge(idea(), idea(id="id-2"), "officer-1", AT)
    assert merged.values == {"state": "merged", "merged_into": "id-2", "decided_at": AT}
    with pytest.raises(Invalid):
        rules.merge(idea(), idea(), "officer-1", AT)
    with pytest.raises(StateChanged) as closed:
        rules.merge(idea(), idea(id="id-2", state="declined"), "officer-1", AT)
    assert closed.value.field == "into"
    with pytest.raises(StateChanged) as hidden:
        rules.merge(idea(hidden={"by": "o"}), idea(id="id-2"), "officer-1", AT)
    assert hidden.value.field == "idea_id"


def test_only_the_author_withdraws_an_open_idea() -> None:
    assert rules.withdraw(idea(), "350102199003071234", None, AT).step["by"] == "author"
    with pytest.raises(Refused):
        rules.withdraw(idea(), "someone-else", None, AT)
    with pytest.raises(StateChanged):
        rules.withdraw(idea(state="adopted"), "350102199003071234", None, AT)
