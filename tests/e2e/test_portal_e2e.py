"""The public portal in headless Chromium (Debian's ``chromium``, driven by Playwright) against the
deployed local stack, on a phone-sized screen: a consumer verifies an invoice from a photo of
its QR code, signs in and scans it into the lottery; a taxpayer reads its inbox and its own
area; anyone checks a credit code and a certificate and works out a tax; every page
passes axe-core's WCAG 2.1 A/AA rules in both languages, works from the keyboard, and loads
nothing from anywhere but the stack.

Each page's screenshot is saved in ``.build/screenshots/`` (the run's artefacts); with
``PORTAL_SCREENSHOTS=docs`` they are written to ``docs/portal/`` too (the README shows those).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import segno
from PIL import Image, ImageFilter
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from etax.rules import resident_id
from tests.e2e.test_filing_e2e import master, provider_confirms  # noqa: F401 (a fixture)
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".build" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "portal"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SELLER = "91350100M000100Y43"  # the demo seller (Fuzhou): its invoices carry region 35
# Chromium as the machine runs it: no sandbox as root, and no calls home (the network is closed)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def fresh_person() -> str:
    """A resident of Fuzhou nobody else in the run uses (the demo campaign allows 2 draws a
    day per person)."""
    n = uuid.uuid4().int
    born = f"199{n % 10}{n // 10 % 12 + 1:02d}{n // 120 % 28 + 1:02d}"
    first17 = f"350102{born}{n // 3360 % 1000:03d}"
    return first17 + resident_id.check_character(first17)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    if os.environ.get("PORTAL_SCREENSHOTS") == "docs":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:  # a 64-colour palette keeps the repository light
            image.convert("RGB").quantize(64).save(DOCS_SCREENSHOTS / f"{name}.png",
                                                  optimize=True)


def qr_photo(payload: str, path: Path) -> Path:
    """The invoice's QR code as a phone would photograph it: on a grey desk, turned a little,
    slightly blurred."""
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=8, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    desk = Image.new("RGB", (code.width + 240, code.height + 320), (176, 170, 160))
    desk.paste(code.rotate(7, expand=True, fillcolor=(176, 170, 160)), (100, 140))
    desk.filter(ImageFilter.GaussianBlur(0.8)).save(path, "JPEG", quality=85)
    return path


def issue_to(api: str, person: str) -> dict[str, Any]:
    body: dict[str, Any] = {"buyer": {"name": "林小雨", "id_number": person},
            "items": [{"name": "茶叶", "quantity": "1", "unit_price": "200.00",
                       "tax_rate": "0.09"}],
            "channel": "mobile"}
    answer = requests.post(f"{api}/v1/invoices", json=body, timeout=60, headers={
        **bearer(token(api, "taxpayer", SELLER)), "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    issued: dict[str, Any] = answer.json()
    return issued


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is installed by make test (.build/chromium.stamp)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser, stack: dict[str, Any]) -> Iterator[Page]:
    """A phone-sized page that records every URL it asks for (``page.asked``)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.asked = asked  # type: ignore[attr-defined]
    yield page
    context.close()
    outside = [url for url in asked if not url.startswith((stack["Endpoint"], "data:", "blob:"))]
    assert outside == [], "the portal loads nothing from outside the stack"


def portal(stack: dict[str, Any], page: str) -> str:
    return str(stack["PortalUrl"]).rsplit("/", 1)[0] + f"/{page}"


def follow(page: Page, link: Locator) -> None:
    """Follows a link and waits for the new page's scripts: a form used before they run would
    be sent by the browser itself, as a plain GET of the page."""
    with page.expect_navigation():
        link.click()


