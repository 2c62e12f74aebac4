"""Information on demand (D15) over the deployed local stack: taxpayers of several provinces and
types subscribe; an officer of Fuzhou targets the small-scale taxpayers of Fujian subscribed to
VAT, sees the count, sends; exactly those get one entry each in their inboxes and on the
channels they chose, through the notification fan-out; a Guangdong segment is refused.

The taxpayers of a run share an industry no other test uses, and the segment names it, so the
counts are this run's whatever else the stack holds."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

import pytest
import requests

from etax.rules import uscc
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

FUZHOU, XIAMEN, GUANGZHOU = "13501000000", "13502000000", "14401000000"


def register(aws: Any, stack: dict[str, Any], office: str, kind: str, industry: str,
             code: str | None = None, revision: int = 1) -> str:
    """A taxpayer registered through the registration feed (the market regulator's); with
    ``code``, a new ``revision`` of its registration."""
    code = code or uscc.complete(f"91{office[1:7]}MA{uuid.uuid4().int % 10**7:07d}")
    record = {"credit_code": code, "name": f"推送示例企业{code[-6:]}", "status": "active",
              "registration_date": "2021-03-01", "tax_office_code": office,
              "tax_office_name": "国家税务总局示例税务局", "taxpayer_type": kind,
              "legal_representative": "王五", "address": "示例路1号", "industry": industry,
              "revision": revision}
    aws("sqs").send_message(QueueUrl=stack["RegistrationFeedQueueUrl"],
                            MessageBody=json.dumps(record, ensure_ascii=False))
    dynamodb = aws("dynamodb")
    wait_for(f"registration of {code}", lambda: (item := dynamodb.get_item(
        TableName=stack["RegistryTableName"], Key={"credit_code": {"S": code}}).get("Item"))
        and int(item["revision"]["N"]) >= revision and item)
    return code


def test_a_subscription_follows_a_change_of_registration(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    """The feed makes a small-scale subscriber general: RegistrationChanged on the bus moves
    it to the general taxpayers' segment, which a preview then counts."""
    industry = f"推送变更业{uuid.uuid4().hex[:6]}"
    code = register(aws, stack, FUZHOU, "small_scale", industry)
    me = bearer(token(api, "taxpayer", code))
    assert subscribe(api, me, ["vat"])["taxpayer_type"] == "small_scale"
    register(aws, stack, FUZHOU, "general", industry, code=code, revision=2)
    moved = wait_for("the subscription following the registration", lambda: (
        shown if (shown := requests.get(f"{api}/v1/me/subscriptions", headers=me,
                                        timeout=60).json())["taxpayer_type"] == "general"
        else None))
    assert (moved["topics"], moved["province"], moved["industry"]) == (["vat"], "35", industry)
    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    for kind, count in (("small_scale", 0), ("general", 1)):
        preview = requests.post(f"{api}/v1/mailings/preview", headers=officer, timeout=60,
                                json={"segment": {"topics": ["vat"], "provinces": ["35"],
                                                  "taxpayer_types": [kind],
                                                  "industries": [industry]}})
        assert preview.json()["recipients"] == count, (kind, preview.text)


def subscribe(api: str, who: dict[str, str], topics: list[str]) -> dict[str, Any]:
    answer = requests.post(f"{api}/v1/subscriptions", json={"topics": topics}, headers=who,
                           timeout=60)
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def test_a_segment_is_counted_sent_and_reaches_exactly_its_people(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    industry = f"推送示例业{uuid.uuid4().hex[:6]}"
    targeted = [register(aws, stack, FUZHOU, "small_scale", industry),
                register(aws, stack, XIAMEN, "small_scale", industry)]
    others = {"general": register(aws, stack, FUZHOU, "general", industry),
              "guangdong": register(aws, stack, GUANGZHOU, "small_scale", industry),
              "not_vat": register(aws, stack, FUZHOU, "small_scale", industry)}
    who = {code: bearer(token(api, "taxpayer", code)) for code in [*targeted, *others.values()]}
    for code in targeted:
        shown = subscribe(api, who[code], ["vat", "invoice"])
        assert (shown["province"], shown["taxpayer_type"], shown["industry"]) == (
            "35", "small_scale", industry)
    subscribe(api, who[others["general"]], ["vat"])
    subscribe(api, who[others["guangdong"]], ["vat"])
    subscribe(api, who[others["not_vat"]], ["iit"])
    mine = requests.get(f"{api}/v1/me/subscriptions", headers=who[targeted[0]], timeout=60)
    assert mine.json()["topics"] == ["vat", "invoice"]
    sms = requests.put(f"{api}/v1/me/notification-preferences", headers=who[targeted[1]],
                       json={"channels": {"sms": {"address": "13800138000"}, "app": {}}},
                       timeout=60)
    assert sms.status_code == 200, sms.text

    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    segment = {"topics": ["vat"], "provinces": ["35"], "taxpayer_types": ["small_scale"],
               "industries": [industry]}
    preview = requests.post(f"{api}/v1/mailings/preview", json={"segment": segment},
                            headers=officer, timeout=60)
    assert preview.status_code == 200, preview.text
    assert preview.json()["recipients"] == 2
    sent = requests.post(f"{api}/v1/mailings", timeout=60,
                         headers={**officer, "Idempotency-Key": str(uuid.uuid4())},
                         json={"segment": segment, "kind": "policy",
                               "title": "小规模纳税人增值税政策提示",
                               "body": "小规模纳税人适用3%征收率的应税销售收入，减按1%征收。"})
    assert sent.status_code == 201, sent.text
    mailing = sent.json()
    assert (mailing["state"], mailing["sent"]) == ("sending", 0)

    def closed() -> dict[str, Any] | None:
        shown: dict[str, Any] = requests.get(f"{api}/v1/mailings/{mailing['id']}",
                                             headers=officer, timeout=60).json()
        return shown if shown["state"] == "sent" else None

    done = wait_for("the mailing sent", closed, timeout=120)
    assert (done["sent"], done["capped"]) == (2, 0)

    def inbox_entries(code: str) -> list[dict[str, Any]] | None:
        return entries_with(api, who[code], f"outreach:{mailing['id']}:{code}") or None

    for code in targeted:
        entries = wait_for(f"the inbox entry of {code}", functools.partial(inbox_entries, code))
        assert len(entries) == 1
        assert entries[0]["kind"] == "outreach.policy"
    sms_entry = f"outreach:{mailing['id']}:{targeted[1]}"

    def texted() -> bool | None:
        [entry] = entries_with(api, who[targeted[1]], sms_entry)
        return entry["deliveries"].get("sms", {}).get("state") == "sent" or None

    wait_for("the SMS", texted)
    for code in others.values():
        assert entries_with(api, who[code], f"outreach:{mailing['id']}:{code}") == []

    # another office's officer does not see the mailing; a Guangdong segment is not Fuzhou's
    xiamen = bearer(token(api, "officer", "officer-xm-0001", XIAMEN))
    assert requests.get(f"{api}/v1/mailings/{mailing['id']}", headers=xiamen,
                        timeout=60).status_code == 404
    refused = requests.post(f"{api}/v1/mailings/preview", headers=officer, timeout=60,
                            json={"segment": {**segment, "provinces": ["44"]}})
    assert refused.status_code == 403
    assert refused.json()["field"] == "segment.provinces"


def test_a_risk_warning_is_notified_answered_and_closed_with_its_trail(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    seller = register(aws, stack, FUZHOU, "general", "软件和信息技术服务业")
    me = bearer(token(api, "taxpayer", seller))
    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))

    def post(path: str, who: dict[str, str], body: dict[str, Any]) -> requests.Response:
        return requests.post(f"{api}{path}", json=body, timeout=60,
                             headers={**who, "Idempotency-Key": str(uuid.uuid4())})

    issued = post("/v1/risk-warnings", officer, {
        "taxpayer": seller, "topic": "filing", "title": "增值税申报收入与开票金额不一致",
        "detail": "贵单位上月申报销售额低于同期开票金额，请核实。"})
    assert issued.status_code == 201, issued.text
    warning = issued.json()["id"]
    notice = wait_for("the warning in the inbox",
                      lambda: entries_with(api, me, f"risk:{warning}") or None)
    assert notice[0]["link"] == f"/v1/risk-warnings/{warning}"
    assert post(f"/v1/risk-warnings/{warning}/responses", me, {
        "action": "correct", "text": "已更正申报。"}).json()["state"] == "corrected"
    other = bearer(token(api, "taxpayer", "91350100M000100Y43"))
    assert requests.get(f"{api}/v1/risk-warnings/{warning}", headers=other,
                        timeout=60).status_code == 403
    xiamen = bearer(token(api, "officer", "officer-xm-0001", XIAMEN))
    assert post(f"/v1/risk-warnings/{warning}/close", xiamen,
                {"conclusion": "不是本局的。"}).status_code == 403
    closed = post(f"/v1/risk-warnings/{warning}/close", officer, {"conclusion": "已更正，关闭。"})
    assert [step["action"] for step in closed.json()["trail"]] == [
        "issued", "corrected", "closed"]
    late = post(f"/v1/risk-warnings/{warning}/responses", me,
                {"action": "explain", "text": "补充说明。"})
    assert late.status_code == 409
    assert late.json()["field"] == "action"


@pytest.mark.parametrize(("body", "field"), [
    ({"topics": ["weather"]}, "topics[0]"),
    ({"topics": []}, "topics"),
    ({"topics": ["vat"], "province": "44"}, "province"),
])
def test_bad_subscriptions_name_the_field(api: str, body: dict[str, Any], field: str) -> None:
    who = bearer(token(api, "taxpayer", "91350100M000100Y43"))
    answer = requests.post(f"{api}/v1/subscriptions", json=body, headers=who, timeout=60)
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["field"] == field
