"""The portal's knowledge boards (knowledge.html, consult.html) in headless Chromium on a
phone-sized screen against the deployed local stack: a search over the regulations and the
12366 answers shows the query's words marked (and never runs what it is given as HTML); a work
is read as of another day; an answer shows its provisions, or says plainly that it is under
review once an amendment of one of them is published; the consultation answers the
reconciliation window with its citation, refuses the weather, takes feedback once, asks a
related question on a click, hands a signed-in taxpayer's question about its own refund to
its office; crowd help is browsed with people shown by pseudonym; all of it in English too and
from the keyboard, passing axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from etax.consult.rules import REFUSAL
from etax.knowledge.articles import base
from etax.regulations.model import KINDS
from etax.rules import uscc
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_portal_e2e import (
    SELLER,
    axe_violations,
    browser,
    follow,
    fresh_person,
    phone,
    portal,
    shot,
    shown_facts,
    sign_in,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["browser", "phone"]  # fixtures used here

WINDOW = "个税年度汇算什么时候截止？"
WEATHER = "明天福州天气怎么样"
FUZHOU = "13501000000"
TO_SIGN_IN = "登录后，涉及您本人记录的问题可转给主管税务机关的工作人员。"
REVIEWED_WORK = "major-violation-disclosure-54"  # amended here, by no other e2e test


def search_api(api: str, route: str, **params: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{api}/v1/{route}/search", params={"k": "10", **params}, timeout=60)
    assert answer.status_code == 200, answer.text
    hits: list[dict[str, Any]] = answer.json()["hits"]
    return hits


def search(page: Page, words: str) -> None:
    page.get_by_label("关键词").fill(words)
    page.locator("#search").get_by_role("button", name="搜索").click()


def test_a_search_marks_the_words_found_and_filters_by_kind(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    phone.goto(portal(stack, "index.html"))
    follow(phone, phone.get_by_role("link", name="法规与知识库").first)
    search(phone, "个税 汇算")
    results = phone.locator("#results")
    provisions = search_api(api, "regulations", q="个税 汇算")
    articles = search_api(api, "kb", q="个税 汇算")
    assert provisions
    assert articles
    expect(results).to_contain_text(f"法规条款（{len(provisions)}条）", timeout=30_000)
    expect(results).to_contain_text(f"12366问答（{len(articles)}条）")
    expect(phone.locator("#results-heading")).to_be_focused()
    expect(phone.locator("#results-heading")).to_have_text("“个税 汇算”的搜索结果")
    hits = results.locator("ol.hits").first.locator("> li")
    expect(hits).to_have_count(len(provisions))
    assert hits.locator("h4").all_inner_texts() == [h["title"] for h in provisions]
    # the index's <em> marks become <mark> elements; the snippets read as the index wrote them
    first = hits.first
    expected = [re.sub(r"</?em>", "", s) for s in provisions[0]["highlights"]]
    assert first.locator("p.snippet").all_inner_texts() == expected
    marked = [m for s in provisions[0]["highlights"] for m in re.findall(r"<em>(.*?)</em>", s)]
    assert marked
    assert first.locator("mark").all_inner_texts() == marked
    assert results.locator("em").count() == 0
    assert first.locator("p.hint").inner_text() == " · ".join((
        provisions[0]["document_number"], "、".join(provisions[0]["issuers"]),
        KINDS[provisions[0]["type"]], provisions[0]["status"]))
    assert axe_violations(phone) == []  # the results shown too
    shot(phone, "knowledge")

    # a filter: laws only
    phone.get_by_label("法规类型").select_option("law")
    phone.locator("#search").get_by_role("button", name="搜索").click()
    laws = search_api(api, "regulations", q="个税 汇算", type="law")
    expect(results).to_contain_text(f"法规条款（{len(laws)}条）", timeout=30_000)
    for item in results.locator("ol.hits").first.locator("> li").all():
        assert " · 法律 · " in item.locator("p.hint").inner_text()

    # what is typed is text, never markup: not parsed, not run
    phone.get_by_label("法规类型").select_option("")
    search(phone, '<img src="x" onerror="window.injected=1">个税')
    expect(phone.locator("#results-heading")).to_contain_text('<img src="x"', timeout=30_000)
    expect(results.locator("mark").first).to_be_visible()
    assert phone.locator("main img").count() == 0
    assert phone.evaluate("window.injected") is None

    # no words: the problem names the field
    search(phone, "   ")
    expect(phone.get_by_role("alert")).to_contain_text("（字段：q）", timeout=30_000)

    # a search in the page's address (a link, or the form sent before the script ran) is run
    phone.goto(portal(stack, "knowledge.html?q=%E4%B8%AA%E7%A8%8E+%E6%B1%87%E7%AE%97&type=law"))
    expect(phone.get_by_label("关键词")).to_have_value("个税 汇算")
    expect(phone.get_by_label("法规类型")).to_have_value("law")
    expect(results).to_contain_text(f"法规条款（{len(laws)}条）", timeout=30_000)


def test_a_work_is_read_as_of_another_day(api: str, stack: dict[str, Any],
                                          phone: Page) -> None:
    phone.goto(portal(stack, "knowledge.html"))
    search(phone, "个税 汇算")
    phone.locator("#results").get_by_role("button",
                                          name="中华人民共和国个人所得税法 第11条").click()
    work = phone.locator("#work")
    heading = phone.locator("#work-heading")
    expect(heading).to_have_text("中华人民共和国个人所得税法", timeout=30_000)
    expect(heading).to_be_focused()
    today = requests.get(f"{api}/v1/regulations/works/iit-law", timeout=60).json()
    told = shown_facts(phone.locator("#work-facts"))
    assert told["文号"] == today["document_number"] == "中华人民共和国主席令第九号"
    assert told["发布机关"] == "全国人民代表大会常务委员会"
    assert told["效力状态"] == f"{today['status']}（{today['as_of']}）"
    # the version in force (other suites may have published an amendment since the seed's 2)
    version = today["version"]
    assert told["版本"] == f"第{version['number']}版，{version['valid_from']}起施行"
    expect(work).to_contain_text("减除费用六万元")
    expect(phone.locator("#as-of")).to_have_value(today["as_of"])

    phone.get_by_label("查看哪一天有效的文本").fill("2018-12-31")
    work.get_by_role("button", name="查看", exact=True).click()
    expect(work).to_contain_text("减除费用三千五百元", timeout=30_000)
    expect(work).not_to_contain_text("减除费用六万元")
    then = requests.get(f"{api}/v1/regulations/works/iit-law", params={"as_of": "2018-12-31"},
                        timeout=60).json()
    shown = work.locator("ol.provisions > li")
    assert shown.locator("h4").all_inner_texts() == [p["label"] for p in then["provisions"]]
    assert [item.locator("p").first.inner_text() for item in shown.all()] == \
        [p["text"] for p in then["provisions"]]
    told = shown_facts(phone.locator("#work-facts"))
    assert told["效力状态"] == f"{then['status']}（2018-12-31）"
    assert told["版本"] == "第1版，2011-09-01起施行，2019-01-01起被修改"
    expect(work.locator("h3")).to_have_text("条文（2018-12-31有效）")

    # before the work was in force: said plainly
    phone.get_by_label("查看哪一天有效的文本").fill("2000-01-01")
    work.get_by_role("button", name="查看", exact=True).click()
    expect(work.locator("#work-body")).to_contain_text("这一天尚无有效文本。", timeout=30_000)
    assert axe_violations(phone) == []


def test_an_answer_shows_its_citations_then_says_when_it_is_under_review(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    phone.goto(portal(stack, "knowledge.html"))
    search(phone, "个税年度汇算什么时候截止")
    phone.locator("#results").get_by_role(
        "button", name="个人所得税综合所得年度汇算在什么时间办理？").click()
    article = phone.locator("#article")
    shown = requests.get(f"{api}/v1/kb/articles/iit-reconciliation-window", timeout=60).json()
    expect(phone.locator("#article-heading")).to_have_text(shown["question"], timeout=30_000)
    expect(phone.locator("#article-heading")).to_be_focused()
    expect(article).to_contain_text(shown["answer"])
    cited = shown["citations"][0]
    expect(article.locator("ol.citations > li").first).to_contain_text(
        f"《{cited['work_title']}》{cited['label']}")
    expect(article).to_contain_text(f"{cited['document_number']} · 截至{cited['as_of']}")
    expect(article).to_contain_text(cited["text"])
    expect(phone).to_have_url(re.compile(r"#article=iit-reconciliation-window$"))

    # officers publish an amendment of a provision an answer rests on: the answer is flagged
    chosen = next(a for a in base() if any(c.work_id == REVIEWED_WORK for c in a.citations))
    key = next(c.provision for c in chosen.citations if c.work_id == REVIEWED_WORK)
    drafter = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    reviewer = bearer(token(api, "officer", "officer-fz-0002", FUZHOU))

    def post(path: str, who: dict[str, str], body: Any = None) -> dict[str, Any]:
        answer = requests.post(f"{api}{path}", json=body if body is not None else {},
                               headers={**who, "Idempotency-Key": str(uuid.uuid4())},
                               timeout=60)
        assert answer.status_code in (200, 201), answer.text
        given: dict[str, Any] = answer.json()
        return given

    reading = requests.get(f"{api}/v1/regulations/works/{REVIEWED_WORK}", timeout=60).json()
    valid_from = max(date.fromisoformat(reading["history"][-1]["valid_from"]),
                     datetime.now(UTC).date()) + timedelta(days=1)
    old = next(p for p in reading["provisions"] if p["label"] == f"第{key}条")
    drafts = f"/v1/regulations/works/{REVIEWED_WORK}/drafts"
    draft = post(drafts, drafter, {
        "act": {"title": "关于修改的公告（门户端到端示例）", "issued": reading["as_of"],
                "document_number": f"门户示例第{uuid.uuid4().hex[:6]}号"},
        "changes": [{"action": "amend", "article": int(key), "summary": True,
                     "text": f"{old['text']}（门户端到端测试修改）"}]})["id"]
    post(f"{drafts}/{draft}/submit", drafter)
    post(f"{drafts}/{draft}/approve", reviewer)
    post(f"{drafts}/{draft}/publish", reviewer, {"valid_from": valid_from.isoformat()})
    flagged = wait_for(f"{chosen.id} under review", lambda: (
        shown if not (shown := requests.get(f"{api}/v1/kb/articles/{chosen.id}",
                                            timeout=60).json())["current"] else None))

    phone.goto(portal(stack, f"knowledge.html#article={chosen.id}"))
    expect(phone.locator("#article-heading")).to_have_text(chosen.question, timeout=30_000)
    expect(article).to_contain_text("本条答复目前不作为现行答复。")
    expect(article).to_contain_text(flagged["review"]["notice"])
    expect(article).not_to_contain_text(chosen.answer)
    assert axe_violations(phone) == []
    shot(phone, "knowledge-review")


def ask(page: Page, question: str) -> dict[str, Any]:
    """Ask on the page; the API's answer as the page received it."""
    page.get_by_label("您的问题").fill(question)
    with page.expect_response(re.compile(r"/consult/ask$")) as response:
        page.locator("#ask").get_by_role("button", name="提问").click()
    given: dict[str, Any] = response.value.json()
    return given


