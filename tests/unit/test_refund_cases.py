"""The refund state machine as a property: whatever the deliveries (repeated, reordered, a
stage dying after the treasury paid but before the case recorded it) and whatever officers
decide, a case is paid at most once, only along the allowed transitions, and a payment the
treasury made is always recorded once the messages are delivered again."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change
from etax.platform.results import as_json
from etax.refunds import outbox
from etax.refunds.cases import (
    APPROVED,
    CHECKED,
    NOTIFIED,
    PAID,
    REJECTED,
    REVIEW,
    STATES,
    SUBMITTED,
    TRANSITIONS,
    Case,
    Stage,
    can_move,
    from_item,
    notification_for,
    released_when,
    to_item,
)
from etax.refunds.pipeline import NotCovered, Pipeline, decide
from etax.refunds.repository import ClaimTaken, LedgerMoved, serialize
from etax.refunds.sources import Overpayment
from etax.refunds.treasury import Payment, TreasuryRejected

AT = "2026-11-28T08:00:00+00:00"
APPLICANT = "350102199003071234"
OBLIGATION = f"{APPLICANT}:iit_annual:2025"


def new_case(amount_fen: int = 614_40, case_id: str = "RF20261128ABCDEF0123") -> Case:
    return Case(case_id=case_id, kind="iit_annual", applicant=APPLICANT,
                applicant_kind="person", tax_office="13501000000", state=SUBMITTED,
                amount_fen=amount_fen, claim={"kind": "iit_annual", "year": 2025},
                computation={"refund": "614.40"}, account_bank="中国银行",
                account_number="6217000000001234", submitted_at=AT, updated_at=AT,
                trail=(Stage(SUBMITTED, AT, APPLICANT),))


class Crash(Exception):
    """The stage's process died here."""


@dataclass
class MemoryCases:
    """The refunds table's conditional updates, in memory."""

    cases: dict[str, Case] = field(default_factory=dict)
    crash_before: set[str] = field(default_factory=set)

    def get(self, case_id: str, *, consistent: bool = False) -> Case | None:
        return self.cases.get(case_id)

    claims: dict[str, str] = field(default_factory=dict)
    ledger: MemoryLedger | None = None

    def create(self, case: Case) -> None:
        """The case and its claims, all or nothing (as the transaction)."""
        taken = [c for c in case.claims if c in self.claims]
        if taken:
            raise ClaimTaken(taken[0], self.claims[taken[0]])
        self.cases[case.case_id] = case
        self.claims.update(dict.fromkeys(case.claims, case.case_id))

    def transition(self, case: Case, target: str, stage: Stage, *,
                   also: Sequence[dict[str, Any]] = (), **changes: Any) -> Case | None:
        if target in self.crash_before:
            self.crash_before.discard(target)
            raise Crash(f"died before recording {target}")
        current = self.cases[case.case_id]
        if current.state != case.state:
            return None
        for action in also:  # the ledger's conditional update, in the same transaction
            assert self.ledger is not None
            if self.ledger.refunded_fen != action["before"]:
                raise LedgerMoved("the ledger moved")
        for action in also:
            assert self.ledger is not None
            self.ledger.refunded_fen = action["after"]
        moved = current.moved(target, stage, **changes)
        self.cases[case.case_id] = moved
        for claim in case.claims:
            if released_when(claim, target) and self.claims.get(claim) == case.case_id:
                del self.claims[claim]
        return moved

    def record_failure(self, case_id: str, *, state: str, error: str, at: str) -> bool:
        current = self.cases[case_id]
        if current.state != state:
            return False
        self.cases[case_id] = replace(current, attempts=current.attempts + 1, last_error=error)
        return True


@dataclass
class MemoryTreasury:
    """Idempotent by payment key, like the simulated treasury; refuses while ``closed``."""

    books: dict[str, Payment] = field(default_factory=dict)
    calls: int = 0
    closed: bool = False

    def pay(self, key: str, account: str, amount_fen: int) -> Payment:
        self.calls += 1
        if self.closed:
            raise TreasuryRejected("account frozen")
        if key not in self.books:
            self.books[key] = Payment(key, f"GK{len(self.books):04d}", account, amount_fen, AT)
        return self.books[key]


