"""Invoice supply rules (B7): the used-invoice checks (验旧), the decision, the policy by date,
paper batch codes, the state machine, the carrier's trail and the events with notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change
from etax.rules import invoice_numbers
from etax.rules.invoice_types import classify_legacy_code
from etax.simulations.carrier import trail, waybill
from etax.supply import outbox
from etax.supply import rules as supply

SELLER = "91350100M000100Y43"
OTHER = "91350100MA2Y8KXX1B"
POLICY = supply.policy_for(date(2026, 11, 28))


def number(sequence: int, channel: str = "mobile") -> str:
    return invoice_numbers.format_number(2026, "35", channel, sequence)


# -- policy -----------------------------------------------------------------------------------

def test_the_policy_in_force_is_the_latest_effective_one() -> None:
    older = supply.POLICIES[0]
    newer = supply.SupplyPolicy(**{**{f: getattr(older, f) for f in older.__slots__},
                                   "effective_from": date(2027, 1, 1),
                                   "max_void_share": Decimal("0.2")})
    policies = (older, newer)
    assert supply.policy_for(date(2026, 12, 31), policies) is older
    assert supply.policy_for(date(2027, 1, 1), policies) is newer
    with pytest.raises(LookupError):
        supply.policy_for(date(2020, 1, 1), policies)


# -- paper 验旧 ---------------------------------------------------------------------------------

def test_a_first_paper_supply_has_nothing_to_account_for() -> None:
    [check] = supply.paper_checks(SELLER, None, {}, [])
    assert check.passed


def test_every_number_of_the_previous_batch_is_issued_or_handed_back() -> None:
    batch = supply.Batch("035012600104", 1, 5)
    issued = {n: supply.IssuedInvoice(n, "normal", SELLER) for n in ("00000001", "00000002")}
    issued["00000003"] = supply.IssuedInvoice("00000003", "voided", SELLER)
    checks = supply.paper_checks(SELLER, batch, issued, ["00000004", "00000005"])
    assert all(c.passed for c in checks)

    missing = supply.paper_checks(SELLER, batch, issued, ["00000004"])
    assert not missing[0].passed
    assert "00000005" in missing[0].detail


def test_a_number_issued_by_another_seller_is_an_anomaly() -> None:
    batch = supply.Batch("035012600104", 1, 2)
    issued = {"00000001": supply.IssuedInvoice("00000001", "normal", SELLER),
              "00000002": supply.IssuedInvoice("00000002", "normal", OTHER)}
    checks = {c.name: c for c in supply.paper_checks(SELLER, batch, issued, [])}
    assert checks["previous_batch_accounted"].passed
    assert not checks["no_foreign_numbers"].passed


# -- digital 验旧 -------------------------------------------------------------------------------

def test_consecutive_numbers_within_blocks_pass() -> None:
    invoices = [supply.IssuedInvoice(number(n)) for n in (1, 2, 3, 1001, 1002)]
    invoices.append(supply.IssuedInvoice(number(7, "web")))  # another series, its own block
    checks = {c.name: c for c in supply.digital_checks(
        invoices, quota_fen=100_00, used_fen=60_00, policy=POLICY, block_size=1000)}
    assert all(c.passed for c in checks.values()), checks


def test_a_number_skipped_inside_a_block_is_unaccounted_for() -> None:
    invoices = [supply.IssuedInvoice(number(n)) for n in (1, 2, 4)]
    checks = {c.name: c for c in supply.digital_checks(
        invoices, quota_fen=None, used_fen=0, policy=POLICY, block_size=1000)}
    assert not checks["numbers_accounted"].passed
    assert "sequence 3" in checks["numbers_accounted"].detail


def test_too_many_voided_invoices_and_an_unused_quota_fail() -> None:
    invoices = [supply.IssuedInvoice(number(n), "voided" if n <= 2 else "normal")
                for n in range(1, 5)]
    checks = {c.name: c for c in supply.digital_checks(
        invoices, quota_fen=100_00, used_fen=10_00, policy=POLICY, block_size=1000)}
    assert not checks["void_share"].passed   # 2 of 4 > 30 %
    assert not checks["quota_used"].passed   # 10 % < 50 %
    assert checks["numbers_accounted"].passed


@given(st.sets(st.integers(min_value=1, max_value=5000), min_size=1, max_size=60))
def test_holes_are_exactly_the_gaps_inside_each_block(used: set[int]) -> None:
    invoices = [supply.IssuedInvoice(number(n)) for n in used]
    [accounted, *_] = supply.digital_checks(invoices, quota_fen=None, used_fen=0,
                                            policy=POLICY, block_size=1000)
    gaps = any(n not in used
               for block in {(u - 1) // 1000 for u in used}
               for n in range(min(u for u in used if (u - 1) // 1000 == block),
                              max(u for u in used if (u - 1) // 1000 == block)))
    assert accounted.passed is not gaps


# -- the decision -------------------------------------------------------------------------------

def test_automatic_within_the_limits_and_an_officer_otherwise() -> None:
    ok = [supply.Check("x", True, "")]
    assert supply.decide("paper", ok, policy=POLICY, taxpayer_type="general",
                         invoice_type="04", quantity=50).automatic
    over = supply.decide("paper", ok, policy=POLICY, taxpayer_type="general",
                         invoice_type="04", quantity=51)
    assert not over.automatic
    assert "more than the 50" in over.reasons[0]
    assert supply.decide("digital", ok, policy=POLICY, taxpayer_type="small_scale",
                         monthly_quota_fen=100_000_00).automatic
    assert not supply.decide("digital", ok, policy=POLICY, taxpayer_type="small_scale",
                             monthly_quota_fen=100_000_01).automatic
    failed = supply.decide("digital", [supply.Check("void_share", False, "too many")],
                           policy=POLICY, taxpayer_type="general", monthly_quota_fen=1)
    assert failed.reasons == ["check void_share failed: too many"]


# -- batches and states -------------------------------------------------------------------------

@pytest.mark.parametrize("invoice_type", supply.PAPER_TYPES)
def test_batch_codes_read_back_as_their_type(invoice_type: str) -> None:
    code = supply.batch_code(invoice_type, "3501", 2026)
    assert classify_legacy_code(code) == invoice_type
    assert "3501" in code


def test_batch_numbers_are_eight_digits_inclusive() -> None:
    batch = supply.Batch("035012600104", 9, 11)
    assert batch.numbers() == ["00000009", "00000010", "00000011"]
    assert batch.as_dict() == {"code": "035012600104", "first": "00000009",
                               "last": "00000011", "count": 3}


@given(st.lists(st.sampled_from(sorted(supply.STATES)), min_size=1, max_size=12))
def test_no_path_leaves_a_terminal_state_or_delivers_without_approval(path: list[str]) -> None:
    state = supply.SUBMITTED
    seen = [state]
    for target in path:
        if supply.can_move(state, target):
            assert state not in supply.TERMINAL
            state = target
            seen.append(state)
    if supply.DELIVERED in seen or supply.QUOTA_RAISED in seen:
        assert supply.APPROVED in seen
    assert seen.count(supply.APPROVED) <= 1  # approved once: delivered or raised once


# -- the carrier ---------------------------------------------------------------------------------

def test_the_simulated_trail_advances_one_step_per_interval() -> None:
    shipped = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert [e.status for e in trail(shipped, shipped, 60)] == ["accepted"]
    later = trail(shipped, shipped + timedelta(seconds=125), 60)
    assert [e.status for e in later] == ["accepted", "in_transit", "out_for_delivery"]
    done = trail(shipped, shipped + timedelta(hours=1), 60)
    assert done[-1].status == "delivered"
    assert done[-1].label == "已签收"
    assert len(done) == 4
    assert waybill("S1") == waybill("S1") != waybill("S2")
    assert len(waybill("S1")) == 13


# -- events --------------------------------------------------------------------------------------

def image(state: str, note: str = "note") -> dict[str, Any]:
    return {"id": {"S": "S2026112800AB"}, "applicant": {"S": SELLER},
            "tax_office": {"S": "13501000000"}, "kind": {"S": "paper"}, "state": {"S": state},
            "trail": {"L": [{"M": {"stage": {"S": state}, "note": {"S": note}}}]}}


def event_for(record: dict[str, Any]) -> DomainEvent | None:
    """The outbox mapping of one stream record as Lambda delivers it."""
    return outbox.event_for(Change.of(record))


def test_each_new_state_is_one_event_and_decisions_notify_the_applicant() -> None:
    applied = event_for({"eventName": "INSERT", "dynamodb": {"NewImage": image("submitted")}})
    assert applied is not None
    assert applied.detail_type == "InvoiceSupplyApplied"
    assert "notification" not in applied.detail

    shipped = event_for({"eventName": "MODIFY", "dynamodb": {
        "OldImage": image("approved"), "NewImage": image("shipped", "waybill EI1CN")}})
    assert shipped is not None
    assert shipped.detail_type == "InvoiceSupplyShipped"
    notice = shipped.detail["notification"]
    assert notice == {"id": "invoice-supply:S2026112800AB:shipped", "recipient": SELLER,
                      "kind": "invoice_supply.shipped", "title": "发票已寄出",
                      "body": notice["body"], "link": "/v1/invoice-supplies/S2026112800AB"}
    assert "waybill EI1CN" in notice["body"]

    same = event_for({"eventName": "MODIFY", "dynamodb": {
        "OldImage": image("shipped"), "NewImage": image("shipped")}})
    assert same is None
    counter = event_for({"eventName": "MODIFY", "dynamodb": {
        "NewImage": {"id": {"S": "counter#035012600104"}, "last_number": {"N": "5"}}}})
    assert counter is None


class _Queues:
    """A repository holding only review queues, by office (the listing reads nothing else)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def review_queue(self, office: str, *, limit: int) -> list[Any]:
        self.asked.append(office)
        return []


def _lister() -> tuple[Any, _Queues]:
    from etax.supply.service import SupplyService

    queues = _Queues()
    return SupplyService(queues, None, None, None), queues  # type: ignore[arg-type]


def test_an_officer_lists_its_own_office_and_no_other() -> None:
    from etax.errors import Malformed, Refused
    from etax.platform.auth import Principal

    service, queues = _lister()
    officer = Principal("officer", "officer-fz-0001", "13501000000")
    assert service.list_applications(officer, state=None, office=None).tax_office \
        == "13501000000"
    assert service.list_applications(officer, state="review",
                                     office="13501000000").applications == []
    for who, office, error in [(officer, "13502000000", Refused),
                               (Principal("developer", "dev-1"), None, Refused),
                               (Principal("admin", "admin-0001"), None, Malformed)]:
        with pytest.raises(error):
            service.list_applications(who, state=None, office=office)
    assert queues.asked == ["13501000000", "13501000000"]
