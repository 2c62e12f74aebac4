"""Crowd help's pure rules: reputation (the rules table, the daily cap, the floor, changed
votes, acceptance, the badge, incremental = recomputed), duplicate likeness, the state rules
and the request limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from etax.crowd import model, reputation
from etax.crowd.model import Answer, Mark, Question
from etax.crowd.reputation import Accepted, Ledger, Voted, recompute
from etax.crowd.requests import AskRequest
from etax.crowd.similarity import Candidate, likeness, similar, simple_terms
from etax.errors import NotFound, Refused, StateChanged

DAY = "2026-12-04"


def up(post: str, kind: reputation.PostKind = "answer", voter: str = "v", author: str = "a",
       day: str = DAY, value: int = 1) -> Voted:
    return Voted(post, kind, author, voter, value, day)


def test_the_rules_table_is_the_rules_applied() -> None:
    for event, author, other, capped in reputation.RULES:
        if event == "answer accepted":
            ledger = recompute([Accepted("q", "a1", "a", "asker", DAY)])
            assert (ledger.of("a") - 1, ledger.of("asker") - 1) == (author, other)
            continue
        kind, _, direction = event.split()
        effect = reputation.VOTES[(kind, 1 if direction == "up" else -1)]  # type: ignore[index]
        assert (effect.author, effect.voter) == (author, other)
        assert capped == (effect.author > 0)


def test_each_vote_moves_reputation_by_the_rules() -> None:
    ledger = Ledger({"a": 100, "v": 100})
    ledger.apply(up("p1"))
    assert ledger.of("a") == 110
    ledger.apply(up("p2", "question"))
    assert ledger.of("a") == 115
    ledger.apply(up("p3", value=-1))
    assert (ledger.of("a"), ledger.of("v")) == (113, 99)
    ledger.apply(up("p4", "question", value=-1))
    assert (ledger.of("a"), ledger.of("v")) == (111, 99)


def test_the_daily_cap_bounds_vote_gains_but_not_acceptance() -> None:
    ledger = recompute([up(f"p{i}", voter=f"v{i}") for i in range(25)])
    assert ledger.of("a") == 1 + 200
    ledger.apply(Accepted("q", "p1", "a", "asker", DAY))
    assert ledger.of("a") == 1 + 200 + 15
    ledger.apply(up("p99", voter="late", day="2026-12-05"))
    assert ledger.of("a") == 1 + 200 + 15 + 10


def test_the_cap_grants_what_is_left_of_the_day() -> None:
    ledger = Ledger(earned={("a", DAY): 195})
    change = ledger.apply(up("p"))
    assert change.grant.author == 5
    assert ledger.of("a") == 6


def test_reputation_never_falls_below_one() -> None:
    ledger = recompute([up(f"p{i}", voter=f"v{i}", value=-1) for i in range(5)])
    assert ledger.of("a") == 1
    assert all(ledger.of(f"v{i}") == 1 for i in range(5))


def test_a_changed_vote_takes_back_exactly_what_it_granted() -> None:
    ledger = Ledger({"a": 50, "v": 50}, {("a", DAY): 195})
    ledger.apply(up("p"))                      # +5 only (the cap)
    assert ledger.of("a") == 55
    ledger.apply(up("p", value=-1))            # −5 back, then −2; voter −1
    assert (ledger.of("a"), ledger.of("v")) == (48, 49)
    ledger.apply(up("p"))                      # +2 and +1 back; the day is capped
    assert (ledger.of("a"), ledger.of("v")) == (50, 50)
    with pytest.raises(ValueError, match="twice"):
        ledger.apply(up("p"))
    with pytest.raises(ValueError, match="own"):
        ledger.apply(up("q", voter="a"))


def test_accepting_ones_own_answer_earns_nothing() -> None:
    ledger = recompute([Accepted("q", "q-a1", "asker", "asker", DAY)])
    assert ledger.of("asker") == 1


def test_the_badge_comes_at_the_threshold() -> None:
    assert reputation.badges(999) == []
    assert reputation.badges(1000) == ["大众导税员"]
    assert reputation.badges(50, threshold=50) == ["大众导税员"]


events = st.lists(st.tuples(st.sampled_from(["p1", "p2", "p3"]),
                            st.sampled_from(["question", "answer"]),
                            st.sampled_from(["a", "b"]), st.sampled_from(["v", "w"]),
                            st.sampled_from([1, -1]), st.sampled_from([DAY, "2026-12-05"])),
                  max_size=40)


Raw = list[tuple[str, reputation.PostKind, str, str, int, str]]


@given(events)
def test_applying_one_event_to_a_slice_agrees_with_recomputing(raw: Raw) -> None:
    """The service applies each event to the slice it reads (two reputations, one day, one
    grant); the result is the whole fold's."""
    whole = Ledger()
    for post, kind, author, voter, value, day in raw:
        author = f"{author}-{post}"  # a post has one author
        event = Voted(post, kind, author, voter, value, day)
        previous = whole.grants.get((voter, post))
        if previous is not None and previous[0] == value:
            continue
        piece = Ledger({author: whole.of(author), voter: whole.of(voter)},
                       {(author, day): whole.earned.get((author, day), 0)},
                       {(voter, post): previous} if previous else {})
        change = piece.apply(event)
        whole.apply(event)
        assert change.reputations == {p: whole.of(p) for p in change.reputations}
        assert all(whole.of(p) >= reputation.FLOOR for p in whole.reputation)


