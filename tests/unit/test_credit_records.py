"""The records a credit evaluation reads, from the platform's own: obligations (filing,
payment, surcharge) and serious-violator listings; and the links that show them."""

from __future__ import annotations

from datetime import date

import pytest

from etax.credit.evaluation import Record, Registration, YearFacts, evaluate
from etax.credit.records import (
    VIOLATOR_KIND,
    ZERO_RETURN_KIND,
    Listing,
    link,
    listing_record,
    obligation_records,
    period_months,
    year_records,
    zero_or_negative,
)
from etax.filing.ledger import Ledger
from etax.filing.repository import Obligation

CODE = "91350100M000100Y43"


def obligation(period: str, due: date, *, filed_at: str | None = None,
               paid_at: str | None = None, tax_fen: int = 0,
               surcharge: tuple[int, int] = (0, 0)) -> Obligation:
    ledger = None if filed_at is None else Ledger(
        due_date=due, tax_fen=tax_fen, surcharge_accrued_fen=surcharge[0],
        surcharge_paid_fen=surcharge[1])
    return Obligation(f"{CODE}:vat:{period}", CODE, "13501000000", "vat", period, due, due,
                      "none", "filed", 1, "x", "2026-01-01T00:00:00+00:00",
                      filed_at=filed_at, ledger=ledger, paid_at=paid_at)


def test_an_obligation_filed_and_paid_is_a_filing_and_a_payment_record_by_shanghai_day() -> None:
    # 16:30 UTC on the 22nd is 00:30 on the 23rd in Shanghai: a day late
    found = obligation_records(obligation("2026-09", date(2026, 10, 22),
                                          filed_at="2026-10-22T16:30:00+00:00",
                                          paid_at="2026-10-25T02:00:00+00:00",
                                          tax_fen=100))
    assert found == [
        Record("filing", f"filing:{CODE}:vat:2026-09", date(2026, 10, 22), date(2026, 10, 23)),
        Record("payment", f"payment:{CODE}:vat:2026-09", date(2026, 10, 22),
               date(2026, 10, 25))]


def test_nothing_to_pay_is_no_payment_record_and_not_filed_is_a_filing_record_only() -> None:
    assert [r.kind for r in obligation_records(obligation(
        "2026-09", date(2026, 10, 22), filed_at="2026-10-20T02:00:00+00:00"))] == ["filing"]
    [record] = obligation_records(obligation("2026-09", date(2026, 10, 22)))
    assert (record.kind, record.done_on) == ("filing", None)


def test_an_unpaid_surcharge_is_a_record_of_what_is_outstanding() -> None:
    found = obligation_records(obligation("2026-09", date(2026, 10, 22),
                                          filed_at="2026-10-30T02:00:00+00:00", tax_fen=100,
                                          surcharge=(1_500, 500)))
    assert found[-1] == Record("surcharge", f"surcharge:{CODE}:vat:2026-09",
                               date(2026, 10, 22), amount_fen=1_000)


def test_a_listing_counts_while_it_stands_dated_no_earlier_than_the_year() -> None:
    listing = Listing("case-1", CODE, date(2025, 11, 3))
    assert listing_record(listing, 2026, date(2026, 6, 1)) == Record(
        VIOLATOR_KIND, "violator:case-1", date(2026, 1, 1), None)
    removed = Listing("case-1", CODE, date(2025, 11, 3), date(2026, 5, 1))
    assert listing_record(removed, 2026, date(2026, 6, 1)) is None
    assert listing_record(removed, 2026, date(2026, 4, 30)) is not None
    assert listing_record(Listing("case-2", CODE, date(2027, 1, 5)), 2026,
                          date(2026, 12, 31)) is None