def test_the_consultation_answers_refuses_takes_feedback_and_asks_related_questions(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    phone.goto(portal(stack, "index.html"))
    follow(phone, phone.get_by_role("link", name="12366智能咨询").first)
    expect(phone.get_by_role("link", name=TO_SIGN_IN)).to_be_visible()
    given = ask(phone, WINDOW)
    assert given["outcome"] == "answered", given
    turn = phone.locator("#turns article.turn").first
    expect(turn.locator(".reply")).to_have_text(given["text"], timeout=30_000)
    expect(turn.locator(".reply")).to_be_focused()
    expect(turn.locator(".reply")).to_contain_text("3月1日至6月30日")
    expect(turn.locator("h3")).to_have_text(f"您的问题：{WINDOW}")
    expect(turn).to_contain_text(f"已答复 · 匹配度 {round(given['confidence'] * 100)}%")
    cited = given["citations"][0]
    link = turn.get_by_role("link", name=f"《{cited['title']}》{cited['label']}")
    expect(link).to_have_attribute("href", f"knowledge.html#work={cited['work_id']}")
    expect(turn.locator("ul.citations li").first).to_contain_text(
        f"{cited['document_number']} · {cited['as_of']}有效")
    assert cited["document_number"] == "中华人民共和国主席令第九号"
    expect(turn.locator(".related button")).to_have_text([r["question"]
                                                          for r in given["related"]])
    assert phone.locator("#question").input_value() == ""

    # feedback: once, recorded by the platform (a second one is refused)
    turn.get_by_role("button", name="有帮助").click()
    expect(turn.get_by_role("status")).to_have_text("感谢您的反馈。", timeout=30_000)
    expect(turn.get_by_role("button", name="有帮助")).to_have_attribute("aria-pressed", "true")
    expect(turn.get_by_role("button", name="没帮助")).to_be_disabled()
    again = requests.post(f"{api}/v1/consult/answers/{given['answer_id']}/feedback",
                          json={"helpful": False}, timeout=60)
    assert again.status_code == 409, again.text

    # out of the domain: refused, nothing to rate
    refused = ask(phone, WEATHER)
    assert refused["outcome"] == "refused"
    second = phone.locator("#turns article.turn").nth(1)
    expect(second.locator(".reply")).to_have_text(REFUSAL, timeout=30_000)
    expect(second).to_contain_text("超出咨询范围")
    assert second.get_by_role("button").count() == 0
    assert refused["session_id"] == given["session_id"]  # one conversation

    # a related question is asked on a click
    related = given["related"][0]["question"]
    with phone.expect_response(re.compile(r"/consult/ask$")) as response:
        turn.get_by_role("button", name=related).click()
    third = phone.locator("#turns article.turn").nth(2)
    expect(third.locator("h3")).to_have_text(f"您的问题：{related}", timeout=30_000)
    expect(third.locator(".reply")).to_have_text(response.value.json()["text"])
    assert axe_violations(phone) == []  # the answers shown too
    shot(phone, "consult")

    # this week's hot questions, as the platform counts them; one asks it again
    hot = requests.get(f"{api}/v1/consult/hot", timeout=60).json()["questions"]
    assert any(q["article_id"] == given["article_id"] for q in hot)
    phone.reload()
    items = phone.locator("#hot-items li")
    expect(items).to_have_count(len(hot), timeout=30_000)
    assert items.locator("button").all_inner_texts() == [q["question"] for q in hot]
    expect(items.first).to_contain_text(f"{hot[0]['asked']}人次")
    items.first.get_by_role("button").click()
    expect(phone.locator("#turns article.turn").first.locator("h3")).to_have_text(
        f"您的问题：{hot[0]['question']}", timeout=30_000)


def test_a_signed_in_taxpayers_own_records_go_to_its_office(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    phone.goto(portal(stack, "consult.html"))
    anonymous = ask(phone, "我的退税到哪一步了")
    assert (anonymous["outcome"], anonymous["reason"]) == ("no_answer", "sign_in")
    expect(phone.locator("#turns .reply").first).to_have_text(anonymous["text"], timeout=30_000)
    expect(phone.locator("#turns").first).to_contain_text("暂无可靠答案")

    phone.get_by_role("link", name=TO_SIGN_IN).click()
    sign_in(phone, stack, SELLER, "consult")
    expect(phone.locator("#consult-signed-in")).to_be_visible()
    handed = ask(phone, "我的退税到哪一步了")
    assert handed["outcome"] == "handed_off", handed
    turn = phone.locator("#turns article.turn").first
    expect(turn.locator(".reply")).to_contain_text("已转给主管税务机关的工作人员", timeout=30_000)
    expect(turn).to_contain_text("已转人工")
    expect(turn).to_contain_text(f"转人工编号：{handed['handoff_id']}")
    # the hand-off waits in the queue of the company's office
    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    queued = requests.get(f"{api}/v1/consult/handoffs/{handed['handoff_id']}", headers=officer,
                          timeout=60)
    assert queued.status_code == 200, queued.text
    assert queued.json()["question"] == "我的退税到哪一步了"
    assert queued.json()["state"] == "waiting"


def test_the_consultation_in_english_from_the_keyboard(stack: dict[str, Any],
                                                      phone: Page) -> None:
    phone.goto(portal(stack, "consult.html"))
    phone.get_by_role("button", name="Switch to English").click()
    expect(phone.locator("h1")).to_have_text("12366 smart consultation")
    expect(phone.locator("#hot-heading")).to_have_text("This week's hot questions")
    phone.reload()
    expect(phone.locator("html")).to_have_attribute("lang", "en")

    # skip link, then Tab to the question, type, Enter; the answer takes the focus
    phone.keyboard.press("Tab")
    expect(phone.locator(".skip")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("#main")).to_be_focused()
    question = phone.get_by_label("Your question")
    for _ in range(5):
        phone.keyboard.press("Tab")
        if question.evaluate("node => node === document.activeElement"):
            break
    expect(question).to_be_focused()
    phone.keyboard.type(WINDOW)
    phone.keyboard.press("Enter")
    turn = phone.locator("#turns article.turn").first
    expect(turn.locator(".reply")).to_be_focused(timeout=30_000)
    expect(turn.locator(".reply")).to_contain_text("6月30日")
    expect(turn).to_contain_text("12366 answer · Answered · Match")
    expect(turn.locator("h4").first).to_have_text("Legal basis")
    expect(turn.locator("ul.citations li").first).to_contain_text("in force on")

    # on from the answer to its feedback by Tab alone
    helpful = turn.get_by_role("button", name="Helpful", exact=True)
    for _ in range(12):
        phone.keyboard.press("Tab")
        if helpful.evaluate("node => node === document.activeElement"):
            break
    expect(helpful).to_be_focused()
    phone.keyboard.press("Enter")
    expect(turn.get_by_role("status")).to_have_text("Thank you for your feedback.",
                                                    timeout=30_000)

    # the knowledge page in English too
    phone.goto(portal(stack, "knowledge.html"))
    expect(phone.locator("h1")).to_have_text("Tax regulations library and 12366 knowledge base")
    phone.get_by_label("Search words").fill("个税 汇算")
    phone.get_by_label("Search words").press("Enter")
    expect(phone.locator("#results-heading")).to_have_text("Results for “个税 汇算”",
                                                           timeout=30_000)
    expect(phone.locator("#results")).to_contain_text("Provisions (")
    assert axe_violations(phone) == []
    shot(phone, "knowledge-en")


def test_anyone_browses_crowd_help_by_pseudonym(api: str, stack: dict[str, Any],
                                               phone: Page) -> None:
    run = uuid.uuid4().hex[:6]
    asker = uscc.complete(f"91350100MA2K{int(run, 16) % 100000:05d}")  # people of this run
    answerer = fresh_person()
    title = f"小规模纳税人季度销售额多少以内免征增值税（门户{run}）？"
    body = "个体户，想确认一下免征额。<b>不是标记</b>"
    ask = requests.post(f"{api}/v1/crowd/questions", timeout=60, json={
        "title": title, "body": body, "topic": "vat", "tags": ["小规模"], "post_anyway": True},
        headers={**bearer(token(api, "taxpayer", asker)), "Idempotency-Key": str(uuid.uuid4())})
    assert ask.status_code == 201, ask.text
    qid = ask.json()["question"]["id"]
    answered = requests.post(
        f"{api}/v1/crowd/questions/{qid}/answers", timeout=60, json={"body": "季度30万元以内。"},
        headers={**bearer(token(api, "taxpayer", answerer)),
                 "Idempotency-Key": str(uuid.uuid4())})
    assert answered.status_code == 201, answered.text
    accepted = requests.post(
        f"{api}/v1/crowd/questions/{qid}/accept", timeout=60,
        json={"answer_id": answered.json()["id"]},
        headers={**bearer(token(api, "taxpayer", asker)), "Idempotency-Key": str(uuid.uuid4())})
    assert accepted.status_code == 200, accepted.text
    shown = requests.get(f"{api}/v1/crowd/questions/{qid}", timeout=60).json()

    phone.goto(portal(stack, "index.html"))
    follow(phone, phone.get_by_role("link", name="纳税人互助").first)
    phone.get_by_label("问答主题").select_option("vat")
    phone.locator("#crowd-filter").get_by_role("button", name="显示").click()
    expect(phone.locator("#crowd-list-heading")).to_be_focused(timeout=30_000)
    entry = phone.locator("#crowd-items li", has_text=title)
    expect(entry).to_contain_text(f"增值税 · {shown['author']['pseudonym']}")
    expect(entry).to_contain_text("1个回答 · 已采纳")
    entry.get_by_role("button", name=title).click()
    thread = phone.locator("#thread")
    expect(phone.locator("#thread-heading")).to_have_text(title, timeout=30_000)
    expect(phone.locator("#thread-heading")).to_be_focused()
    expect(thread.locator(".reply")).to_have_text(body)  # markup in a post stays text
    assert thread.locator("b").count() == 0
    expect(thread).to_contain_text(f"提问：{shown['author']['pseudonym']}")
    answer = thread.locator("ol.hits > li").first
    expect(answer).to_contain_text("已采纳")
    expect(answer).to_contain_text("季度30万元以内。")
    expect(answer).to_contain_text(f"回答：{shown['answers'][0]['author']['pseudonym']}")
    text = phone.locator("main").inner_text()
    assert asker not in text
    assert answerer not in text  # people by pseudonym only
    assert axe_violations(phone) == []
    shot(phone, "crowd")