def sign_in(page: Page, stack: dict[str, Any], subject: str, next_page: str) -> None:
    page.goto(portal(stack, f"signin.html?next={next_page}"))
    page.get_by_label("角色").select_option("taxpayer")
    page.get_by_label("身份（统一社会信用代码或居民身份证号码）").fill(subject)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"**/{next_page}.html*")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: "tag",
             values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations
             .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))""")
    return found


def test_a_consumer_verifies_a_photo_of_the_qr_code_then_scans_it_into_the_lottery(
        api: str, stack: dict[str, Any], phone: Page, tmp_path: Path) -> None:
    person = fresh_person()
    invoice = issue_to(api, person)
    photo = qr_photo(invoice["qr"], tmp_path / "qr.jpg")

    # anyone: verify from the photo, decoded in the browser
    phone.goto(portal(stack, "verify.html"))
    phone.get_by_label("发票二维码照片").set_input_files(photo)
    result = phone.locator("#result")
    expect(result).to_contain_text("发票真实有效", timeout=30_000)
    expect(result).to_contain_text(invoice["number"])
    expect(phone.locator("#qr")).to_have_value(invoice["qr"])
    shot(phone, "verify")

    # on to the lottery: sign in as the buyer, the invoice waits through it
    phone.get_by_role("link", name="用这张发票参与有奖发票").click()
    phone.get_by_role("link", name="抽奖需要先登录（购买方本人）。").click()
    sign_in(phone, stack, person, "lottery")
    expect(phone.locator("#scan-qr")).to_have_value(invoice["qr"])
    expect(phone.locator("#campaign-body")).to_contain_text("种子承诺")
    phone.get_by_label("收款账户").fill("wx-portal-0001")
    phone.get_by_role("button", name="抽奖", exact=True).click()
    draw = phone.locator("#draw")
    expect(draw).to_be_visible(timeout=30_000)
    shot(phone, "lottery")

    # the page shows the draw the platform recorded for this invoice
    recorded = requests.get(f"{api}/v1/lottery/draws/{invoice['number']}", timeout=30,
                            headers=bearer(token(api, "taxpayer", person)))
    assert recorded.status_code == 200, recorded.text
    shown = {"won": "恭喜中奖！", "no_prize": "很遗憾，未中奖。",
             "sold_out": "本期该档奖品已抽完。"}[recorded.json()["result"]]
    expect(draw).to_contain_text(shown)
    expect(draw).to_contain_text(recorded.json()["draw_id"])


def test_a_taxpayer_signs_in_and_reads_its_inbox(api: str, stack: dict[str, Any],
                                                 phone: Page) -> None:
    person = fresh_person()
    notification = f"portal:{uuid.uuid4().hex[:8]}"
    admin = bearer(token(api, "admin", "admin-0001"))
    sent = requests.post(f"{api}/v1/notifications", headers=admin, timeout=30, json={
        "id": notification, "recipient": person, "kind": "refund.paid",
        "title": "退税已到账", "body": "您的退税已由国库退付。", "link": "/v1/refunds/demo"})
    assert sent.status_code == 202, sent.text
    own = bearer(token(api, "taxpayer", person))
    wait_for("the notification in the inbox", lambda: True if any(
        i["id"] == notification for i in requests.get(
            f"{api}/v1/me/inbox?limit=20", headers=own, timeout=30).json()["items"]) else None)

    phone.goto(portal(stack, "inbox.html"))
    phone.get_by_role("link", name="查看消息需要先登录。").click()
    sign_in(phone, stack, person, "inbox")
    item = phone.locator("#inbox-items li").first
    expect(item).to_contain_text("退税已到账")
    expect(item).to_contain_text("未读")
    expect(phone.locator("#session-status")).to_contain_text(person[-4:])
    assert person not in phone.locator("#session-status").inner_text()  # shown masked
    shot(phone, "inbox")

    item.get_by_role("button", name="标为已读").click()
    expect(item).to_contain_text("已读")
    read = wait_for("the read mark", lambda: next(
        (i["read_at"] for i in requests.get(f"{api}/v1/me/inbox?limit=20", headers=own,
                                            timeout=30).json()["items"]
         if i["id"] == notification and i["read_at"]), None))
    assert read


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_meets_wcag_2_1_aa(stack: dict[str, Any], phone: Page, language: str) -> None:
    phone.goto(portal(stack, "index.html"))
    phone.evaluate(f"localStorage.setItem('etax.lang', '{language}')")
    for name in ("index", "verify", "lottery", "signin", "inbox", "check", "tools", "me",
                 "office", "knowledge", "consult", "crowd", "ideas", "school", "apps"):
        phone.goto(portal(stack, f"{name}.html"))
        phone.wait_for_load_state("networkidle")
        expect(phone.locator("html")).to_have_attribute("lang",
                                                       "en" if language == "en" else "zh-CN")
        assert axe_violations(phone) == [], name


def test_a_verdict_in_english_and_from_the_keyboard(api: str, stack: dict[str, Any],
                                                    phone: Page) -> None:
    invoice = issue_to(api, fresh_person())
    phone.goto(portal(stack, "verify.html"))
    phone.get_by_role("button", name="Switch to English").click()
    expect(phone.locator("h1")).to_have_text("National VAT invoice verification")
    expect(phone.locator("html")).to_have_attribute("lang", "en")

    # the language stays chosen; on a fresh page the first Tab reaches the skip link, which
    # takes the keyboard to the content
    phone.reload()
    expect(phone.locator("h1")).to_have_text("National VAT invoice verification")
    phone.keyboard.press("Tab")
    expect(phone.locator(".skip")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("#main")).to_be_focused()

    phone.get_by_label("Invoice number").fill(invoice["number"])
    phone.get_by_label("Issue date").fill(invoice["issue_date"])
    phone.get_by_label("Total including tax (yuan)").fill("1.00")  # not the invoice's total
    phone.get_by_label("Total including tax (yuan)").press("Enter")
    result = phone.locator("#result")
    expect(result).to_contain_text("The details do not match", timeout=30_000)
    assert axe_violations(phone) == []
    shot(phone, "verify-mismatch-en")


def test_a_photo_without_a_qr_code_and_a_bad_number_are_said_plainly(
        stack: dict[str, Any], phone: Page, tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), (255, 255, 255)).save(blank)
    phone.goto(portal(stack, "verify.html"))
    phone.get_by_label("发票二维码照片").set_input_files(blank)
    expect(phone.get_by_role("alert")).to_have_text("照片中没有找到二维码，请拍清楚后再试。")

    phone.get_by_label("发票号码").fill("12345")
    phone.get_by_label("开票日期").fill("2026-01-01")
    phone.get_by_label("价税合计（元）").fill("100.00")
    phone.locator("#by-number").get_by_role("button", name="查验").click()
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("number", timeout=30_000)  # the problem names the field
    expect(phone.locator("#result")).to_be_hidden()


def shown_facts(section: Any) -> dict[str, str]:
    """A result's definition list as {label: value}."""
    pairs: list[str] = section.locator("dl.facts > *").all_inner_texts()
    return dict(zip(pairs[::2], pairs[1::2], strict=True))


