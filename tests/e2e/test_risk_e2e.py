"""Risk warnings on the local stack (docs/risk.md): registrations, invoices and VAT returns
sent through the analytical store's archive queue as the bus would, their days compacted,
then ``GET /v1/analytics/risk-warnings`` read by the office's officer (its taxpayers'
warnings, each with its figures), another office's officer (none of them) and an
administrator (one indicator); then the month run: its cases on the watch-list, the
taxpayers warned through the information-on-demand flow, an officer's verdict counted in the
indicator's precision."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.e2e.test_analytics_e2e import FUZHOU, XIAMEN, through_the_archive
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_open_data_e2e import company, envelope
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

MONTH = "2025-03"  # a month no other test writes facts in


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00+00:00").astimezone(UTC)


def facts(industry: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Eight companies of Fuzhou in an industry of their own: 0 files a nil return while
    invoicing, 1 invoices ten times its usual month, 2 pays a burden far below the others', 3
    and 4 invoice each other (对开), 5 invoices 98 % of its quota; 6 and 7 are small-scale: 6
    invoices ¥460,000 (without tax) a month for twelve months, 7 files a nil return for the
    quarter while invoicing in it; 8 sells goods (by their tax classification code) it never
    bought."""
    codes = [company("350100") for _ in range(9)]
    events = [envelope("tax.registration", "RegistrationChanged", at("2025-01-02"), {
        "credit_code": c, "status": "active", "revision": 1, "tax_office_code": FUZHOU,
        "taxpayer_type": "small_scale" if n in (6, 7) else "general", "industry": industry})
        for n, c in enumerate(codes)]

    def invoice(seller: str, day: str, total_fen: int, buyer: str | None = None,
                announced: str | None = None, amount_fen: int | None = None,
                tax_code: str | None = None) -> dict[str, Any]:
        number = "".join(random.choice("0123456789") for _ in range(20))
        lines = ({"lines": [{"line": 1, "tax_code": tax_code, "amount_fen": amount_fen}]}
                 if tax_code else {})
        return envelope("tax.invoices", "InvoiceIssued", at(announced or day), {
            "number": number, "type": "81", "issue_date": day, "seller_credit_code": seller,
            "buyer_id": buyer, "total_fen": total_fen, "channel": "web",
            **({} if amount_fen is None else {"amount_fen": amount_fen}), **lines})

    def vat_return(taxpayer: str, sales_fen: int, tax_due_fen: int, period: str = MONTH,
                   kind: str = "vat_general") -> dict[str, Any]:
        return envelope("tax.filing", "ReturnFiled", at("2025-04-10"), {
            "obligation_id": f"{taxpayer}#vat#{period}", "taxpayer": taxpayer,
            "tax_type": "vat", "period": period, "kind": kind,
            "filed_at": "2025-04-10T02:00:00Z", "tax_due_fen": tax_due_fen,
            "sales_fen": sales_fen, "office": FUZHOU})

    events += [invoice(codes[0], "2025-03-03", 226_000)]
    events += [invoice(codes[3], "2025-03-10", 15_000_000, codes[4]),  # invoicing each other
               invoice(codes[4], "2025-03-11", 14_000_000, codes[3])]
    events += [invoice(codes[5], "2025-03-12", 980_000)]  # 98 % of its quota (month())
    events += [invoice(codes[1], day, 4_000_000) for day in ("2024-12-05", "2025-01-06",
                                                             "2025-02-05")]
    events += [invoice(codes[1], "2025-03-05", 40_000_000)]
    events += [vat_return(codes[0], 0, 0), vat_return(codes[2], 1_000_000, 5_000)]
    events += [vat_return(c, 1_000_000, 30_000) for c in codes[3:6]] + [
        vat_return(codes[1], 40_000_000, 1_200_000)]
    # announced on one day (a day's file, not twelve), issued over the twelve months to March
    events += [invoice(codes[6], f"{month}-15", 47_380_000, announced="2025-03-20",
                       amount_fen=46_000_000)
               for month in [f"2024-{m:02d}" for m in range(4, 13)] + [
                   f"2025-{m:02d}" for m in range(1, 4)]]
    events += [invoice(codes[7], "2025-01-15", 30_900, amount_fen=30_000),
               invoice(codes[7], "2025-02-15", 20_600, amount_fen=20_000),
               vat_return(codes[7], 0, 0, "2025-Q1", "vat_small_scale")]
    events += [invoice(codes[8], "2025-03-14", 16_950_000, amount_fen=15_000_000,
                       tax_code="1070101010100000000")]
    return events, codes


