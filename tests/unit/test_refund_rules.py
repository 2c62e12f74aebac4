"""Refund amounts: what a filing ledger leaves to refund, and export refunds by the
exemption-refund method (purchase value × the product's rate, capped by the input VAT) with
the rate table as versioned data; and when the automatic check asks an officer to look."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.refunds.rules import (
    PurchaseLine,
    RateTable,
    RefundRuleError,
    ReviewPolicy,
    export_refund,
    ledger_refund_fen,
    line_refund_fen,
    review_flags,
)

LAPTOP = "8471300000"   # 13 % in the shipped (illustrative) table
TEA = "0902101000"      # 9 %
STEEL = "7208100000"    # 0 %: not refunded


def test_a_ledger_refund_is_overpaid_plus_refund_due_minus_refunded() -> None:
    assert ledger_refund_fen(overpaid_fen=200_00, refund_due_fen=0, refunded_fen=0,
                             field="obligation_id") == 200_00
    # sources.md#iit annual example: 885.60 tax, 1,500.00 withheld → the return's 614.40 back
    assert ledger_refund_fen(overpaid_fen=0, refund_due_fen=614_40, refunded_fen=0,
                             field="year") == 614_40
    assert ledger_refund_fen(overpaid_fen=100_00, refund_due_fen=614_40, refunded_fen=614_40,
                             field="year") == 100_00
    with pytest.raises(RefundRuleError) as nothing:
        ledger_refund_fen(overpaid_fen=200_00, refund_due_fen=0, refunded_fen=200_00,
                          field="obligation_id")
    assert nothing.value.field == "obligation_id"
    assert "refunded already 200.00" in nothing.value.reason
    with pytest.raises(ValueError, match="never negative"):
        ledger_refund_fen(overpaid_fen=-1, refund_due_fen=0, refunded_fen=0, field="x")


def test_export_line_is_purchase_times_rate_capped_by_input_vat() -> None:
    # 10,000.00 purchase at 13 %: 1,300.00, fully covered by 1,300.00 of input VAT
    assert line_refund_fen(10_000_00, 1_300_00, Decimal("0.13")) == (1_300_00, 1_300_00)
    # bought with only 3 % VAT on the invoice (300.00): the refund is capped at 300.00
    assert line_refund_fen(10_000_00, 300_00, Decimal("0.13")) == (1_300_00, 300_00)
    # half-up to the fen: 0.05 × 0.09 = 0.0045 yuan → 0 fen; 0.06 × 0.09 → 0.54 fen → 1 fen
    assert line_refund_fen(5, 10, Decimal("0.09")) == (0, 0)
    assert line_refund_fen(6, 10, Decimal("0.09")) == (1, 1)


def test_export_refund_sums_its_lines_from_the_table_in_force() -> None:
    result = export_refund([PurchaseLine(LAPTOP, 10_000_00, 1_300_00),
                            PurchaseLine(TEA, 2_000_00, 180_00),
                            PurchaseLine(STEEL, 5_000_00, 650_00)],
                           RateTable.shipped(), date(2026, 11, 1))
    assert [line.refund_fen for line in result.lines] == [1_300_00, 180_00, 0]
    assert result.total_fen == 1_480_00
    assert result.table_version == "illustrative-2019-04"
    assert not any(line.capped for line in result.lines)


def test_unknown_product_names_the_line_field() -> None:
    with pytest.raises(RefundRuleError) as unknown:
        export_refund([PurchaseLine(LAPTOP, 100_00, 13_00), PurchaseLine("9999999999", 1, 1)],
                      RateTable.shipped(), date(2026, 11, 1))
    assert unknown.value.field == "lines[1].product_code"
    with pytest.raises(RefundRuleError) as bad_value:
        export_refund([PurchaseLine(LAPTOP, 0, 13_00)], RateTable.shipped(), date(2026, 1, 1))
    assert bad_value.value.field == "lines[0].purchase_amount"
    with pytest.raises(RefundRuleError) as nothing:
        export_refund([PurchaseLine(STEEL, 100_00, 13_00)], RateTable.shipped(),
                      date(2026, 1, 1))
    assert nothing.value.field == "lines"


def test_rate_versions_apply_from_their_effective_date() -> None:
    table = RateTable.from_dict({"versions": [
        {"version": "a", "effective_from": "2019-04-01",
         "rates": {LAPTOP: {"rate": "0.13"}}},
        {"version": "b", "effective_from": "2027-01-01",
         "rates": {LAPTOP: {"rate": "0.09"}}},
    ]})
    line = [PurchaseLine(LAPTOP, 100_00, 13_00)]
    assert export_refund(line, table, date(2026, 12, 31)).total_fen == 13_00
    assert export_refund(line, table, date(2027, 1, 1)).total_fen == 9_00
    assert export_refund(line, table, date(2027, 1, 1)).table_version == "b"
    with pytest.raises(RefundRuleError) as early:
        export_refund(line, table, date(2019, 3, 31))
    assert early.value.field == "export_date"
    with pytest.raises(ValueError, match="rate of"):
        RateTable.from_dict({"versions": [{"version": "x", "effective_from": "2020-01-01",
                                           "rates": {LAPTOP: {"rate": "1.3"}}}]})


@given(purchase=st.integers(1, 10**11), vat=st.integers(0, 10**11),
       rate=st.sampled_from([Decimal("0"), Decimal("0.06"), Decimal("0.09"), Decimal("0.13")]))
def test_a_line_never_refunds_more_than_its_input_vat_nor_its_rate(purchase: int, vat: int,
                                                                   rate: Decimal) -> None:
    computed, refund = line_refund_fen(purchase, vat, rate)
    assert 0 <= refund <= vat
    assert refund <= computed
    assert abs(Decimal(computed) - purchase * rate) <= Decimal("0.5")


def test_review_flags_from_the_shipped_policy() -> None:
    rules = ReviewPolicy.shipped().rules_on(date(2026, 11, 28))
    assert review_flags(rules, kind="general", amount_fen=200_00, conditions=()) == []
    assert review_flags(rules, kind="general", amount_fen=50_000_01, conditions=()) == [
        "amount_above_review_threshold"]
    assert review_flags(rules, kind="iit_annual", amount_fen=10_000_00, conditions=()) == []
    assert review_flags(rules, kind="export", amount_fen=1,
                        conditions=("input_vat_cap_applied",)) == ["input_vat_cap_applied"]
    assert review_flags(rules, kind="general", amount_fen=1,
                        conditions=("something_else",)) == []
