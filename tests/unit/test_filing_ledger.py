"""The late-payment surcharge (0.05 % a day, in fen, rounded half up) and allocation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from etax.filing.deadlines import surcharge_rate
from etax.filing.ledger import Ledger

DUE = date(2026, 10, 22)


def test_the_rate_is_data_with_an_effective_date() -> None:
    assert str(surcharge_rate(date(2026, 1, 1))) == "0.0005"


def test_nothing_accrues_up_to_and_on_the_due_date() -> None:
    ledger = Ledger(due_date=DUE, tax_fen=1_000_000)
    assert ledger.outstanding_fen(DUE - timedelta(days=3)) == 1_000_000
    assert ledger.outstanding_fen(DUE) == 1_000_000


def test_ten_days_late_on_ten_thousand_yuan_is_fifty_yuan() -> None:
    ledger = Ledger(due_date=DUE, tax_fen=1_000_000)
    assert ledger.surcharge_outstanding_fen(DUE + timedelta(days=10)) == 5_000
    assert ledger.outstanding_fen(DUE + timedelta(days=1)) == 1_000_500


def test_rounding_is_half_up_to_the_fen() -> None:
    # 1.01 yuan × 0.0005 × 1 = 0.0505 fen → 0; × 10 days = 0.505 fen → 1 fen
    assert Ledger(due_date=DUE, tax_fen=101).surcharge_outstanding_fen(DUE + timedelta(1)) == 0
    assert Ledger(due_date=DUE, tax_fen=101).surcharge_outstanding_fen(DUE + timedelta(10)) == 1
    # 333.33 yuan, 3 days: 33333 × 0.0015 = 49.9995 fen → 50
    assert Ledger(due_date=DUE, tax_fen=33_333).surcharge_outstanding_fen(DUE + timedelta(3)) == 50


def test_a_payment_goes_to_the_tax_first_then_the_surcharge_then_overpaid() -> None:
    ledger = Ledger(due_date=DUE, tax_fen=1_000_000)
    paid_on = DUE + timedelta(days=10)
    after, allocation = ledger.pay(600_000, paid_on)
    assert (allocation.tax_fen, allocation.surcharge_fen, allocation.overpaid_fen,
            allocation.days_late) == (600_000, 0, 0, 10)
    assert after.surcharge_accrued_fen == 5_000  # on 10,000.00 for 10 days
    # ten more days on the 4,000.00 still outstanding: 4000 × 0.0005 × 10 = 20.00
    later = paid_on + timedelta(days=10)
    assert after.outstanding_fen(later) == 400_000 + 5_000 + 2_000
    final, allocation = after.pay(407_000 + 100, later)
    assert (allocation.tax_fen, allocation.surcharge_fen, allocation.overpaid_fen) == (
        400_000, 7_000, 100)
    assert final.settled()
    assert final.outstanding_fen(later + timedelta(days=30)) == 0


def test_paying_on_time_carries_no_surcharge() -> None:
    after, allocation = Ledger(due_date=DUE, tax_fen=50_000).pay(50_000, DUE)
    assert after.settled()
    assert (allocation.surcharge_fen, allocation.days_late) == (0, 0)


def test_a_day_counted_once_is_not_counted_again() -> None:
    ledger = Ledger(due_date=DUE, tax_fen=1_000_000).accrued_to(DUE + timedelta(days=5))
    assert ledger.accrued_to(DUE + timedelta(days=5)) == ledger
    assert ledger.accrued_to(DUE + timedelta(days=2)) == ledger


@given(tax=st.integers(1, 10**11), days=st.integers(0, 400),
       split=st.integers(0, 400), first=st.integers(1, 10**11))
def test_splitting_a_payment_never_costs_more_than_paying_late_in_one(
        tax: int, days: int, split: int, first: int) -> None:
    """Paying part earlier never raises the surcharge (stretches on less tax), and everything
    is allocated: tax + surcharge + overpaid = what was paid."""
    ledger = Ledger(due_date=DUE, tax_fen=tax)
    end = DUE + timedelta(days=days)
    one_go = ledger.surcharge_outstanding_fen(end)
    early = DUE + timedelta(days=min(split, days))
    amount = min(first, tax)
    after, allocation = ledger.pay(amount, early)
    assert allocation.tax_fen + allocation.surcharge_fen + allocation.overpaid_fen == amount
    assert after.surcharge_outstanding_fen(end) + after.surcharge_paid_fen <= one_go + 1
    assert one_go == int((tax * 5 * days + 5000) // 10000)


def test_what_is_refundable_is_overpaid_plus_refund_due_minus_refunded() -> None:
    ledger = Ledger(due_date=date(2026, 6, 30), tax_fen=0, refund_due_fen=614_40)
    assert ledger.refundable_fen == 614_40
    paid, _ = Ledger(due_date=date(2026, 11, 16), tax_fen=100_00).pay(150_00, date(2026, 11, 1))
    assert (paid.overpaid_fen, paid.refundable_fen) == (50_00, 50_00)
    assert replace(paid, refunded_fen=50_00).refundable_fen == 0
