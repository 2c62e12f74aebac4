"""Risk warnings on the local stack (docs/risk.md): registrations, invoices and VAT returns
sent through the analytical store's archive queue as the bus would, their days compacted,
then ``GET /v1/analytics/risk-warnings`` read by the office's officer (its taxpayers'
warnings, each with its figures), another office's officer (none of them) and an
administrator (one indicator)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.e2e.test_analytics_e2e import FUZHOU, XIAMEN, through_the_archive
from tests.e2e.test_open_data_e2e import company, envelope
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

MONTH = "2025-03"  # a month no other test writes facts in


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00+00:00").astimezone(UTC)


def facts(industry: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Six companies of Fuzhou in an industry of their own: 0 files a nil return while
    invoicing, 1 invoices ten times its usual month, 2 pays a burden far below the others'."""
    codes = [company("350100") for _ in range(6)]
    events = [envelope("tax.registration", "RegistrationChanged", at("2025-01-02"), {
        "credit_code": c, "status": "active", "revision": 1, "tax_office_code": FUZHOU,
        "taxpayer_type": "general", "industry": industry}) for c in codes]

    def invoice(seller: str, day: str, total_fen: int) -> dict[str, Any]:
        number = "".join(random.choice("0123456789") for _ in range(20))
        return envelope("tax.invoices", "InvoiceIssued", at(day), {
            "number": number, "type": "81", "issue_date": day, "seller_credit_code": seller,
            "buyer_id": None, "total_fen": total_fen, "channel": "web"})

    def vat_return(taxpayer: str, sales_fen: int, tax_due_fen: int) -> dict[str, Any]:
        return envelope("tax.filing", "ReturnFiled", at("2025-04-10"), {
            "obligation_id": f"{taxpayer}#vat#{MONTH}", "taxpayer": taxpayer, "tax_type": "vat",
            "period": MONTH, "kind": "vat_general", "filed_at": "2025-04-10T02:00:00Z",
            "tax_due_fen": tax_due_fen, "sales_fen": sales_fen, "office": FUZHOU})

    events += [invoice(codes[0], "2025-03-03", 226_000)]
    events += [invoice(codes[1], day, 4_000_000) for day in ("2024-12-05", "2025-01-06",
                                                             "2025-02-05")]
    events += [invoice(codes[1], "2025-03-05", 40_000_000)]
    events += [vat_return(codes[0], 0, 0), vat_return(codes[2], 1_000_000, 5_000)]
    events += [vat_return(c, 1_000_000, 30_000) for c in codes[3:]] + [
        vat_return(codes[1], 40_000_000, 1_200_000)]
    return events, codes


def warnings(api: str, who: dict[str, str], **query: str) -> dict[str, Any]:
    answer = requests.get(f"{api}/v1/analytics/risk-warnings", headers=who, timeout=120,
                          params=query)
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def test_an_office_reads_its_taxpayers_warnings_each_explained(
        api: str, aws: Callable[[str], Any], stack: dict[str, Any]) -> None:
    industry = f"零售业（端到端{random.randrange(10**6):06d}）"
    events, codes = facts(industry)
    through_the_archive(aws, stack, events)

    officer = bearer(token(api, "officer", "officer-fz-0001", tax_office=FUZHOU))
    body = warnings(api, officer, month=MONTH)
    assert body["office"] == FUZHOU
    mine = {(w["indicator"], w["taxpayer"]): w for w in body["warnings"]
            if w["taxpayer"] in codes}
    assert set(mine) == {("zero-return-while-invoicing", codes[0]),
                         ("invoicing-spike", codes[1]),
                         ("burden-below-industry", codes[2])}
    nil = mine[("zero-return-while-invoicing", codes[0])]
    assert nil["figures"]["invoiced_fen"] == 226_000
    assert nil["records"] == {"returns": [f"{codes[0]}#vat#{MONTH}"]}
    assert (nil["industry"], nil["office"]) == (industry, FUZHOU)
    spike = mine[("invoicing-spike", codes[1])]["figures"]
    assert spike["growth"] == "10.0000"
    assert spike["months_before"] == {"2024-12": 4_000_000, "2025-01": 4_000_000,
                                      "2025-02": 4_000_000}
    low = mine[("burden-below-industry", codes[2])]["figures"]
    assert (low["burden"], low["peers"]) == ("0.0050", 5)

    xiamen = bearer(token(api, "officer", "officer-xm-0001", tax_office=XIAMEN))
    assert not [w for w in warnings(api, xiamen, month=MONTH)["warnings"]
                if w["taxpayer"] in codes]
    admin = bearer(token(api, "admin", "admin-0001"))
    spikes = warnings(api, admin, month=MONTH, indicator="invoicing-spike")
    assert codes[1] in [w["taxpayer"] for w in spikes["warnings"]]
    assert {w["indicator"] for w in spikes["warnings"]} == {"invoicing-spike"}
    bad = requests.get(f"{api}/v1/analytics/risk-warnings", headers=officer, timeout=60,
                       params={"month": MONTH, "indicator": "nope"})
    assert (bad.status_code, bad.json()["field"]) == (422, "indicator")