def shown_rows(table: Any) -> list[list[str]]:
    """A table's body as rows of cell texts."""
    return [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]


def test_anyone_checks_a_credit_code_and_a_certificate(api: str, stack: dict[str, Any],
                                                       phone: Page) -> None:
    public = requests.get(f"{api}/v1/registration/verify/{SELLER}", timeout=30).json()
    issued = requests.post(f"{api}/v1/certificates", timeout=60, json={
        "kind": "tax_residency", "year": 2025, "country": "SG", "purpose": "享受税收协定待遇"},
        headers={**bearer(token(api, "taxpayer", SELLER)), "Idempotency-Key": str(uuid.uuid4())})
    assert issued.status_code == 201, issued.text
    number = issued.json()["number"]
    verdict = requests.get(f"{api}/v1/certificates/{number}/verify", timeout=30).json()

    phone.goto(portal(stack, "index.html"))
    follow(phone, phone.get_by_role("link", name="证照查验").first)
    phone.get_by_label("统一社会信用代码").fill(SELLER.lower())  # typed in lower case
    phone.locator("#by-code").get_by_role("button", name="查验").click()
    code = phone.locator("#code-result")
    expect(code).to_contain_text("代码有效，已办理税务登记", timeout=30_000)
    registration = public["registration"]
    facts = shown_facts(code)
    assert facts["名称"] == registration["name"]
    assert facts["登记状态"] == registration["status_label"]
    assert facts["主管税务机关"] == f"{registration['tax_office']['code']} " \
        f"{registration['tax_office']['name']}"
    assert facts["机构类别"] == f"{public['structure']['entity_type']['code']} " \
        f"{public['structure']['entity_type']['name']}"

    # a wrong check character: the code's parts still shown, the verdict says why
    phone.get_by_label("统一社会信用代码").fill(SELLER[:-1] + "Z")
    phone.locator("#by-code").get_by_role("button", name="查验").click()
    expect(code).to_contain_text("代码校验不通过", timeout=30_000)
    reason = requests.get(f"{api}/v1/registration/verify/{SELLER[:-1]}Z",
                          timeout=30).json()["checksum_reason"]
    assert shown_facts(code)["校验码"] == reason

    form = phone.locator("#by-certificate")
    form.get_by_label("证明编号").fill(number)
    form.get_by_role("button", name="查验").click()
    certificate = phone.locator("#certificate-result")
    expect(certificate).to_contain_text("证明真实有效", timeout=30_000)
    facts = shown_facts(certificate)
    assert facts["证明类型"] == verdict["type_name"]
    assert facts["签发文件摘要（SHA-256）"] == verdict["digest"]
    assert facts["持有人"] == f"{verdict['holder']['name']}（{SELLER}）"
    assert axe_violations(phone) == []  # the answers shown too
    shot(phone, "check")

    # another copy's digest is said to differ; an unknown number is said plainly
    form.get_by_label("证明文件摘要（可选）").fill("0" * 64)
    form.get_by_role("button", name="查验").click()
    expect(certificate).to_contain_text("您持有的副本与签发的不一致", timeout=30_000)
    form.get_by_label("证明文件摘要（可选）").fill("")
    form.get_by_label("证明编号").fill("RC20260101000000000X")
    form.get_by_role("button", name="查验").click()
    expect(certificate).to_contain_text("查无此证明", timeout=30_000)
    form.get_by_label("证明文件摘要（可选）").fill("abc")
    form.get_by_role("button", name="查验").click()
    expect(phone.get_by_role("alert")).to_contain_text("digest", timeout=30_000)