@dataclass
class MemoryLedger:
    """One obligation's ledger as :class:`etax.filing.refunds.FilingOverpayments` serves it:
    ``record_refund`` gives an action conditional on ``refunded`` being as read."""

    overpaid_fen: int = 0
    refund_due_fen: int = 0
    refunded_fen: int = 0

    def get(self, obligation_id: str) -> Overpayment | None:
        if obligation_id != OBLIGATION:
            return None
        return Overpayment(OBLIGATION, APPLICANT, "13501000000", "iit_annual", "2025",
                           "iit_annual", self.overpaid_fen, 0, self.overpaid_fen,
                           self.refund_due_fen, self.refunded_fen)

    def unchanged(self, overpayment: Overpayment) -> dict[str, Any]:
        return {"before": overpayment.refunded_fen}

    def record_refund(self, overpayment: Overpayment, amount_fen: int) -> dict[str, Any]:
        if amount_fen > overpayment.refundable_fen:
            raise ValueError("not refundable")
        return {"before": overpayment.refunded_fen,
                "after": overpayment.refunded_fen + amount_fen}


def pipeline(cases: MemoryCases, treasury: MemoryTreasury) -> Pipeline:
    return Pipeline(cases, treasury, now=lambda: datetime(2026, 11, 28, 8, tzinfo=UTC),
                    overpayments=cases.ledger)


def test_the_transitions() -> None:
    assert can_move(SUBMITTED, CHECKED)
    assert can_move(REVIEW, REJECTED)
    assert can_move(APPROVED, PAID)
    assert not can_move(SUBMITTED, PAID)
    assert not can_move(PAID, PAID)
    assert not can_move(NOTIFIED, PAID)
    assert not any(source == target for source, target in TRANSITIONS)
    assert {s for pair in TRANSITIONS for s in pair} == set(STATES)
    with pytest.raises(ValueError, match="no move"):
        new_case().moved(PAID, Stage(PAID, AT, "x"))


def test_a_case_runs_the_whole_way_and_is_notified() -> None:
    cases, treasury = MemoryCases({"c": new_case(case_id="c")}), MemoryTreasury()
    steps = pipeline(cases, treasury)
    assert [steps.check("c"), steps.approve("c"), steps.pay("c"), steps.notify("c")] == [
        CHECKED, APPROVED, PAID, NOTIFIED]
    case = cases.cases["c"]
    assert [s.state for s in case.trail] == [SUBMITTED, CHECKED, APPROVED, PAID, NOTIFIED]
    assert case.approved_fen == 614_40
    assert case.treasury_ref == "GK0000"
    assert case.notification == {
        "id": "refund:c:paid", "recipient": APPLICANT, "kind": "refund.paid",
        "title": "退税已退付", "body": case.notification["body"] if case.notification else "",
        "link": "/v1/refunds/c"}
    assert "614.40" in case.notification["body"]
    assert "1234" in case.notification["body"]
    # every stage again: nothing moves, nothing is paid again
    assert [steps.check("c"), steps.approve("c"), steps.pay("c"), steps.notify("c")] == [
        NOTIFIED] * 4
    assert len(treasury.books) == 1
    assert treasury.calls == 1


def test_a_large_claim_waits_for_an_officer_who_may_reject_it() -> None:
    cases, treasury = MemoryCases({"c": new_case(20_000_00, "c")}), MemoryTreasury()
    steps = pipeline(cases, treasury)
    assert steps.check("c") == REVIEW
    assert cases.cases["c"].flags == ("amount_above_review_threshold",)
    assert steps.approve("c") == REVIEW  # approval does not pass an unreviewed case
    rejected = decide(cases, cases.cases["c"], approve=False, officer="officer:o", at=AT,
                      note="资料不全")
    assert rejected is not None
    assert rejected.reason == "资料不全"
    assert decide(cases, rejected, approve=True, officer="officer:o", at=AT, note=None) is None
    assert steps.pay("c") == REJECTED
    assert steps.notify("c") == NOTIFIED
    notice = cases.cases["c"].notification
    assert notice is not None
    assert (notice["id"], notice["kind"]) == ("refund:c:rejected", "refund.rejected")
    assert "资料不全" in notice["body"]
    assert treasury.calls == 0


def test_a_crash_after_the_treasury_paid_is_recorded_once_on_redelivery() -> None:
    cases, treasury = MemoryCases({"c": new_case(case_id="c")}), MemoryTreasury()
    steps = pipeline(cases, treasury)
    steps.check("c")
    steps.approve("c")
    cases.crash_before.add(PAID)
    with pytest.raises(Crash):
        steps.pay("c")
    assert (cases.cases["c"].state, len(treasury.books)) == (APPROVED, 1)
    assert steps.pay("c") == PAID  # the redelivered message
    assert len(treasury.books) == 1
    assert cases.cases["c"].treasury_ref == treasury.books["c"].reference


def test_a_refused_payment_is_counted_and_raised() -> None:
    cases, treasury = MemoryCases({"c": new_case(case_id="c")}), MemoryTreasury(closed=True)
    steps = pipeline(cases, treasury)
    steps.check("c")
    steps.approve("c")
    with pytest.raises(TreasuryRejected):
        steps.pay("c")
    assert (cases.cases["c"].attempts, cases.cases["c"].last_error) == (1, "account frozen")
    treasury.closed = False
    assert steps.pay("c") == PAID
    assert cases.cases["c"].last_error is None


