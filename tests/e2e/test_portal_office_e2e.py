"""The officer's review desk of the portal (office.html) in headless Chromium on a phone-sized
screen against the deployed local stack: a taxpayer's refund case, invoice supply and online
acceptance application wait for review; an officer of their tax office signs in, finds the
desk in the navigation, sees each with what there is to decide, rejects the refund with a
reason and approves the others; the decisions land (the taxpayer's records say so); an officer
of another office sees empty queues; the page passes axe-core's WCAG 2.1 A/AA rules in both
languages. The watch-list's open cases of the last two months are judged there too: a finding
is required, the verdict lands on the case; and the internal approvals waiting for the officer
are agreed or sent back."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from etax.analytics.archive import CHINA
from etax.analytics.cases import case_of
from etax.analytics.repository import RiskCases
from etax.analytics.risk import Warning
from etax.rules import uscc
from tests.e2e.test_acceptance_e2e import PDF, add_document, confirm, post_form
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_portal_e2e import axe_violations, browser, phone, portal, shot
from tests.e2e.test_refunds_e2e import apply, master, overpaid, post, wait_state

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["browser", "master", "phone"]  # fixtures used here

SELLER = "91350100M000100Y43"  # demo company of the Fuzhou tax office
FUZHOU, XIAMEN = "13501000000", "13502000000"


def sign_in_officer(page: Page, stack: dict[str, Any], subject: str, office: str) -> None:
    page.goto(portal(stack, "signin.html?next=office"))
    page.get_by_label("角色").select_option("officer")
    page.get_by_label("身份（统一社会信用代码或居民身份证号码）").fill(subject)
    page.get_by_label("税务机关代码（11位，仅税务人员）").fill(office)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/office.html*")


def supply_in_review(api: str, seller: dict[str, str]) -> dict[str, Any]:
    """Paper invoices above the automatic limit (50): the checks send it to an officer."""
    answer = post(api, "/v1/invoice-supplies", seller, {
        "kind": "paper", "invoice_type": "04", "quantity": 60,
        "delivery": {"recipient": "林晓明", "phone": "13800000000",
                     "address": "福建省福州市鼓楼区五四路示例大厦18层"}})
    assert answer.status_code == 201, answer.text
    supply_id = answer.json()["id"]

    def probe() -> dict[str, Any] | None:
        shown: dict[str, Any] = requests.get(f"{api}/v1/invoice-supplies/{supply_id}",
                                             headers=seller, timeout=30).json()
        return shown if shown["state"] == "review" else None

    return wait_for(f"supply {supply_id} in review", probe, timeout=120)


def submitted_application(api: str, seller: dict[str, str], auth: str) -> dict[str, Any]:
    """A hardship relief application with its two documents in S3, submitted."""
    created = post(api, "/v1/applications", seller, {"item": "property_tax_hardship_relief"})
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    for kind in ("hardship_statement", "property_certificate"):
        asked = add_document(api, auth, application_id, kind)
        assert post_form(asked["upload"], PDF, f"{kind}.pdf").status_code in (200, 201, 204)
        assert confirm(api, auth, application_id, asked["document"]["id"]).status_code == 200
    submitted = requests.post(f"{api}/v1/applications/{application_id}/submit",
                              headers=seller, timeout=60)
    assert submitted.status_code == 200, submitted.text
    shown: dict[str, Any] = submitted.json()
    return shown


def test_an_officer_decides_its_offices_queues_in_the_portal(
        api: str, stack: dict[str, Any], phone: Page, master: bytes) -> None:
    seller_token = token(api, "taxpayer", SELLER)
    seller = bearer(seller_token)
    # a refund above the review threshold (test_refunds_e2e: VAT paid twice)
    ledger = overpaid(api, master, seller, SELLER, "2024-08", "vat_general",
                      {"sales": [{"amount": "1000000", "rate": "0.13"}], "input_tax": "5000"})
    case = apply(api, seller, {"kind": "general", "obligation_id": ledger["obligation_id"],
                               "account": {"bank": "兴业银行", "number": "117010100100012345"}})
    wait_state(api, seller, case["id"], "review")
    supply = supply_in_review(api, seller)
    application = submitted_application(api, seller, seller_token)

    # signed out, the page asks for a sign-in; an officer finds the desk in the navigation
    phone.goto(portal(stack, "office.html"))
    expect(phone.get_by_role("link", name="查看审核队列需要先以税务人员身份登录。")).to_be_visible()
    expect(phone.get_by_role("link", name="审核工作台")).to_be_hidden()
    sign_in_officer(phone, stack, "officer-fz-0001", FUZHOU)
    phone.goto(portal(stack, "index.html"))
    phone.get_by_role("link", name="审核工作台").click()
    phone.wait_for_url("**/office.html")
    expect(phone.get_by_text(f"主管税务机关：{FUZHOU}")).to_be_visible()

    refunds = phone.locator("#office-refunds")
    refund = refunds.locator("article", has_text=case["id"])
    expect(refund).to_contain_text(case["amount"], timeout=30_000)
    expect(refund).to_contain_text("退税金额超过人工审核标准")
    expect(refund).to_contain_text(f"{SELLER[:4]}…{SELLER[-4:]}")  # the applicant, masked
    supplies = phone.locator("#office-supplies")
    queued_supply = supplies.locator("article", has_text=supply["id"])
    expect(queued_supply).to_contain_text("增值税普通发票")
    expect(queued_supply).to_contain_text("× 60")
    expect(queued_supply).to_contain_text(supply["review_reasons"][0])
    # the checks, named with their outcome (the seller's earlier batches are other tests')
    expect(queued_supply).to_contain_text(re.compile("上一批纸质发票全部开具或缴销：(未)?通过"))
    applications = phone.locator("#office-applications")
    queued_application = applications.locator("article", has_text=application["id"])
    expect(queued_application).to_contain_text("hardship_statement.pdf")
    expect(queued_application).to_contain_text(application["item_name"])
    assert SELLER not in phone.locator("main").inner_text()
    assert axe_violations(phone) == []
    shot(phone, "office")

    # rejecting needs a reason: said in the alert, the reason's box focused
    refund.get_by_role("button", name="驳回").click()
    expect(phone.get_by_role("alert")).to_have_text("驳回需要填写理由（至少2个字）。")
    reason = refund.get_by_label("驳回理由（驳回时必填）")
    expect(reason).to_be_focused()
    reason.fill("多缴税款已抵缴欠税，不予退还")
    refund.get_by_role("button", name="驳回").click()
    expect(phone.get_by_role("status")).to_contain_text(f"已驳回：多缴税款退税 · {case['amount']}")
    expect(refunds.locator("article", has_text=case["id"])).to_have_count(0)
    expect(phone.get_by_role("alert")).to_be_hidden()

    queued_supply.get_by_role("button", name="批准").click()
    expect(phone.get_by_role("status")).to_contain_text("已批准：纸质发票 · ")
    expect(phone.get_by_role("status")).to_contain_text(f"（{supply['id']}）")
    expect(supplies.locator("article", has_text=supply["id"])).to_have_count(0)
    queued_application.get_by_role("button", name="批准").click()
    expect(applications.locator("article", has_text=application["id"])).to_have_count(0)
    shot(phone, "office-decided")

    # the decisions landed: the taxpayer's own records say so
    shown = wait_for("the refund rejected", lambda: (
        lambda c: c if c["state"] in ("rejected", "notified") else None)(
        requests.get(f"{api}/v1/refunds/{case['id']}", headers=seller, timeout=30).json()),
        timeout=120)
    rejected = next(s for s in shown["stages"] if s["state"] == "rejected")
    assert rejected["note"] == "多缴税款已抵缴欠税，不予退还"
    assert rejected["by"] == "officer:officer-fz-0001"
    decided = requests.get(f"{api}/v1/invoice-supplies/{supply['id']}", headers=seller,
                           timeout=30).json()
    assert decided["state"] != "review"
    assert ("approved", "officer-fz-0001") in [(e["stage"], e["by"]) for e in decided["trail"]]
    assert requests.get(f"{api}/v1/applications/{application['id']}", headers=seller,
                        timeout=30).json()["state"] == "approved"

    # in English, with the page's state announced and checked again
    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("The tax officer's review desk")
    assert axe_violations(phone) == []


def test_an_officer_of_another_office_sees_empty_queues(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    seller = bearer(token(api, "taxpayer", SELLER))
    supply = supply_in_review(api, seller)
    sign_in_officer(phone, stack, "officer-xm-0001", XIAMEN)
    for empty in ("暂无待审核的受理申请。", "暂无待审核的退税。", "暂无待审核的发票领用申请。"):
        expect(phone.get_by_text(empty)).to_be_visible(timeout=30_000)
    assert supply["id"] not in phone.locator("main").inner_text()
    assert axe_violations(phone) == []
    phone.evaluate("localStorage.setItem('etax.lang', 'en')")
    phone.reload()
    expect(phone.get_by_text("No invoice supply applications waiting for review.")).to_be_visible(
        timeout=30_000)
    assert axe_violations(phone) == []
    shot(phone, "office-other-office")
    # and cannot decide the Fuzhou application either
    xiamen = bearer(token(api, "officer", "officer-xm-0001", XIAMEN))
    refused = post(api, f"/v1/invoice-supplies/{supply['id']}/decision", xiamen,
                   {"decision": "approve"})
    assert refused.status_code == 403, refused.text


def last_month() -> str:
    today = datetime.now(CHINA).date().replace(day=1) - timedelta(days=1)
    return f"{today:%Y-%m}"


def test_an_officer_judges_a_risk_case_of_its_office_in_the_portal(
        api: str, aws: Any, stack: dict[str, Any], phone: Page) -> None:
    """A case of the watch-list of last month (opened as a month's run opens it; the run is
    test_risk_e2e's): shown with its indicator, the taxpayer masked and the figures in yuan;
    a verdict without a finding is refused on the page; confirmed, it leaves the list and the
    case says so."""
    month = last_month()
    taxpayer = uscc.complete(f"91350100MA{random.randrange(10**7):07d}")
    found = Warning("invoicing-spike", taxpayer, month, "零售业", FUZHOU,
                    {"invoiced_fen": 40_000_000, "invoices": 2, "mean_before_fen": 4_000_000,
                     "growth": "10.0000", "months_before": {}}, {})
    case = case_of(found, datetime.now(UTC).isoformat(timespec="seconds"))
    assert RiskCases(stack["AnalyticsTableName"], aws("dynamodb")).open(case)

    sign_in_officer(phone, stack, "officer-fz-0001", FUZHOU)
    risks = phone.locator("#office-risks")
    queued = risks.locator("article", has_text=case["id"])
    expect(queued).to_contain_text(f"开票金额异常增长 · {month}", timeout=30_000)
    expect(queued).to_contain_text("开票金额（元）：400,000.00")
    expect(queued).to_contain_text("增长倍数：10.0000")
    expect(queued).to_contain_text(f"{taxpayer[:4]}…{taxpayer[-4:]}")
    assert taxpayer not in phone.locator("main").inner_text()
    assert axe_violations(phone) == []

    queued.get_by_role("button", name="确认风险").click()
    expect(phone.get_by_role("alert")).to_have_text("请填写研判意见（至少2个字）。")
    note = queued.get_by_label("研判意见（必填）")
    expect(note).to_be_focused()
    note.fill("约谈核实，开票无真实业务支撑")
    queued.get_by_role("button", name="确认风险").click()
    expect(phone.get_by_role("status")).to_contain_text(f"已确认风险：开票金额异常增长 · {month}")
    expect(risks.locator("article", has_text=case["id"])).to_have_count(0)
    shot(phone, "office-risk-judged")

    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    judged = requests.get(f"{api}/v1/analytics/risk-cases/{case['id']}", headers=officer,
                          timeout=30).json()
    assert (judged["verdict"], judged["verdict_note"]) == (
        "confirmed", "约谈核实，开票无真实业务支撑")


def test_an_officer_sees_its_offices_revenue_against_the_plan(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    """An office of the test's own with this year's plan (set by an administrator over the
    API): the desk says where the year stands against the plan and the time progress, shows
    the server's chart (an image with its words) and the same figures as a table; axe clean
    in both languages."""
    office = f"1358{random.randrange(10 ** 7):07d}"
    year = datetime.now(CHINA).year
    admin = bearer(token(api, "admin", "admin-0001"))
    planned = requests.put(f"{api}/v1/analytics/revenue-plans/{year}/{office}", timeout=60,
                           headers={**admin, "Idempotency-Key": f"portal-plan-{office}"},
                           json={"taxes": {"vat": "12000.00", "vehicle_vessel": "300.00"}})
    assert planned.status_code == 200, planned.text

    sign_in_officer(phone, stack, "officer-desk-0001", office)
    section = phone.locator("#office-revenue")
    expect(section.locator(".summary")).to_contain_text("年度计划 12,300.00", timeout=30_000)
    expect(section.locator(".summary")).to_contain_text("序时进度")
    chart = section.get_by_role("img")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("alt", re.compile("序时进度"))
    assert phone.evaluate("document.querySelector('#office-revenue img').naturalWidth") > 0
    table = section.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("增值税"))).to_contain_text("12,000.00")
    expect(table.get_by_role("row", name=re.compile("车船税"))).to_contain_text("0.00%")
    assert axe_violations(phone) == []
    shot(phone, "office-revenue")
    phone.evaluate("localStorage.setItem('etax.lang', 'en')")
    phone.reload()
    expect(section.locator(".summary")).to_contain_text("plan 12,300.00", timeout=30_000)
    expect(section.get_by_role("table").get_by_role("row", name=re.compile("VAT"))).to_be_visible()
    assert axe_violations(phone) == []


def test_an_officer_agrees_or_sends_back_an_approval_in_the_portal(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    """Two internal approvals wait for the signed-in officer (the first reviewer of each):
    shown with the submitter, the text, its turn and the trail; sending one back without a
    comment is refused on the page; agreed, the other moves on to the next reviewer."""
    reviewer = f"officer-fz-{random.randrange(5000, 10**4)}"
    clerk = bearer(token(api, "officer", "officer-fz-0301", FUZHOU))
    made = []
    for title in ("关于补充检查人员的请示", "关于调整约谈时间的请示"):
        answer = requests.post(f"{api}/v1/office/approvals", timeout=60, json={
            "category": "document", "title": title, "body": "拟于下周开展，请审批。",
            "reviewers": [reviewer, "officer-fz-0302"]},
            headers={**clerk, "Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code == 201, answer.text
        made.append(answer.json()["id"])

    sign_in_officer(phone, stack, reviewer, FUZHOU)
    approvals = phone.locator("#office-approvals")
    first = approvals.locator("article", has_text=made[0])
    expect(first).to_contain_text("文书审批 · 关于补充检查人员的请示", timeout=30_000)
    expect(first).to_contain_text("officer-fz-0301")
    expect(first).to_contain_text("第 1/2 位")
    expect(first).to_contain_text("提交")
    assert axe_violations(phone) == []

    first.get_by_role("button", name="退回修改").click()
    expect(phone.get_by_role("alert")).to_have_text("退回修改需要填写意见（至少2个字）。")
    comment = first.get_by_label("审批意见（退回时必填）")
    expect(comment).to_be_focused()
    comment.fill("请写明检查人员姓名")
    first.get_by_role("button", name="退回修改").click()
    expect(phone.get_by_role("status")).to_contain_text(
        "已退回修改：文书审批 · 关于补充检查人员的请示")
    expect(approvals.locator("article", has_text=made[0])).to_have_count(0)
    approvals.locator("article", has_text=made[1]).get_by_role("button", name="同意").click()
    expect(phone.get_by_role("status")).to_contain_text(
        "已同意：文书审批 · 关于调整约谈时间的请示")
    expect(approvals.get_by_text("暂无待你审批的事项。")).to_be_visible()
    shot(phone, "office-approvals")

    returned, agreed = (requests.get(f"{api}/v1/office/approvals/{i}", headers=clerk,
                                     timeout=30).json() for i in made)
    assert (returned["state"], returned["trail"][-1]["text"]) == ("returned", "请写明检查人员姓名")
    assert (agreed["state"], agreed["waiting_for"]) == ("pending", "officer-fz-0302")