def test_a_taxpayer_checks_the_notice_an_inspector_shows(api: str, stack: dict[str, Any],
                                                         phone: Page) -> None:
    """The check page's third form: a field document issued by two inspectors, then
    withdrawn; an unknown number said plainly (docs/usage/office.md)."""
    fuzhou = "13501000000"
    drafted = requests.post(f"{api}/v1/office/field-documents", timeout=60, json={
        "kind": "inspection_notice", "taxpayer": SELLER, "matters": "发票开具与取得情况",
        "period": {"from": "2025-07", "to": "2025-09"}},
        headers={**bearer(token(api, "officer", "officer-fz-0201", fuzhou)),
                 "Idempotency-Key": str(uuid.uuid4())})
    assert drafted.status_code == 201, drafted.text
    document_id = drafted.json()["id"]
    issued = requests.post(f"{api}/v1/office/field-documents/{document_id}/countersign",
                           headers=bearer(token(api, "officer", "officer-fz-0202", fuzhou)),
                           timeout=60)
    assert issued.status_code == 200, issued.text
    number = issued.json()["number"]

    phone.goto(portal(stack, "check.html"))
    form = phone.locator("#by-field-document")
    form.get_by_label("文书编号").fill(number)
    form.get_by_role("button", name="查验").click()
    result = phone.locator("#field-document-result")
    expect(result).to_contain_text("文书真实有效", timeout=30_000)
    facts = shown_facts(result)
    assert facts["文书名称"] == "税务检查通知书"
    assert facts["检查人员"] == "officer-fz-0201、officer-fz-0202"
    assert facts["纳税人"].endswith(f"（{SELLER}）")
    assert facts["状态"] == "有效"
    assert axe_violations(phone) == []

    withdrawn = requests.post(
        f"{api}/v1/office/field-documents/{document_id}/withdraw", timeout=60,
        json={"reason": "检查安排调整"},
        headers=bearer(token(api, "officer", "officer-fz-0201", fuzhou)))
    assert withdrawn.status_code == 200, withdrawn.text
    form.get_by_role("button", name="查验").click()
    expect(result).to_contain_text("文书已撤回", timeout=30_000)
    assert shown_facts(result)["状态"] == "已撤回"
    form.get_by_label("文书编号").fill(f"{fuzhou}-JC-1999-00001")
    form.get_by_role("button", name="查验").click()
    expect(result).to_contain_text("查无此文书", timeout=30_000)