def test_terms_fold_synonyms_and_widths() -> None:
    assert simple_terms("个税") == simple_terms("个人所得税")
    assert simple_terms("ＩＩＴ 汇算") == ["iit", "年度", "度汇", "汇算"]
    assert simple_terms("年度汇算") == simple_terms("汇算")


def test_likeness_and_suggestions() -> None:
    assert likeness(["a", "b"], ["a", "b"]) == pytest.approx(1.0)
    assert likeness(["a"], ["b"]) == 0.0
    title = "个税年度汇算什么时候截止？"
    candidates = [Candidate("question", "q1", title, (title,)),
                  Candidate("article", "vat-small", "小规模纳税人免征额",
                            ("小规模纳税人免征额是多少", "小规模月销售额多少免税"))]
    found = similar("个人所得税汇算清缴截止时间", candidates)
    assert [s.id for s in found] == ["q1"]
    found = similar("小规模纳税人月销售额多少免征增值税", candidates)
    assert [s.id for s in found] == ["vat-small"]
    assert similar("明天福州天气怎么样", candidates) == []
    assert similar("？？？", candidates) == []


def _question(author: str = "asker", accepted: str | None = None,
              hidden: Mark | None = None) -> Question:
    return Question("q000000000001", "t", "b", "iit", (), author, "税友x", "2026-12-04T00:00Z",
                    accepted=accepted, hidden=hidden)


def _answer(question: str = "q000000000001") -> Answer:
    return Answer(f"{question}-a00000001", question, "b", "answerer", "税友y", "2026-12-04T01:00Z")


def test_state_rules() -> None:
    with pytest.raises(Refused):
        model.check_vote("me", "me", None, 1, "answer_id")
    with pytest.raises(StateChanged):
        model.check_vote("a", "me", 1, 1, "answer_id")
    model.check_vote("a", "me", -1, 1, "answer_id")
    with pytest.raises(Refused):
        model.check_accept(_question(), _answer(), "someone")
    with pytest.raises(StateChanged):
        model.check_accept(_question(accepted="x"), _answer(), "asker")
    with pytest.raises(NotFound):
        model.check_accept(_question(), _answer("q000000000002"), "asker")
    with pytest.raises(NotFound):
        model.visible(_question(hidden=Mark("o", "t", "r")), "question_id", "question")
    assert model.question_of("q0123456789ab-a0123abcd") == "q0123456789ab"
    for bad in ("q0123456789ab", "x-a0123abcd", "q0123456789ab-a0123abcd-x"):
        with pytest.raises(NotFound):
            model.question_of(bad)
    draft = model.draft_from(_question(), _answer(), "kd-1", "officer-1", "now")
    assert (draft.state, draft.question, draft.answer) == ("draft", "t", "b")


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"), ({"title": "x" * 121}, "title"), ({"body": " \n "}, "body"),
    ({"body": "x" * 5001}, "body"), ({"topic": "nope"}, "topic"),
    ({"tags": ["t"] * 6}, "tags"), ({"body": "a\u200bb"}, "body")])
def test_requests_refuse_bad_sizes_naming_the_field(change: dict[str, object],
                                                   field: str) -> None:
    body = {"title": "问题", "body": "正文\n第二行", "topic": "iit", **change}
    with pytest.raises(ValidationError) as refused:
        AskRequest.model_validate(body)
    assert refused.value.errors()[0]["loc"][0] == field


def test_requests_keep_line_breaks_and_the_limits_themselves() -> None:
    asked = AskRequest.model_validate({"title": "x" * 120, "body": "y" * 4999 + "\n",
                                       "topic": "iit", "tags": ["a", "a"]})
    assert asked.tags == ["a"]
    assert len(asked.body) == 4999
