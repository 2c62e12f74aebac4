"""What the filing table's stream announces (etax.filing.outbox): a return filed (to filed, or
to paid at once when nothing is payable) and a payment confirmed, with amounts in integer fen;
nothing else, and the event source's filter wakes the function for those records only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from etax.filing import calculation, outbox
from etax.filing.deadlines import parse_period
from etax.filing.requests import ReturnRequest
from etax.platform.outbox import Change
from tests.unit.test_outbox import record, wakes

RETAILER = "91350100MA2Y8KXX1B"
PERSON = "350102199003071234"  # a resident ID number: a natural person's IIT obligation
FUZHOU = "13501000000"


def obligation(taxpayer: str = RETAILER, tax_type: str = "vat", period: str = "2026-10",
               **extra: Any) -> dict[str, Any]:
    """An obligation item as the repository writes it (open)."""
    return {"pk": f"taxpayer#{taxpayer}", "sk": f"obligation#{tax_type}#{period}",
            "obligation_id": f"{taxpayer}:{tax_type}:{period}", "taxpayer": taxpayer,
            "tax_type": tax_type, "period": period, "due_date": "2026-11-16",
            "statutory_due": "2026-11-15", "extension": "none", "status": "open",
            "version": 1, "created_by": f"taxpayer:{taxpayer}",
            "created_at": "2026-11-01T01:00:00+00:00", "open_shard": "open#3",
            "tax_office": FUZHOU, **extra}


def filed(item: dict[str, Any], kind: str, data: dict[str, Any], *,
          at: str = "2026-11-05T02:30:00+00:00") -> dict[str, Any]:
    """The item after ``FilingRepository.file_return`` of a return computed as filing does."""
    computed = calculation.compute(ReturnRequest(kind=kind, data=data),
                                   period=parse_period(item["period"]))
    after = {**item, "status": "filed" if computed.tax_fen else "paid", "return_kind": kind,
             "return_answer": json.dumps(computed.answer, ensure_ascii=False),
             "filed_at": at, "filed_by": f"taxpayer:{item['taxpayer']}",
             "refund_due_fen": computed.refund_fen, "tax_fen": computed.tax_fen,
             "tax_paid_fen": 0, "surcharge_accrued_fen": 0, "surcharge_paid_fen": 0,
             "overpaid_fen": 0, "accrued_through": None, "version": item["version"] + 1}
    if not computed.tax_fen:
        after["paid_at"] = at
        del after["open_shard"]
    return after


PAYMENT = {"pk": "payment#pay-1", "sk": "payment", "payment_id": "pay-1",
           "obligation_id": f"{RETAILER}:vat:2026-10", "taxpayer": RETAILER, "tax_type": "vat",
           "period": "2026-10", "method": "bank_transfer", "amount_fen": 100_000,
           "status": "pending", "instruction": "{}", "created_at": "2026-11-05T03:00:00+00:00",
           "created_by": f"taxpayer:{RETAILER}", "tax_office": FUZHOU}
CONFIRMED = {**PAYMENT, "status": "confirmed", "provider_ref": "BT-1",
             "confirmed_at": "2026-11-05T03:10:00+00:00", "paid_on": "2026-11-05",
             "payer": RETAILER, "alloc_tax_fen": 100_000, "alloc_surcharge_fen": 0,
             "alloc_overpaid_fen": 0, "days_late": 0}


def announce(name: str, new: dict[str, Any] | None = None,
             old: dict[str, Any] | None = None) -> Any:
    return outbox.event_for(Change.of(record(name, new, old)))


def test_a_return_filed_is_announced_with_its_tax_and_sales_in_fen() -> None:
    before = obligation()
    after = filed(before, "vat_small_scale", {"sales": "150000.00"})
    event = announce("MODIFY", after, before)
    assert event is not None
    assert event.detail_type == "ReturnFiled"
    assert event.detail == {
        "obligation_id": f"{RETAILER}:vat:2026-10", "taxpayer": RETAILER, "tax_type": "vat",
        "period": "2026-10", "kind": "vat_small_scale",
        "filed_at": "2026-11-05T02:30:00+00:00", "tax_due_fen": 150_000,  # 150,000.00 × 1 %
        "sales_fen": 15_000_000, "office": FUZHOU}
    assert {type(event.detail[k]) for k in ("tax_due_fen", "sales_fen")} == {int}
    assert event.resources == (f"obligation/{RETAILER}:vat:2026-10",)
    assert outbox.SOURCE == "tax.filing"


def test_a_return_with_nothing_payable_is_announced_too() -> None:
    """Exempt small-scale sales, or a general return whose input tax exceeds its output tax:
    the obligation goes straight to paid, and the return is still a fact (tax 0, its sales)."""
    quarter = obligation(period="2026-Q3")
    exempt = announce("MODIFY", filed(quarter, "vat_small_scale", {"sales": "280000.00"}),
                      quarter)
    assert exempt is not None
    assert (exempt.detail["tax_due_fen"], exempt.detail["sales_fen"]) == (0, 28_000_000)
    general = announce("MODIFY", filed(obligation(), "vat_general", {
        "sales": [{"amount": "10000.00", "rate": "0.13"}, {"amount": "2000.50", "rate": "0.09"}],
        "input_tax": "5000.00"}), obligation())
    assert general is not None
    assert general.detail["kind"] == "vat_general"
    assert (general.detail["tax_due_fen"], general.detail["sales_fen"]) == (0, 1_200_050)


def test_a_return_without_sales_or_office_omits_them() -> None:
    """An IIT annual return has no sales; an obligation without a stored office has none."""
    before = obligation(PERSON, "iit_annual", "2025")
    del before["tax_office"]
    event = announce("MODIFY", filed(before, "iit_annual", {"income": "400000"}), before)
    assert event is not None
    assert event.detail["taxpayer"] == PERSON  # the identifier as stored, as other boards do
    assert event.detail["kind"] == "iit_annual"
    assert event.detail["tax_due_fen"] > 0
    assert not {"sales_fen", "office"} & set(event.detail)


def test_a_payment_confirmed_is_announced_with_its_amount_in_fen() -> None:
    event = announce("MODIFY", CONFIRMED, PAYMENT)
    assert event is not None
    assert event.detail_type == "PaymentConfirmed"
    assert event.detail == {
        "payment_id": "pay-1", "obligation_id": f"{RETAILER}:vat:2026-10",
        "taxpayer": RETAILER, "tax_type": "vat", "period": "2026-10", "amount_fen": 100_000,
        "method": "bank_transfer", "confirmed_at": "2026-11-05T03:10:00+00:00",
        "office": FUZHOU}
    assert type(event.detail["amount_fen"]) is int
    assert event.resources == ("payment/pay-1",)
    without_office = {k: v for k, v in CONFIRMED.items() if k != "tax_office"}
    shown = announce("MODIFY", without_office, PAYMENT)
    assert shown is not None
    assert "office" not in shown.detail


FILED_AT_ONCE = filed(obligation(), "vat_small_scale", {"sales": "150000.00"})
LEDGER_MOVED = {**FILED_AT_ONCE, "tax_paid_fen": 100_000, "version": 3}
SILENT = {
    "an obligation created": ("INSERT", obligation(), None),
    "a payment started": ("INSERT", PAYMENT, None),
    "a reminder's claim": ("MODIFY", {**obligation(), "last_reminded": "2026-11-20"},
                           obligation()),
    "a reminder released": ("MODIFY", obligation(),
                            {**obligation(), "last_reminded": "2026-11-20"}),
    "the ledger moved by a payment": ("MODIFY", LEDGER_MOVED, FILED_AT_ONCE),
    "the ledger settled by a payment": ("MODIFY", {**LEDGER_MOVED, "status": "paid"},
                                        FILED_AT_ONCE),
    "a payment failed": ("MODIFY", {**PAYMENT, "status": "failed", "failed_at": "x"}, PAYMENT),
    "a confirmed payment rewritten": ("MODIFY", CONFIRMED, CONFIRMED),
    "a return filed, inserted": ("INSERT", FILED_AT_ONCE, None),
    "an obligation removed": ("REMOVE", None, FILED_AT_ONCE),
}


@pytest.mark.parametrize("what", SILENT)
def test_nothing_else_is_announced(what: str) -> None:
    name, new, old = SILENT[what]
    assert announce(name, new, old) is None


def test_only_records_that_can_announce_wake_the_filing_outbox() -> None:
    records = {what: record(name, new, old) for what, (name, new, old) in SILENT.items()}
    quarter = obligation(period="2026-Q3")
    records["filed"] = record("MODIFY", FILED_AT_ONCE, obligation())
    records["filed, nothing payable"] = record(
        "MODIFY", filed(quarter, "vat_small_scale", {"sales": "280000.00"}), quarter)
    records["confirmed"] = record("MODIFY", CONFIRMED, PAYMENT)
    woken = {what for what, one in records.items() if wakes(outbox.ANNOUNCING, one)}
    assert woken == {"filed", "filed, nothing payable", "confirmed"}
    announced = {what for what, one in records.items()
                 if outbox.event_for(Change.of(one)) is not None}
    assert announced == woken  # the filter never hides a record that announces