def test_the_item_round_trips_and_only_review_is_indexed() -> None:
    case = replace(new_case(), obligation_id=OBLIGATION,
                   claims=(f"open#obligation#{OBLIGATION}",))
    assert from_item(to_item(case)) == case
    assert "review_office" not in to_item(case)
    waiting = case.moved(REVIEW, Stage(REVIEW, AT, "system:checks"), flags=("x",))
    assert to_item(waiting)["review_office"] == "13501000000"
    assert from_item(to_item(waiting)) == waiting
    with pytest.raises(ValueError, match="no outcome"):
        notification_for(case)


def event_for(record: dict[str, Any]) -> DomainEvent | None:
    """The outbox mapping of one stream record as Lambda delivers it."""
    return outbox.event_for(Change.of(record))


def test_the_outbox_announces_each_change_of_state_once() -> None:
    case = new_case()
    checked = case.moved(CHECKED, Stage(CHECKED, AT, "system:checks"))
    insert = {"eventName": "INSERT", "dynamodb": {"NewImage": serialize(to_item(case))}}
    modify = {"eventName": "MODIFY", "dynamodb": {"NewImage": serialize(to_item(checked)),
                                                 "OldImage": serialize(to_item(case))}}
    same = {"eventName": "MODIFY", "dynamodb": {"NewImage": serialize(to_item(checked)),
                                               "OldImage": serialize(to_item(checked))}}
    first = event_for(insert)
    assert first is not None
    assert first.detail_type == "RefundSubmitted"
    assert first.detail["case_id"] == case.case_id
    second = event_for(modify)
    assert second is not None
    assert second.detail_type == "RefundDocumentsChecked"
    assert event_for(same) is None
    assert event_for({"eventName": "REMOVE", "dynamodb": {}}) is None


# -- the property ----------------------------------------------------------------------------

ACTIONS = ("check", "approve", "pay", "pay_crash", "notify", "officer_approve",
           "officer_reject", "treasury_down", "treasury_up")


def run(cases: MemoryCases, treasury: MemoryTreasury, steps: Pipeline, action: str) -> None:
    case = cases.cases["c"]
    if action == "treasury_down":
        treasury.closed = True
    elif action == "treasury_up":
        treasury.closed = False
    elif action in ("officer_approve", "officer_reject"):
        decide(cases, case, approve=action == "officer_approve", officer="officer:o", at=AT,
               note="理由")
    elif action == "pay_crash":
        cases.crash_before.add(PAID)
        with contextlib.suppress(Crash, TreasuryRejected):
            steps.pay("c")
        cases.crash_before.discard(PAID)
    else:
        with contextlib.suppress(TreasuryRejected):
            getattr(steps, action)("c")


@settings(max_examples=400, deadline=None)
@given(large=st.booleans(), actions=st.lists(st.sampled_from(ACTIONS), max_size=30))
def test_no_sequence_of_messages_pays_a_case_twice(large: bool, actions: list[str]) -> None:
    cases = MemoryCases({"c": new_case(20_000_00 if large else 614_40, "c")})
    treasury = MemoryTreasury()
    steps = pipeline(cases, treasury)
    for action in actions:
        run(cases, treasury, steps, action)
    # then every stage's message is delivered again (redelivery, redrive) with the treasury up
    treasury.closed = False
    for action in ("check", "approve", "pay", "notify"):
        run(cases, treasury, steps, action)

    case = cases.cases["c"]
    states = [s.state for s in case.trail]
    assert states[0] == SUBMITTED
    assert all(can_move(a, b) for a, b in itertools.pairwise(states))
    assert states.count(PAID) <= 1
    assert len(treasury.books) <= 1
    if treasury.books:  # paid by the treasury → recorded once, for the approved amount
        assert PAID in states
        assert treasury.books["c"].amount_fen == case.approved_fen == case.amount_fen
        assert case.treasury_ref == treasury.books["c"].reference
    if REJECTED in states:
        assert not treasury.books
    # nothing is lost: unless it waits for an officer, the case ends notified
    assert case.state in (REVIEW, NOTIFIED)
    assert (case.state == REVIEW) == (large and not ({REJECTED, CHECKED} & set(states)))


# -- the property, with amounts: concurrent applications on one ledger -------------------------

LEDGER_ACTIONS = ("read_a", "read_b", "create_a", "create_b", "overpay", *(
    f"{step}_{who}" for step in ("advance", "check", "approve", "pay", "pay_crash", "notify",
                                 "officer_approve", "officer_reject") for who in "ab"),
    "treasury_down", "treasury_up")


