"""The idea space (A2) on the local stack: a similar idea is suggested before submitting; an
idea gathers the supports of a hundred people (a second support of the same person refused)
and goes to review; an officer adopts it and later marks it delivered; the public reads the
whole trail; a hidden idea leaves the public list and stays with the moderators; the portal's
idea page read by the public and a support given there."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from etax.ideas.rules import SUPPORT_THRESHOLD
from etax.rules import resident_id, uscc
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_portal_e2e import axe_violations, browser, phone, portal, shot, sign_in

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["browser", "phone"]  # fixtures used here

FUZHOU = "13501000000"


def person(n: int) -> str:
    """A natural person's valid resident ID (born 1991-01-01)."""
    first17 = f"35010219910101{n:03d}"
    return first17 + resident_id.check_character(first17)


def company() -> str:
    """An enterprise of no other test (its day's allowance of ideas its own)."""
    return uscc.complete(f"91350100MA{random.randrange(10**7):07d}")


def submit(api: str, who: dict[str, str], title: str) -> dict[str, Any]:
    answer = requests.post(f"{api}/v1/ideas", timeout=60, json={
        "title": title, "body": "办理涉税事项时希望能提前在手机上取号，减少现场等候时间。",
        "category": "service"}, headers={**who, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def test_an_idea_is_supported_to_the_threshold_adopted_and_delivered_in_public(
        api: str) -> None:
    tag = f"{random.randrange(10**6):06d}"
    code = company()
    author = bearer(token(api, "taxpayer", code))
    first = submit(api, author, f"办税服务厅线上预约取号（{tag}）")
    idea_id = first["idea"]["id"]
    # before submitting a second one like it, the client asks what exists
    found = requests.get(f"{api}/v1/ideas/similar", timeout=60,
                         params={"title": f"线上预约取号（{tag}）"}).json()
    assert idea_id in [i["id"] for i in found["ideas"]]

    people = [bearer(token(api, "taxpayer", person(n))) for n in range(SUPPORT_THRESHOLD)]

    def support(who: dict[str, str]) -> requests.Response:
        return requests.post(f"{api}/v1/ideas/{idea_id}/supports", headers=who, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(support, people))
    assert [a.status_code for a in answers] == [201] * SUPPORT_THRESHOLD, [
        a.text for a in answers if a.status_code != 201][:3]
    twice = support(people[0])
    assert (twice.status_code, twice.json()["field"]) == (409, "idea_id")

    shown = requests.get(f"{api}/v1/ideas/{idea_id}", timeout=60).json()
    assert (shown["state"], shown["supports"]) == ("under_review", SUPPORT_THRESHOLD)
    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    for decision, reason in (("adopt", "纳入明年办税服务厅改造"),
                             ("deliver", "已在掌上办税上线预约取号")):
        decided = requests.post(f"{api}/v1/ideas/{idea_id}/decision", headers=officer,
                                json={"decision": decision, "reason": reason}, timeout=60)
        assert decided.status_code == 200, decided.text
    public = requests.get(f"{api}/v1/ideas/{idea_id}", timeout=60).json()
    assert public["state"] == "delivered"
    assert [(s["by"], s["action"]) for s in public["trail"]] == [
        ("author", "submitted"), ("platform", "under_review"),
        ("officer-fz-0001", "adopted"), ("officer-fz-0001", "delivered")]
    assert code not in str(public)
    delivered = requests.get(f"{api}/v1/ideas", params={"state": "delivered"}, timeout=60)
    assert idea_id in [i["id"] for i in delivered.json()["ideas"]]


def test_a_hidden_idea_leaves_the_public_and_stays_with_the_moderators(api: str) -> None:
    author = bearer(token(api, "taxpayer", company()))
    idea_id = submit(api, author, f"测试隐藏的创意（{random.randrange(10**6):06d}）")["idea"]["id"]
    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    hidden = requests.post(f"{api}/v1/ideas/{idea_id}/hide", headers=officer, timeout=60,
                           json={"reason": "与办税无关的广告内容"})
    assert hidden.status_code == 200, hidden.text
    assert requests.get(f"{api}/v1/ideas/{idea_id}", timeout=60).status_code == 404
    kept = requests.get(f"{api}/v1/ideas/hidden", headers=officer, timeout=60).json()
    assert [i["hidden"]["reason"] for i in kept["ideas"] if i["id"] == idea_id] == [
        "与办税无关的广告内容"]
    mine = requests.get(f"{api}/v1/me/ideas", headers=author, timeout=60).json()
    assert idea_id in [i["id"] for i in mine["ideas"]]


def test_the_public_reads_an_idea_in_the_portal_and_a_taxpayer_supports_it(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    """ideas.html on a phone-sized screen: the idea in the list, opened with its supports
    against the threshold and its trail; a taxpayer signed in supports it once (the second
    time the API's 409 is said plainly); axe-core finds no WCAG 2.1 A/AA violation."""
    title = f"发票查验结果导出（{random.randrange(10**6):06d}）"
    idea_id = submit(api, bearer(token(api, "taxpayer", company())), title)["idea"]["id"]
    phone.goto(portal(stack, "ideas.html"))
    phone.get_by_role("button", name=title).click()
    section = phone.locator("#idea")
    expect(section.get_by_role("heading", name=title)).to_be_focused()
    expect(section).to_contain_text(f"支持 0/{SUPPORT_THRESHOLD}")
    expect(section).to_contain_text("提出人 · 提交")
    assert axe_violations(phone) == []

    supporter = person(SUPPORT_THRESHOLD + 1)
    sign_in(phone, stack, supporter, "ideas")
    phone.get_by_role("button", name=title).click()
    phone.get_by_role("button", name="支持这个创意").click()
    expect(phone.get_by_role("status")).to_have_text("已支持，当前共1个支持。")
    expect(section).to_contain_text(f"支持 1/{SUPPORT_THRESHOLD}")
    phone.get_by_role("button", name="支持这个创意").click()
    expect(phone.get_by_role("alert")).to_contain_text("one support a person")
    shot(phone, "ideas")
    shown = requests.get(f"{api}/v1/ideas/{idea_id}", timeout=60).json()
    assert shown["supports"] == 1