def notices(api: str, taxpayer: str, notice: str) -> list[dict[str, Any]]:
    """The inbox entries of ``taxpayer`` with the id ``notice``, once there are some."""
    who = bearer(token(api, "taxpayer", taxpayer))
    return wait_for(f"the notice {notice}", lambda: entries_with(api, who, notice) or None)


def warnings(api: str, who: dict[str, str], **query: str) -> dict[str, Any]:
    answer = requests.get(f"{api}/v1/analytics/risk-warnings", headers=who, timeout=120,
                          params=query)
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


@pytest.fixture(scope="module")
def month(aws: Callable[[str], Any], stack: dict[str, Any]) -> tuple[str, list[str]]:
    """The facts of :func:`facts` in the store, compacted: their industry and companies."""
    industry = f"零售业（端到端{random.randrange(10**6):06d}）"
    events, codes = facts(industry)
    aws("dynamodb").put_item(TableName=stack["IssuingQuotaTableName"], Item={
        "key": {"S": f"quota#{codes[5]}"}, "monthly_fen": {"N": "1000000"}})
    through_the_archive(aws, stack, events)
    return industry, codes


def test_an_office_reads_its_taxpayers_warnings_each_explained(
        api: str, month: tuple[str, list[str]]) -> None:
    industry, codes = month
    officer = bearer(token(api, "officer", "officer-fz-0001", tax_office=FUZHOU))
    body = warnings(api, officer, month=MONTH)
    assert body["office"] == FUZHOU
    mine = {(w["indicator"], w["taxpayer"]): w for w in body["warnings"]
            if w["taxpayer"] in codes}
    assert set(mine) == {("zero-return-while-invoicing", codes[0]),
                         ("invoicing-spike", codes[1]),
                         ("burden-below-industry", codes[2]),
                         ("circular-invoicing", codes[3]), ("circular-invoicing", codes[4]),
                         ("invoicing-at-quota", codes[5]),
                         ("small-scale-over-threshold", codes[6]),
                         ("zero-return-while-invoicing", codes[7]),
                         ("goods-sold-never-bought", codes[8])}
    unmatched = mine[("goods-sold-never-bought", codes[8])]["figures"]
    assert unmatched["categories"] == [{"category": "10701", "sold_fen": 15_000_000}]
    over = mine[("small-scale-over-threshold", codes[6])]["figures"]
    assert (over["invoiced_amount_fen"], over["first_month"]) == (552_000_000, "2024-04")
    quarterly = mine[("zero-return-while-invoicing", codes[7])]["figures"]
    assert (quarterly["period"], quarterly["invoiced_fen"]) == ("2025-Q1", 51_500)
    assert mine[("invoicing-at-quota", codes[5])]["figures"]["share"] == "0.9800"
    ring = mine[("circular-invoicing", codes[3])]
    assert ring["figures"] == {"enterprises": 2, "chains": 1, "invoiced_fen": 15_000_000,
                               "received_fen": 14_000_000}
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


