"""The payout state machine as a property: whatever the deliveries (repeated, reordered,
redriven after the dead-letter queue) and whatever the provider does (fails, pays but times
out, pays), a draw is paid at most once, and only along the allowed transitions."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etax.lottery.answers import draw_answer
from etax.lottery.payout import TRANSITIONS, PayoutService, backoff_seconds, can_move
from etax.lottery.providers import Payment, ProviderTimeout, ProviderUnavailable
from etax.lottery.records import DrawRecord
from etax.lottery.stored import FAILED, NONE, PAID, PENDING, StoredDraw
from etax.platform.results import as_json

NUMBERS = ("26352000000000000001", "26352000000000000002")


def owed(number: str) -> StoredDraw:
    record = DrawRecord("c", 1, number, "0" * 64, "50-yuan", "won",
                        datetime(2026, 11, 28, tzinfo=UTC))
    return StoredDraw(number=number, draw_id=f"c-1-{number}", record=record, person="p",
                      prize_fen=5000, payout_state=PENDING, payout_method="wechat",
                      payout_account="acct", payout_attempts=0, paid_at=None, failed_at=None,
                      provider_ref=None, last_error=None, updated_at="t")


@dataclass
class MemoryDraws:
    """The draws table's conditional updates, in memory, with every move recorded."""

    draws: dict[str, StoredDraw] = field(default_factory=dict)
    moves: list[tuple[str, str, str]] = field(default_factory=list)

    def get_draw(self, number: str, *, consistent: bool = False) -> StoredDraw | None:
        return self.draws.get(number)

    def _move(self, number: str, allowed: tuple[str, ...], target: str) -> bool:
        draw = self.draws[number]
        if draw.payout_state not in allowed:
            return False
        if target != draw.payout_state:
            self.moves.append((number, draw.payout_state, target))
        self.draws[number] = replace(draw, payout_state=target)
        return True

    def mark_paid(self, number: str, *, provider_ref: str, paid_at: str) -> bool:
        return self._move(number, (PENDING, FAILED), PAID)

    def record_failure(self, number: str, *, error: str, at: str) -> bool:
        return self._move(number, (PENDING, FAILED), self.draws[number].payout_state)

    def mark_failed(self, number: str, *, at: str) -> bool:
        return self._move(number, (PENDING,), FAILED)


@dataclass
class ScriptedProvider:
    """Idempotent on the payment id like the real (and simulated) providers; each call's
    behaviour is scripted: ``fail`` (nothing paid), ``timeout`` (paid, answer lost), ``ok``."""

    script: list[str]
    ledger: dict[str, int] = field(default_factory=dict)
    payments: int = 0

    def pay(self, payment_id: str, account: str, amount_fen: int) -> Payment:
        behaviour = self.script.pop(0) if self.script else "ok"
        if behaviour == "fail":
            raise ProviderUnavailable("busy")
        if payment_id not in self.ledger:
            self.ledger[payment_id] = amount_fen
            self.payments += 1
        if behaviour == "timeout":
            raise ProviderTimeout("no answer")
        return Payment(payment_id, f"ref-{payment_id}", amount_fen, "t")


deliveries = st.lists(st.tuples(st.sampled_from(NUMBERS), st.integers(1, 4)), max_size=25)
scripts = st.lists(st.sampled_from(["ok", "fail", "timeout"]), max_size=25)


@settings(max_examples=300, deadline=None)
@given(deliveries=deliveries, script=scripts)
def test_no_sequence_of_messages_pays_twice(deliveries: list[tuple[str, int]],
                                           script: list[str]) -> None:
    draws = MemoryDraws({n: owed(n) for n in NUMBERS})
    provider = ScriptedProvider(list(script))
    service = PayoutService(draws, {"wechat": provider}, max_receives=3)
    for number, receives in deliveries:
        with contextlib.suppress(ProviderUnavailable, ProviderTimeout):
            service.settle(number, receives)
    assert provider.payments <= len(NUMBERS)
    assert all(amount == 5000 for amount in provider.ledger.values())
    for number in NUMBERS:
        state = draws.draws[number].payout_state
        if state == PAID:
            assert f"c-1-{number}" in provider.ledger  # paid only what the provider paid
        moves = [(a, b) for n, a, b in draws.moves if n == number]
        assert all(move in TRANSITIONS for move in moves)
        into_paid = [m for m in moves if m[1] == PAID]
        assert not into_paid or into_paid == [moves[-1]]  # paid once, and final


def test_transitions() -> None:
    assert can_move(PENDING, PAID)
    assert can_move(FAILED, PAID)
    assert can_move(PENDING, FAILED)
    assert not can_move(PAID, FAILED)
    assert not can_move(PAID, PENDING)
    assert not can_move(FAILED, PENDING)


@pytest.mark.parametrize(("receives", "delay"), [(1, 30), (2, 60), (3, 120), (10, 900)])
def test_backoff_doubles_up_to_fifteen_minutes(receives: int, delay: int) -> None:
    assert backoff_seconds(receives, 30) == delay


def test_a_draws_answer_shows_its_payout_whole_once_due_and_its_state_alone_before() -> None:
    due = as_json(draw_answer(owed(NUMBERS[0])))
    assert list(due) == ["draw_id", "invoice_number", "campaign_id", "period_index", "result",
                         "tier", "prize", "value_hex", "drawn_at", "payout"]
    assert due["prize"] == "50.00"
    assert due["payout"] == {"state": PENDING, "method": "wechat", "account": "acct",
                             "amount": "50.00", "attempts": 0,
                             "requested_at": "2026-11-28T00:00:00+00:00", "paid_at": None,
                             "failed_at": None, "provider_ref": None, "last_error": None,
                             "updated_at": "t"}
    won = owed(NUMBERS[0])
    missed = replace(won, record=replace(won.record, tier=None, result="no_prize"),
                     payout_state=NONE)
    assert as_json(draw_answer(missed))["payout"] == {"state": NONE}
    assert as_json(draw_answer(missed))["tier"] is None