def ledger_case(case_id: str, amount_fen: int) -> Case:
    return replace(new_case(amount_fen, case_id), obligation_id=OBLIGATION,
                   claims=(f"open#obligation#{OBLIGATION}",))


@settings(max_examples=800, deadline=None)
@given(overpaid=st.one_of(st.integers(1, 5_000_00), st.integers(1, 30_000_00)),
       actions=st.lists(st.sampled_from(LEDGER_ACTIONS), max_size=40))
def test_no_sequence_refunds_more_than_the_ledger_shows(overpaid: int,
                                                        actions: list[str]) -> None:
    """Two applicants' worth of cases on one obligation — applications read the ledger and
    create their case at any moment, new overpayments arrive, stages run, crash and repeat,
    officers decide — and the treasury never pays more than the ledger showed overpaid, the
    ledger records exactly what the treasury paid, and no case is paid twice."""
    ledger = MemoryLedger(overpaid_fen=overpaid)
    cases, treasury = MemoryCases(ledger=ledger), MemoryTreasury()
    steps = pipeline(cases, treasury)
    read: dict[str, int] = {}
    made: dict[str, int] = {"a": 0, "b": 0}

    def act(action: str) -> None:
        name, _, who = action.rpartition("_")
        if action in ("treasury_down", "treasury_up"):
            treasury.closed = action == "treasury_down"
        elif action == "overpay":
            ledger.overpaid_fen += 100_00
        elif name == "read":  # the service reads what the ledger leaves
            read[who] = ledger.overpaid_fen + ledger.refund_due_fen - ledger.refunded_fen
        elif name == "create":  # …and creates its case with that amount, later
            if read.get(who, 0) > 0:
                made[who] += 1
                with contextlib.suppress(ClaimTaken):
                    cases.create(ledger_case(f"{who}{made[who]}", read.pop(who)))
        else:
            for case_id in [c for c in cases.cases if c.startswith(who)]:
                case = cases.cases[case_id]
                if name in ("officer_approve", "officer_reject"):
                    decide(cases, case, approve=name == "officer_approve",
                           officer="officer:o", at=AT, note="理由")
                elif name == "pay_crash":
                    cases.crash_before.add(PAID)
                    with contextlib.suppress(Crash, TreasuryRejected, NotCovered):
                        steps.pay(case_id)
                    cases.crash_before.discard(PAID)
                else:
                    for step in (("check", "approve", "pay", "notify") if name == "advance"
                                 else (name,)):
                        with contextlib.suppress(TreasuryRejected, NotCovered):
                            getattr(steps, step)(case_id)

    for action in actions:
        act(action)
    treasury.closed = False
    for case_id in list(cases.cases):  # every message delivered again
        for step in ("check", "approve", "pay", "notify"):
            with contextlib.suppress(NotCovered):
                getattr(steps, step)(case_id)

    paid = sum(payment.amount_fen for payment in treasury.books.values())
    assert paid <= ledger.overpaid_fen
    assert ledger.refunded_fen == paid
    for case_id, case in cases.cases.items():
        states = [s.state for s in case.trail]
        assert states.count(PAID) <= 1
        assert all(can_move(a, b) for a, b in itertools.pairwise(states))
        if case_id in treasury.books:
            assert PAID in states
            assert treasury.books[case_id].amount_fen == case.approved_fen
    open_cases = [c for c in cases.cases.values() if c.state not in (PAID, REJECTED, NOTIFIED)]
    assert len(open_cases) <= 1  # one open case per obligation


def test_the_view_keeps_its_keys_in_order_and_leaves_out_what_a_case_lacks() -> None:
    submitted = as_json(new_case().view())
    assert list(submitted) == ["id", "kind", "kind_label", "applicant", "tax_office", "state",
                               "state_label", "amount", "claim", "computation", "account",
                               "flags", "stages", "submitted_at", "updated_at"]
    assert submitted["account"] == {"bank": "中国银行", "number": "************1234"}
    assert submitted["stages"] == [{"state": SUBMITTED, "at": AT, "by": APPLICANT,
                                    "label": "已提交"}]
    paid = replace(new_case(), state=PAID, approved_fen=600_00, attempts=1,
                   trail=(Stage(SUBMITTED, AT, APPLICANT), Stage(REVIEW, AT, "system", "big")),
                   reason="late", notification={"id": "n"}, obligation_id=OBLIGATION)
    shown = as_json(paid.view())
    assert list(shown)[-6:] == ["updated_at", "approved_amount", "payment", "reason",
                                "notification", "obligation_id"]
    assert shown["payment"] == {"treasury_ref": None, "paid_at": None, "attempts": 1,
                                "last_error": None}
    assert list(shown["stages"][1]) == ["state", "at", "by", "note", "label"]