def test_the_year_holds_the_obligations_due_in_it_and_rates_a_listing_d() -> None:
    obligations = [obligation("2025-12", date(2026, 1, 15)),
                   obligation("2026-12", date(2027, 1, 15))]
    records = year_records(obligations, [Listing("c", CODE, date(2026, 3, 1))], 2026,
                           date(2026, 12, 31))
    assert [r.reference for r in records] == [f"filing:{CODE}:vat:2025-12", "violator:c"]
    evaluation = evaluate(YearFacts(2026, records),
                          Registration(date(2016, 3, 1), recurring_complete=True))
    assert evaluation.level == "D"
    assert [d.code for d in evaluation.direct_d] == ["D_SERIOUS_VIOLATOR"]


def test_links_name_the_filing_boards_routes() -> None:
    assert link(f"payment:{CODE}:vat:2026-09") == f"/v1/filing/obligations/{CODE}:vat:2026-09"
    assert link("violator:case-1") is None
    assert link("filing:") is None


def test_an_evaluation_is_shown_with_descriptions_links_and_one_decimal() -> None:
    from etax.credit.catalogue import Catalogue
    from etax.credit.views import rating_of

    due = date(2026, 10, 22)
    records = (Record("filing", f"filing:{CODE}:vat:2026-09", due, date(2026, 10, 30)),)
    evaluation = evaluate(YearFacts(2026, records, frozenset({records[0].reference})),
                          Registration(date(2016, 3, 1), recurring_complete=True))
    shown = rating_of(evaluation, credit_code=CODE, name="示例", catalogue=Catalogue.shipped(),
                      evaluated_at="t")
    [deduction] = shown.deductions
    assert (deduction.indicator, deduction.points, deduction.restored, deduction.net) == (
        "FILING_LATE", 5, "4.0", "1.0")
    assert deduction.records[0].link == f"/v1/filing/obligations/{CODE}:vat:2026-09"
    assert (shown.score, shown.level, shown.start) == ("92.0", "A", 93)


def _vat_return(kind: str, answer: dict[str, str], period: str = "2026-09",
                due: date = date(2026, 10, 22), tax_type: str = "vat") -> Obligation:
    return Obligation(f"{CODE}:{tax_type}:{period}", CODE, "13501000000", tax_type, period, due,
                      due, "none", "paid", 1, "x", "2026-01-01T00:00:00+00:00",
                      return_kind=kind, return_answer=answer,
                      filed_at="2026-10-10T02:00:00+00:00",
                      ledger=Ledger(due_date=due, tax_fen=0), paid_at="2026-10-10T02:00:00+00:00")


@pytest.mark.parametrize(("kind", "answer", "zero"), [
    ("vat_general", {"tax_due": "0.00", "carry_forward": "120.00"}, True),   # negative
    ("vat_general", {"tax_due": "0.00", "carry_forward": "0.00"}, True),     # zero
    ("vat_general", {"tax_due": "13.00", "carry_forward": "0.00"}, False),
    ("vat_small_scale", {"sales": "0.00", "tax_due": "0.00"}, True),
    ("vat_small_scale", {"sales": "80000.00", "tax_due": "0.00"}, False),    # exempt, not zero
    ("vat_small_scale", {"tax_due": "0.00"}, False),                         # unreadable
    ("iit_annual", {"to_pay": "0.00"}, False)])
def test_a_zero_or_negative_vat_return_is_a_record_linked_to_its_obligation(
        kind: str, answer: dict[str, str], zero: bool) -> None:
    obligation_ = _vat_return(kind, answer)
    assert zero_or_negative(obligation_) is zero
    found = [r for r in obligation_records(obligation_) if r.kind == ZERO_RETURN_KIND]
    if not zero:
        assert found == []
        return
    assert found == [Record(ZERO_RETURN_KIND, f"return:{CODE}:vat:2026-09", date(2026, 10, 22),
                            months=(2026 * 12 + 8,))]
    assert link(found[0].reference) == f"/v1/filing/obligations/{CODE}:vat:2026-09"


def test_a_quarters_return_covers_three_months() -> None:
    assert period_months("2026-Q2") == (2026 * 12 + 3, 2026 * 12 + 4, 2026 * 12 + 5)
    assert period_months("2026-07") == (2026 * 12 + 6,)
    assert period_months("someday") == ()
