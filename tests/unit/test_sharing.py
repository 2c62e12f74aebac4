"""Bank–tax consents, the pure parts: the agreements as data, the terms a consent may have,
its lifecycle with the platform's clock, each scope's figures, and the demo bank's pre-check
rules."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from etax.errors import Fault, Invalid, Refused, StateChanged
from etax.platform.data import load
from etax.sharing import consents, scopes
from etax.sharing.consents import Agreements, Consent

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
AGREEMENTS = Agreements.shipped()
BANK = AGREEMENTS.partners["bank-minjiang-demo"]
SECOND = AGREEMENTS.partners["second-bank"]
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "partners" / "bank_precheck"))
from chalicelib.rules import assess  # noqa: E402


def consent(**changes: Any) -> Consent:
    base = Consent(consent_id="cns_" + "a" * 20, taxpayer="91350100M000100Y43",
                   partner="bank-minjiang-demo", scopes=("rating",), purpose="loan_precheck",
                   status=consents.AUTHORISED, created_at=NOW, created_by="taxpayer",
                   expires_at=NOW + timedelta(days=30), updated_at=NOW, authorised_at=NOW)
    return Consent(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})


def test_the_shipped_agreements_are_checked_and_in_force() -> None:
    assert BANK.in_force(date(2026, 12, 4))
    assert AGREEMENTS.partner("bank-minjiang-demo", date(2026, 12, 4)) is BANK
    with pytest.raises(Invalid):
        AGREEMENTS.partner("bank-minjiang-demo", date(2031, 1, 1))
    with pytest.raises(Refused):
        AGREEMENTS.signed_partner("unknown-bank", date(2026, 12, 4))
    raw = load("etax.sharing", "agreements")
    broken = {**raw, "partners": [{**raw["partners"][0], "scopes": ["bank_accounts"]}]}
    with pytest.raises(Fault, match=r"partners\[0\].scopes"):
        Agreements.parse(broken)
    with pytest.raises(Fault, match="scope_labels"):
        Agreements.parse({**raw, "scope_labels": {"rating": "x"}})


@pytest.mark.parametrize(("partner", "scopes_", "purpose", "expires", "field"), [
    (BANK, ["rating", "rating"], "loan_precheck", timedelta(days=1), "scopes"),
    (SECOND, ["sales"], "loan_precheck", timedelta(days=1), "scopes"),
    (SECOND, ["rating"], "credit_loan", timedelta(days=1), "purpose"),
    (BANK, ["rating"], "loan_precheck", timedelta(minutes=4), "expires_at"),
    (BANK, ["rating"], "loan_precheck", timedelta(days=90, seconds=1), "expires_at"),
])
def test_terms_beyond_the_agreement_or_the_time_limits_are_invalid(
        partner: consents.Partner, scopes_: list[str], purpose: str, expires: timedelta,
        field: str) -> None:
    with pytest.raises(Invalid) as refused:
        consents.check_terms(partner, scopes_, purpose, NOW + expires, NOW)
    assert refused.value.field == field


def test_terms_within_are_kept_in_their_order() -> None:
    assert consents.check_terms(BANK, ["tax_paid", "rating"], "credit_loan",
                                NOW + timedelta(days=90), NOW) == ("tax_paid", "rating")


def test_a_consent_expires_by_the_clock_and_permits_its_scopes_only() -> None:
    given = consent(scopes=("rating", "sales"))
    assert given.permits("sales", NOW)
    assert not given.permits("tax_paid", NOW)
    ends = given.expires_at
    assert given.status_at(ends - timedelta(seconds=1)) == consents.AUTHORISED
    assert given.status_at(ends) == consents.EXPIRED
    assert not given.permits("rating", ends)
    assert consent(status=consents.REVOKED).status_at(ends) == consents.REVOKED


def test_the_lifecycle_moves_only_from_where_it_may() -> None:
    asked = consent(status=consents.AWAITING, created_by="partner", authorised_at=None)
    later = NOW + timedelta(hours=1)
    authorised = consents.decide(asked, True, later)
    assert (authorised.status, authorised.authorised_at) == (consents.AUTHORISED, later)
    assert consents.decide(asked, False, later).status == consents.REJECTED
    with pytest.raises(StateChanged):
        consents.decide(authorised, False, later)
    with pytest.raises(StateChanged):  # expired before the answer
        consents.decide(asked, True, asked.expires_at)
    revoked = consents.revoke(authorised, later)
    assert (revoked.status, revoked.ended_at) == (consents.REVOKED, later)
    assert consents.revoke(asked, later).status == consents.REVOKED  # withdrawn unanswered
    with pytest.raises(StateChanged):
        consents.revoke(revoked, later)


def test_the_window_is_the_last_twelve_calendar_months() -> None:
    span = scopes.window(date(2026, 12, 4))
    assert (span.first, span.last) == (date(2026, 1, 1), date(2026, 12, 4))
    january = scopes.window(date(2027, 1, 31)).months()
    assert (january[0], january[-1], len(january)) == ("202602", "202701", 12)


def test_each_scope_adds_up_in_fen() -> None:
    span = scopes.window(date(2026, 12, 4))
    paid = scopes.tax_paid(span, [("vat", 100), ("cit", 7), ("vat", 1)])
    assert (paid.total_fen, paid.by_tax_type, paid.payments) == (108, {"cit": 7, "vat": 101}, 3)
    sold = scopes.sales(span, {"202603": 500, "202612": -20})
    assert sold.total_fen == 480
    assert [m.invoiced_fen for m in sold.months][2] == 500
    due = [{"tax_type": "vat", "period": "2026-10", "due_date": date(2026, 11, 16),
            "status": "filed", "filed_at": "2026-11-16T15:30:00+00:00",
            "filed_on": date(2026, 11, 17), "tax_fen": 5},
           {"tax_type": "vat", "period": "2026-09", "due_date": date(2026, 10, 22),
            "status": "paid", "filed_at": "2026-10-20T02:00:00+00:00",
            "filed_on": date(2026, 10, 20), "tax_fen": 9},
           {"tax_type": "vat", "period": "2025-11", "due_date": date(2025, 12, 15),
            "status": "open", "filed_at": None, "filed_on": None, "tax_fen": None}]
    answered = scopes.returns(span, due)
    # filed at 23:30 in Shanghai on the 16th… of the 17th: late; the 2025 one is out
    assert (answered.due, answered.filed_on_time) == (2, 1)
    assert [r.period for r in answered.returns] == ["2026-09", "2026-10"]


@pytest.mark.parametrize(("rating", "paid", "eligible"), [
    ({"level": "M", "year": 2025, "provisional": False}, 1, True),
    ({"level": "B", "year": 2025, "provisional": False}, 0, False),
    ({"level": "C", "year": 2025, "provisional": False}, 10_000, False),
    ({"level": "A", "year": 2026, "provisional": True}, 10_000, False),
    (None, 10_000, False),
])
def test_the_banks_precheck_needs_a_b_or_m_and_tax_paid(
        rating: dict[str, Any] | None, paid: int, eligible: bool) -> None:
    answer = assess(rating, {"total_fen": paid, "first_day": "2026-01-01",
                             "last_day": "2026-12-04"})
    assert answer["eligible"] is eligible
    assert [r["code"] for r in answer["reasons"]] == ["rating", "tax_paid"]