def test_the_calculators_show_each_answer_step_by_step(api: str, stack: dict[str, Any],
                                                       phone: Page) -> None:
    phone.goto(portal(stack, "tools.html"))
    annual = phone.locator("#annual")
    annual.get_by_label("全年综合所得收入").fill("120000")
    annual.get_by_label("全年专项扣除（三险一金）").fill("12480")
    annual.get_by_label("全年子女教育扣除").fill("18000")
    annual.get_by_label("已预缴税额").fill("1500")
    annual.get_by_role("button", name="计算").click()
    expected = requests.post(f"{api}/v1/tools/iit/annual", timeout=30, json={
        "income": "120000", "social_insurance": "12480",
        "special_additional": {"child_education": "18000"}, "withheld": "1500"}).json()
    result = annual.locator("xpath=following-sibling::section[1]")
    expect(result).to_contain_text("应退税额", timeout=30_000)
    facts = shown_facts(result)
    assert facts["应纳税额"] == expected["tax"]
    assert facts["应退税额"] == expected["to_refund"] == "614.40"
    assert facts["汇算结果"] == "退税"
    steps = shown_rows(result.locator("table", has_text="计算步骤"))
    assert [row[1:] for row in steps] == [[s["formula"], s["value"]] for s in expected["steps"]]
    assert steps[0][0] == "应纳税所得额"

    vat = phone.locator("#vat")
    vat.get_by_label("一般纳税人").first.check()
    general = vat.locator("fieldset.variant:not([hidden])")  # the chosen kind's fields
    general.get_by_label("销售额（不含税）").fill("100000")
    general.get_by_label("税率").select_option("0.13")
    general.get_by_label("本期进项税额").fill("5000")
    vat.get_by_role("button", name="计算").click()
    expected = requests.post(f"{api}/v1/tools/vat", timeout=30, json={
        "taxpayer": "general", "sales": [{"amount": "100000", "rate": "0.13"}],
        "input_tax": "5000"}).json()
    result = vat.locator("xpath=following-sibling::section[1]")
    expect(result).to_contain_text("销项税额", timeout=30_000)
    assert shown_facts(result)["应纳税额"] == expected["tax_due"] == "8000.00"
    steps = shown_rows(result.locator("table", has_text="计算步骤"))
    assert [row[1:] for row in steps] == [[s["formula"], s["value"]] for s in expected["steps"]]
    assert axe_violations(phone) == []  # the answers shown too
    shot(phone, "tools")

    # a bad amount: the problem names the field
    bonus = phone.locator("#bonus")
    bonus.get_by_label("全年一次性奖金").fill("abc")
    bonus.get_by_role("button", name="计算").click()
    expect(phone.get_by_role("alert")).to_contain_text("bonus", timeout=30_000)


