"""Yuan strings, fen, rates and the line arithmetic (the rounding rule is in the module doc)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.rules import money
from etax.rules.money import LineAmounts, MoneyError, TaxRate, Totals


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1130", 113000),
        ("1130.5", 113050),
        ("1130.50", 113050),
        ("0.01", 1),
        ("0", 0),
        ("0.00", 0),
        ("64.9", 6490),
        ("94339.62", 9433962),
        ("112", 11200),
        ("007", 700),
        (1130, 113000),
        (0, 0),
        ("100000000000", 10**13),
        ("100000000000.00", 10**13),
    ],
)
def test_parse_yuan_accepts(text: str | int, fen: int) -> None:
    assert money.parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.001", "at most 2 decimal places are allowed"),
        ("1e3", "exponents are not allowed (write 1000, not 1e3)"),
        ("1E3", "exponents are not allowed"),
        ("-5", "negative amounts are not allowed here"),
        ("+1", "a leading plus sign is not allowed"),
        ("", "the amount is blank"),
        ("   ", "the amount is blank"),
        (" 5", "the amount contains spaces"),
        ("NaN", "NaN and Infinity are not numbers"),
        ("Infinity", "NaN and Infinity are not numbers"),
        ("-inf", "NaN and Infinity are not numbers"),
        ("1,130.00", "thousands separators are not allowed"),
        ("100000000000.01", "amounts above 100000000000.00 yuan are not accepted"),
        ("9" * 5000, "amounts above 100000000000.00 yuan are not accepted"),
        (10**11 + 1, "amounts above 100000000000.00 yuan are not accepted"),
        (".5", "'.5' is not a plain decimal number"),
        ("5.", "'5.' is not a plain decimal number"),
        ("１２", "'１２' is not a plain decimal number"),
        ("1.2.3", "'1.2.3' is not a plain decimal number"),
    ],
)
def test_parse_yuan_rejects_with_reason(text: str | int, reason: str) -> None:
    with pytest.raises(MoneyError) as caught:
        money.parse_yuan(text)
    assert caught.value.reason.startswith(reason)


@pytest.mark.parametrize("value", [1.5, True, None, Decimal("1.00"), b"1"])
def test_parse_yuan_rejects_other_types(value: object) -> None:
    with pytest.raises(MoneyError, match="decimal string or an integer"):
        money.parse_yuan(value)  # type: ignore[arg-type]


def test_parse_yuan_signs_and_zero_by_flag() -> None:
    assert money.parse_yuan("-12.3", allow_negative=True) == -1230
    assert money.parse_yuan(-5, allow_negative=True) == -500
    with pytest.raises(MoneyError, match="negative"):
        money.parse_yuan(-5)
    with pytest.raises(MoneyError, match="must not be zero"):
        money.parse_yuan("0.00", allow_zero=False)
    assert money.parse_yuan("0.01", allow_zero=False) == 1


@pytest.mark.parametrize(
    ("fen", "text"),
    [(113000, "1130.00"), (-1230, "-12.30"), (0, "0.00"), (1, "0.01"), (-5, "-0.05")],
)
def test_format_yuan(fen: int, text: str) -> None:
    assert money.format_yuan(fen) == text


@given(st.integers(-money.MAX_FEN, money.MAX_FEN))
def test_format_then_parse_is_identity(fen: int) -> None:
    assert money.parse_yuan(money.format_yuan(fen), allow_negative=True) == fen


def test_parse_decimal() -> None:
    assert money.parse_quantity("1.123456") == Decimal("1.123456")
    assert money.parse_unit_price("0.12345678") == Decimal("0.12345678")
    assert money.parse_quantity(3) == Decimal(3)
    assert money.parse_decimal("-2", field_max_places=0, positive=False) == Decimal(-2)
    assert money.parse_decimal("0", field_max_places=2, positive=False) == 0
    with pytest.raises(MoneyError, match="at most 6 decimal places"):
        money.parse_quantity("1.1234567")
    with pytest.raises(MoneyError, match="at most 8 decimal places"):
        money.parse_unit_price("1.123456789")
    with pytest.raises(MoneyError, match="greater than zero"):
        money.parse_quantity("0")
    with pytest.raises(MoneyError, match="exponents"):
        money.parse_quantity("1e2")
    with pytest.raises(MoneyError, match="the number contains spaces"):
        money.parse_quantity("1 ")
    with pytest.raises(MoneyError, match="NaN and Infinity"):
        money.parse_unit_price("NaN")
    with pytest.raises(MoneyError, match="digits before the decimal point"):
        money.parse_quantity("1" * 14)
    with pytest.raises(MoneyError, match="decimal string or an integer"):
        money.parse_quantity(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "rate", "label"),
    [
        ("0.13", TaxRate.R13, "13%"),
        ("0.130", TaxRate.R13, "13%"),
        ("0.09", TaxRate.R9, "9%"),
        ("0.06", TaxRate.R6, "6%"),
        ("0.03", TaxRate.R3, "3%"),
        ("0.01", TaxRate.R1, "1%"),
        ("0", TaxRate.R0, "0%"),
        ("0.00", TaxRate.R0, "0%"),
    ],
)
def test_tax_rates(text: str, rate: TaxRate, label: str) -> None:
    parsed = TaxRate.parse(text)
    assert parsed is rate
    assert parsed.label == label
    assert parsed.value == Decimal(text)


def test_tax_rate_text_and_value() -> None:
    assert [r.text for r in TaxRate] == ["0.13", "0.09", "0.06", "0.03", "0.01", "0"]
    assert TaxRate.R13.value == Decimal("0.13")


@pytest.mark.parametrize("text", ["0.17", "0.16", "0.05", "13%", "-0.13", "1", ".13", "0.13 ", ""])
def test_other_rates_are_refused_with_the_allowed_set(text: str) -> None:
    with pytest.raises(MoneyError) as caught:
        TaxRate.parse(text)
    assert caught.value.reason.endswith("is not one of 0.13, 0.09, 0.06, 0.03, 0.01, 0")


def test_compute_line_rounds_half_up_twice() -> None:
    # 3 × 33.335 = 100.005 → 100.01 yuan; 10001 fen × 13 % = 1300.13 → 1300 fen.
    line = money.compute_line(Decimal(3), Decimal("33.335"), TaxRate.R13)
    assert line == LineAmounts(10001, 1300)
    # 5 fen × 9 % = 0.45 fen → 0; 50 fen × 1 % = 0.5 fen → 1 (half-up, not half-even).
    assert money.compute_line(Decimal(1), Decimal("0.05"), TaxRate.R9).tax_fen == 0
    assert money.compute_line(Decimal(1), Decimal("0.5"), TaxRate.R1).tax_fen == 1
    # Tax is taken from the rounded amount, not from the exact product.
    line = money.compute_line(Decimal("0.000001"), Decimal("0.00000001"), TaxRate.R13)
    assert line == LineAmounts(0, 0)


def test_compute_line_refuses_negative_and_oversized_factors() -> None:
    with pytest.raises(MoneyError, match="negate"):
        money.compute_line(Decimal(-1), Decimal(1), TaxRate.R13)
    with pytest.raises(MoneyError, match="greater than zero"):
        money.compute_line(Decimal(1), Decimal(0), TaxRate.R13)
    with pytest.raises(MoneyError, match="more than 6 decimal places"):
        money.compute_line(Decimal("1.0000001"), Decimal(1), TaxRate.R13)
    with pytest.raises(MoneyError, match="finite"):
        money.compute_line(Decimal("Infinity"), Decimal(1), TaxRate.R13)
    with pytest.raises(MoneyError, match="line amount is above"):
        money.compute_line(Decimal("9999999999999"), Decimal("9999999999999"), TaxRate.R13)


def test_totals_and_credit_invoice() -> None:
    lines = [
        money.compute_line(Decimal(2), Decimal("500"), TaxRate.R13),
        money.compute_line(Decimal(1), Decimal("100"), TaxRate.R6),
    ]
    totals = money.compute_totals(lines)
    assert totals == Totals(110000, 13600, 123600)
    credit = money.compute_totals(money.negate(line) for line in lines)
    assert credit == totals.negated() == Totals(-110000, -13600, -123600)


def test_compute_totals_refusals() -> None:
    with pytest.raises(MoneyError, match="at least one line"):
        money.compute_totals([])
    with pytest.raises(MoneyError, match="cannot mix"):
        money.compute_totals([LineAmounts(100, 13), money.negate(LineAmounts(50, 7))])
    with pytest.raises(MoneyError, match="same sign"):
        LineAmounts(100, -13)
    with pytest.raises(MoneyError, match="amount plus tax"):
        Totals(100, 13, 112)


quantities = st.decimals(
    min_value=Decimal("0.000001"), max_value=Decimal("100000"), places=6, allow_nan=False
)
prices = st.decimals(
    min_value=Decimal("0.00000001"), max_value=Decimal("100000"), places=8, allow_nan=False
)
rates = st.sampled_from(list(TaxRate))
lines_st = st.lists(st.tuples(quantities, prices, rates), min_size=1, max_size=20)


@given(quantities, prices, rates)
def test_line_follows_the_stated_rule(quantity: Decimal, price: Decimal, rate: TaxRate) -> None:
    line = money.compute_line(quantity, price, rate)
    exact_fen = quantity * price * 100
    assert abs(line.amount_fen - exact_fen) <= Decimal("0.5")
    exact_tax = Decimal(line.amount_fen) * rate.value
    assert line.tax_fen <= exact_tax + Decimal("0.5")
    assert abs(line.tax_fen - exact_tax) <= Decimal("0.5")
    if rate is TaxRate.R0:
        assert line.tax_fen == 0


@given(lines_st)
def test_totals_are_sums_of_rounded_lines(items: list[tuple[Decimal, Decimal, TaxRate]]) -> None:
    lines = [money.compute_line(q, p, r) for q, p, r in items]
    totals = money.compute_totals(lines)
    assert totals.amount_fen == sum(line.amount_fen for line in lines)
    assert totals.tax_fen == sum(line.tax_fen for line in lines)
    assert totals.total_fen == totals.amount_fen + totals.tax_fen


@given(lines_st)
def test_red_letter_mirrors_exactly(items: list[tuple[Decimal, Decimal, TaxRate]]) -> None:
    lines = [money.compute_line(q, p, r) for q, p, r in items]
    credit_lines = [money.negate(line) for line in lines]
    assert [c.negated() for c in credit_lines] == lines
    assert money.compute_totals(credit_lines) == money.compute_totals(lines).negated()


@given(st.lists(st.tuples(quantities, prices), min_size=1, max_size=10))
def test_rate_zero_gives_no_tax(items: list[tuple[Decimal, Decimal]]) -> None:
    totals = money.compute_totals(money.compute_line(q, p, TaxRate.R0) for q, p in items)
    assert totals.tax_fen == 0
    assert totals.total_fen == totals.amount_fen