def test_a_month_s_run_puts_cases_on_the_watch_list_warns_each_taxpayer_and_is_judged(
        api: str, month: tuple[str, list[str]]) -> None:
    """An administrator runs the month: a case for each warning, on its office's watch-list;
    the taxpayer finds the risk warning in its warnings and its inbox (the information-on-
    demand flow) and answers it; the officer's verdict is kept once and counted in the
    indicator's precision."""
    _, codes = month
    admin = bearer(token(api, "admin", "admin-0001"))
    officer = bearer(token(api, "officer", "officer-fz-0001", tax_office=FUZHOU))
    ran = requests.post(f"{api}/v1/analytics/risk-runs", json={"month": MONTH}, timeout=120,
                        headers={**admin, "Idempotency-Key": str(uuid.uuid4())})
    assert ran.status_code == 200, ran.text
    assert ran.json()["month"] == MONTH
    assert ran.json()["warnings"] >= 9

    listed = requests.get(f"{api}/v1/analytics/risk-cases", headers=officer, timeout=60,
                          params={"month": MONTH, "verdict": "open"})
    assert listed.status_code == 200, listed.text
    ours = {c["taxpayer"]: c for c in listed.json()["items"] if c["taxpayer"] in codes}
    assert {c: ours[c]["indicator"] for c in ours} == {
        codes[0]: "zero-return-while-invoicing", codes[1]: "invoicing-spike",
        codes[2]: "burden-below-industry", codes[3]: "circular-invoicing",
        codes[4]: "circular-invoicing", codes[5]: "invoicing-at-quota",
        codes[6]: "small-scale-over-threshold", codes[7]: "zero-return-while-invoicing",
        codes[8]: "goods-sold-never-bought"}
    case = ours[codes[0]]
    assert codes[0] not in case["id"]
    xiamen = bearer(token(api, "officer", "officer-xm-0001", tax_office=XIAMEN))
    assert requests.get(f"{api}/v1/analytics/risk-cases/{case['id']}", headers=xiamen,
                        timeout=60).status_code == 403

    taxpayer = bearer(token(api, "taxpayer", codes[0]))
    warning_id = case["warning_id"]
    wait_for("the taxpayer's risk warning", lambda: [
        w for w in requests.get(f"{api}/v1/me/risk-warnings", headers=taxpayer,
                                timeout=60).json()["items"] if w["id"] == warning_id] or None)
    shown = requests.get(f"{api}/v1/risk-warnings/{warning_id}", headers=taxpayer,
                         timeout=60).json()
    assert (shown["source"], shown["case_id"], shown["topic"]) == (
        "indicator", case["id"], "filing")
    assert "金额合计2,260.00元" in shown["detail"]
    wait_for("the notice in the inbox",
             lambda: entries_with(api, taxpayer, f"risk:{warning_id}") or None)
    answered = requests.post(
        f"{api}/v1/risk-warnings/{warning_id}/responses", timeout=60,
        headers={**taxpayer, "Idempotency-Key": str(uuid.uuid4())},
        json={"action": "explain", "text": "本月销售已于次月补充申报。"})
    assert answered.status_code == 200, answered.text
    # the planted burden and 顶额开具 cases reach their taxpayers' inboxes too, explained
    for planted, said in ((codes[2], "税负率为0.50%"), (codes[5], "的98.00%"),
                          (codes[6], "合计5,520,000.00元"), (codes[7], "2025年第1季度"),
                          (codes[8], "10701（150,000.00元）")):
        [entry] = notices(api, planted, f"risk:{ours[planted]['warning_id']}")
        assert said in entry["body"], entry

    def precision() -> dict[str, Any]:
        body = warnings(api, officer, month=MONTH, indicator="zero-return-while-invoicing")
        shown: dict[str, Any] = body["indicators"][0]
        return shown

    before = precision()["verdicts"]
    judged = requests.post(f"{api}/v1/analytics/risk-cases/{case['id']}/verdict", timeout=60,
                           headers={**officer, "Idempotency-Key": str(uuid.uuid4())},
                           json={"verdict": "confirmed", "note": "约谈核实，确有少报。"})
    assert judged.status_code == 200, judged.text
    assert (judged.json()["verdict"], judged.json()["verdict_by"]) == (
        "confirmed", "officer:officer-fz-0001")
    again = requests.post(f"{api}/v1/analytics/risk-cases/{case['id']}/verdict", timeout=60,
                          headers={**officer, "Idempotency-Key": str(uuid.uuid4())},
                          json={"verdict": "false_alarm", "note": "改判。"})
    assert (again.status_code, again.json()["field"]) == (409, "verdict")
    after = precision()
    assert after["verdicts"] == {**before, "confirmed": before["confirmed"] + 1}
    assert after["precision"] is not None
    # the burden case was a false alarm: the officer says so, and it leaves the open list
    burden = ours[codes[2]]["id"]
    dismissed = requests.post(f"{api}/v1/analytics/risk-cases/{burden}/verdict", timeout=60,
                              headers={**officer, "Idempotency-Key": str(uuid.uuid4())},
                              json={"verdict": "false_alarm", "note": "季节性让利促销，属实。"})
    assert dismissed.status_code == 200, dismissed.text
    still_open = requests.get(f"{api}/v1/analytics/risk-cases", headers=officer, timeout=60,
                              params={"month": MONTH, "verdict": "open"}).json()["items"]
    assert burden not in [c["id"] for c in still_open]
    alarms = requests.get(f"{api}/v1/analytics/risk-cases", headers=officer, timeout=60,
                          params={"month": MONTH, "verdict": "false_alarm"}).json()["items"]
    assert burden in [c["id"] for c in alarms]