def test_the_guide_shows_a_matter_steps_and_this_month_deadline(api: str, stack: dict[str, Any],
                                                                phone: Page) -> None:
    phone.goto(portal(stack, "tools.html"))
    guide = phone.locator("#guide")
    guide.get_by_label("纳税人类型").select_option("natural_person")
    expect(guide.get_by_label("办理事项")).to_contain_text("个人所得税综合所得年度汇算")
    guide.get_by_label("纳税人类型").select_option("small_scale")
    expect(guide.get_by_label("办理事项")).to_contain_text("增值税按季申报")
    guide.get_by_label("办理事项").select_option("vat-monthly-return")
    guide.get_by_role("button", name="查看办理指引").click()
    expected = requests.get(f"{api}/v1/guide", timeout=30, params={
        "taxpayer_type": "small_scale", "matter": "vat-monthly-return"}).json()
    result = phone.locator("#guide-result")
    expect(result.get_by_role("heading", level=3)).to_have_text(
        "增值税按月申报（小规模纳税人）", timeout=30_000)
    deadlines = shown_rows(result.locator("table", has_text="申报期限"))
    assert [[row[0], row[1]] for row in deadlines] == [
        [d["period"], d["due_date"]] for d in expected["deadlines"]]
    assert [h.strip() for h in result.locator("ol.steps h5").all_inner_texts()] == [
        s["title"] for s in expected["steps"]]
    expect(result.get_by_role("link", name="打开 tools.html")).to_have_attribute(
        "href", "tools.html")
    assert axe_violations(phone) == []
    shot(phone, "guide")

    # in English the labels follow; the guide's own text stays Chinese, marked so
    phone.get_by_role("button", name="Switch to English").click()
    expect(result.locator("table", has_text="Deadlines")).to_be_visible()
    expect(result.get_by_role("heading", level=3)).to_have_attribute("lang", "zh-CN")
    assert axe_violations(phone) == []


def test_a_taxpayer_sees_its_own_registration_obligations_refunds_and_supplies(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    person = fresh_person()
    own = bearer(token(api, "taxpayer", person))

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(f"{api}{path}", json=body, timeout=60,
                               headers={**own, "Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code in (200, 201, 202), answer.text
        created: dict[str, Any] = answer.json()
        return created

    # before anything: every section says it is empty
    phone.goto(portal(stack, "me.html"))
    phone.get_by_role("link", name="查看您的办税信息需要先登录。").click()
    sign_in(phone, stack, person, "me")
    for empty in ("尚未办理税务登记。", "暂无申报义务。", "暂无退税申请。", "暂无发票领用申请。",
                  "暂无开具的发票。", "暂无取得的发票。"):
        expect(phone.get_by_text(empty)).to_be_visible(timeout=30_000)

    # registered, the 2025 reconciliation filed, its refund applied for (docs/usage/refunds.md)
    post("/v1/registration/natural-persons", {
        "resident_id": person, "name": "陈小明", "bank_card": "622202020011003345",
        "phone": "13800138000", "tax_office_code": "13501000000"})
    post("/v1/filing/obligations", {"taxpayer": person, "tax_type": "iit_annual",
                                    "period": "2025"})
    post(f"/v1/filing/obligations/{person}:iit_annual:2025/return", {
        "kind": "iit_annual", "data": {"income": "120000", "social_insurance": "12480",
                                       "special_additional": {"child_education": "18000"},
                                       "withheld": "1500"}})
    case = post("/v1/refunds", {"kind": "iit_annual", "year": 2025,
                                "account": {"bank": "中国银行", "number": "6217000000001234"}})

    phone.reload()
    registration = phone.locator("#me-registration")
    expect(registration).to_contain_text("陈小明", timeout=30_000)
    assert shown_facts(registration)["居民身份证号码"] == f"{person[:4]}…{person[-4:]}"
    obligations = requests.get(f"{api}/v1/filing/obligations", headers=own,
                               timeout=30).json()["obligations"]
    shown_obligations = phone.locator("#me-obligations article")
    expect(shown_obligations).to_have_count(len(obligations))
    for o, shown_obligation in zip(obligations, shown_obligations.all(), strict=True):
        expect(shown_obligation.locator("h3")).to_have_text(f"个人所得税年度汇算 · {o['period']}")
        told = shown_facts(shown_obligation)
        assert (told["申报期限"], told["状态"], told["欠缴金额"]) == (
            o["due_date"], {"open": "待申报", "filed": "已申报", "paid": "已缴清"}[o["status"]],
            (o["liability"] or {}).get("outstanding", "—"))
        assert told["申报表"].startswith("已申报")  # the return filed above
        assert told["应纳税额"] == o["liability"]["tax"]
        expect(shown_obligation).to_contain_text("暂无缴款。")
    refunds = phone.locator("#me-refunds")
    expect(refunds).to_contain_text(case["id"])
    expect(refunds).to_contain_text("614.40")

    def stages() -> list[str]:
        return [stage["label"] for stage in requests.get(
            f"{api}/v1/refunds/{case['id']}", headers=own, timeout=30).json()["stages"]]

    # the stages are loaded on the click, as they are then: the pipeline may move on meanwhile
    before = stages()
    refunds.get_by_role("button", name="查看办理进度").click()
    expect(refunds.locator("table tbody tr").nth(len(before) - 1)).to_be_visible()
    shown = [row[0] for row in shown_rows(refunds.locator("table"))]
    after = stages()
    assert len(before) <= len(shown) <= len(after), (before, shown, after)
    assert shown == after[:len(shown)]
    expect(phone.locator(f"#case-{case['id']}")).to_be_focused()
    expect(phone.get_by_text("暂无发票领用申请。")).to_be_visible()
    assert person not in phone.locator("main").inner_text()  # the ID is shown masked
    assert axe_violations(phone) == []  # the answers shown too
    shot(phone, "me")


def test_a_company_sees_its_invoices_and_the_payments_of_its_obligations(
        api: str, stack: dict[str, Any], phone: Page, request: pytest.FixtureRequest) -> None:
    own = bearer(token(api, "taxpayer", SELLER))
    secret: bytes = request.getfixturevalue("master")  # the payment providers' signing key

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(f"{api}{path}", json=body, timeout=60,
                               headers={**own, "Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code in (200, 201), answer.text
        created: dict[str, Any] = answer.json()
        return created

    buyer = fresh_person()
    invoice = post("/v1/invoices", {"buyer": {"name": "林小红", "id_number": buyer},
                                    "items": [{"name": "茶叶", "quantity": "1",
                                               "unit_price": "200.00", "tax_rate": "0.09"}],
                                    "channel": "mobile"})
    # a past month of 2020-2023: the demo seller's obligations of 2024 are the refunds' (their
    # e2e and usage page), which may run on the same stack
    period = f"20{20 + uuid.uuid4().int % 4}-{uuid.uuid4().int % 12 + 1:02d}"
    oid = post("/v1/filing/obligations", {"taxpayer": SELLER, "tax_type": "vat",
                                          "period": period})["obligation_id"]
    post(f"/v1/filing/obligations/{oid}/return", {"kind": "vat_general", "data": {
        "sales": [{"amount": "10000", "rate": "0.13"}], "input_tax": "100"}})
    payment = post(f"/v1/filing/obligations/{oid}/payments",
                   {"method": "bank_transfer", "amount": "100.00"})
    assert provider_confirms(api, secret, payment).status_code == 200

    sign_in(phone, stack, SELLER, "me")
    issued = phone.locator("#me-issued")
    expect(issued).to_contain_text(invoice["number"], timeout=30_000)
    [row] = [r for r in shown_rows(issued.locator("table")) if r[0] == invoice["number"]]
    assert row == [invoice["number"], invoice["issue_date"], "林**", "218.00", "正常"]
    assert buyer not in phone.locator("main").inner_text()
    mine = phone.locator("#me-obligations article", has_text=f"增值税 · {period}")
    expect(mine).to_contain_text("已到账")
    assert shown_facts(mine)["应纳税额"] == "1200.00"  # 10,000 × 13 % − 100
    assert shown_rows(mine.locator("table")) == [["银行转账", "100.00", "已到账",
                                                  shown_rows(mine.locator("table"))[0][3]]]
    mine.get_by_role("button", name="查看完税凭证 · 100.00").click()
    receipt = phone.locator(f"#receipt-{payment['payment_id']}")
    expect(receipt).to_be_focused(timeout=30_000)
    assert axe_violations(phone) == []
    shot(phone, "me-invoices")
    phone.get_by_role("button", name="Switch to English").click()
    expect(phone.locator("#me-issued h2")).to_have_text("Invoices issued")
    in_english = phone.locator("#me-obligations article", has_text=f"VAT · {period}")
    expect(in_english).to_contain_text("confirmed")
    assert axe_violations(phone) == []


def test_the_school_shows_a_course_with_its_courseware_and_searches_the_library(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    """The school page's courses and digital library (docs/usage/school.md): an officer's
    course with its lessons and a published file, found in the list and opened; a library
    document found by its word, the word marked in the summary's snippet."""
    # the courses' own helpers, imported here: their module imports this one (fresh_person)
    from tests.e2e.test_school_courses_e2e import (
        KEEPER,
        course,
        published_courseware,
        shelved,
        slides,
    )

    keeper = bearer(token(api, *KEEPER))
    unique = uuid.uuid4().hex[:6]
    title = f"小规模纳税人增值税申报 {unique}"
    course_id = course(api, keeper, title)  # two lessons: 20 and 35 minutes
    data = slides(f"portal courseware {unique}")
    published_courseware(api, keeper, course_id, data)  # lesson 2's, lesson-2.pdf
    word = f"留抵退税{unique}"
    document = f"{word}办理指南"
    document_id = shelved(api, keeper, document,
                          f"增量留抵退税的条件、申请和到账：{word}的完整步骤。", slides(word))
    wait_for("the document in the library's search", lambda: [
        r for r in requests.get(f"{api}/v1/school/library", timeout=60,
                                params={"q": word}).json()["results"]
        if r["document"]["id"] == document_id] or None)

    phone.goto(portal(stack, "school.html"))
    entry = phone.locator("#courses-items li", has_text=title)
    expect(entry).to_contain_text("2 讲，共 55 分钟", timeout=30_000)
    entry.get_by_role("button", name=title).click()
    shown = phone.locator("#course")
    expect(shown.get_by_role("heading", level=2)).to_have_text(title, timeout=30_000)
    expect(shown.get_by_role("heading", level=2)).to_be_focused()
    expect(shown.locator("ol.lessons > li")).to_contain_text(["申报前的准备 · 20 分钟",
                                                              "填写申报表 · 35 分钟"])
    files = shown.locator("table", has_text="lesson-2.pdf")
    expect(files).to_be_visible()
    checksum = hashlib.sha256(data).hexdigest()
    [row] = shown_rows(files)
    assert row[:3] == ["第二讲课件", "第 2 讲", "lesson-2.pdf"]
    assert row[4] == f"{checksum[:12]}…"  # shortened: the whole checksum in its title
    expect(files.locator("td.digest")).to_have_attribute("title", checksum)
    # not signed in: the file and the questions ask for a sign-in
    expect(files.get_by_role("link", name="登录后下载")).to_have_attribute(
        "href", "signin.html?next=school")
    expect(shown).to_contain_text("登录后可以查看、提出和回答问题")

    library = phone.locator("#library-search")
    library.get_by_label("关键词").fill(word)
    library.get_by_role("button", name="搜索").click()
    hit = phone.locator("#library-items li", has_text=document)
    expect(hit.locator("mark", has_text=word)).to_have_count(1, timeout=30_000)
    expect(hit).to_contain_text("办税指南")
    expect(hit).to_contain_text("增值税")
    expect(phone.locator("#library-total")).to_be_focused()
    assert axe_violations(phone) == []
    shot(phone, "school-courses")
