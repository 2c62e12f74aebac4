"""The officers' mobile office on the local stack: a field document drafted by one inspector,
countersigned by a second, printed as a signed PDF with a QR code, and verified by anyone
(the taxpayer told in its inbox); an alarm of the stack reaching the on-duty officer's inbox
through the alarm topic, and acknowledged; an internal approval through its reviewers."""

from __future__ import annotations

import hashlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from etax.documents.canonical import canonical_bytes
from etax.documents.signing import verify_envelope
from etax.rules import uscc
from tests.e2e.test_lottery_e2e import register_seller, wait_for
from tests.e2e.test_notifications_e2e import inbox
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

FUZHOU = "13501000000"
TAXPAYER = uscc.complete("91350100MA2R7Q0F1")


def post(api: str, path: str, who: dict[str, str], body: Any = None,
         key: bool = False) -> requests.Response:
    headers = {**who, **({"Idempotency-Key": uuid.uuid4().hex} if key else {})}
    return requests.post(f"{api}{path}", json=body, headers=headers, timeout=60)


def test_a_field_document_issued_on_site_is_verified_by_anyone(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    register_seller(aws, stack, TAXPAYER, "福州现场检查示例有限公司")
    first = bearer(token(api, "officer", "officer-fz-0101", FUZHOU))
    second = bearer(token(api, "officer", "officer-fz-0102", FUZHOU))
    taxpayer = bearer(token(api, "taxpayer", TAXPAYER))
    drafted = post(api, "/v1/office/field-documents", first, {
        "kind": "inspection_notice", "taxpayer": TAXPAYER, "matters": "2025年度增值税申报情况",
        "period": {"from": "2025-01", "to": "2025-12"}, "place": "纳税人生产经营场所"}, key=True)
    assert drafted.status_code == 201, drafted.text
    document_id = drafted.json()["id"]
    # the drafter alone cannot issue it; a second officer of the office does
    assert post(api, f"/v1/office/field-documents/{document_id}/countersign",
                first).status_code == 403
    issued = post(api, f"/v1/office/field-documents/{document_id}/countersign", second)
    assert issued.status_code == 200, issued.text
    shown = issued.json()
    number = shown["number"]
    assert number.startswith(f"{FUZHOU}-JC-{datetime.now(UTC).year}-")
    assert shown["inspectors"] == ["officer-fz-0101", "officer-fz-0102"]

    # the printed notice, its QR code pointing at the public check
    printed = requests.get(f"{api}/v1/office/field-documents/{document_id}/document",
                           headers={**second, "Accept": "application/pdf"}, timeout=60)
    assert printed.status_code == 200
    assert printed.headers["Content-Type"] == "application/pdf"
    assert printed.content.startswith(b"%PDF")

    # anyone, without signing in: the number, and the copy in hand by its digest
    public = requests.get(f"{api}{shown['document']['qr']}", timeout=60)
    assert public.status_code == 200, public.text
    assert (public.json()["verdict"], public.json()["status"]) == ("authentic", "issued")
    copy = hashlib.sha256(canonical_bytes(shown["document"])).hexdigest()
    matched = requests.get(f"{api}{shown['verify']}", params={"digest": copy}, timeout=60)
    assert matched.json()["matches"] is True
    keys = requests.get(f"{api}/v1/keys", timeout=60).json()
    pem = next(k["public_key_pem"] for k in keys["keys"]
               if k["key_id"] == shown["signature"]["key_id"])
    verify_envelope({"document": shown["document"], "signature": shown["signature"]}, pem)

    # the taxpayer is told in its inbox, and reads the document
    notice = wait_for("the taxpayer's notice", lambda: next(
        (e for e in inbox(api, taxpayer, limit="100")["items"]
         if e["id"] == f"field-document:{number}"), None))
    assert number in notice["body"]
    mine = requests.get(f"{api}{notice['link']}", headers=taxpayer, timeout=60)
    assert (mine.status_code, mine.json()["number"]) == (200, number)

    # withdrawn by one of its inspectors: the public check says so
    withdrawn = post(api, f"/v1/office/field-documents/{document_id}/withdraw", first,
                     {"reason": "检查安排调整，另行通知"})
    assert withdrawn.status_code == 200, withdrawn.text
    after = requests.get(f"{api}{shown['verify']}", timeout=60).json()
    assert (after["verdict"], after["status"]) == ("authentic", "withdrawn")


def test_an_alarm_of_the_stack_reaches_the_on_duty_officers_inbox(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    officer = f"officer-ops-{uuid.uuid4().hex[:6]}"
    admin = bearer(token(api, "admin", "admin-0001"))
    now = datetime.now(UTC)
    shift = post(api, "/v1/office/duty", admin, {
        "officer": officer, "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat()}, key=True)
    assert shift.status_code == 201, shift.text
    on_duty = bearer(token(api, "officer", officer, FUZHOU))
    try:
        cloudwatch = aws("cloudwatch")
        name = next(a["AlarmName"] for page in cloudwatch.get_paginator(
            "describe_alarms").paginate(AlarmNamePrefix=f"etax-{stack['Stage']}-")
            for a in page["MetricAlarms"] if a["AlarmName"].endswith("-OpsAlertsDeadLetters"))
        assert stack["AlarmTopicArn"] in cloudwatch.describe_alarms(
            AlarmNames=[name])["MetricAlarms"][0]["AlarmActions"]
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM",
                                   StateReason="e2e: the on-duty officer is alerted",
                                   StateReasonData=json.dumps({"e2e": True}))
        entry = wait_for("the alert in the officer's inbox", lambda: next(
            (e for e in inbox(api, on_duty, limit="100")["items"]
             if e["kind"] == "ops.alert_raised" and name in e["title"]), None))
        assert "e2e: the on-duty officer is alerted" in entry["body"]
        alert_id = entry["link"].rsplit("/", 1)[1]
        acked = post(api, f"/v1/office/alerts/{alert_id}/ack", on_duty)
        assert acked.status_code == 200, acked.text
        # the stack's own evaluation of the alarm (every minute: its queue is empty) may have
        # ended it already: then it shows resolved, acknowledged all the same
        assert acked.json()["state"] in ("acknowledged", "resolved")
        assert acked.json()["acknowledged_by"] == officer
        assert post(api, f"/v1/office/alerts/{alert_id}/ack", admin).status_code == 409
        listed = requests.get(f"{api}/v1/office/alerts", headers=on_duty, timeout=60).json()
        assert alert_id in [a["alert_id"] for a in listed["alerts"]]
        # an officer off duty was not told
        other = bearer(token(api, "officer", "officer-fz-0102", FUZHOU))
        assert requests.get(f"{api}/v1/office/alerts/{alert_id}", headers=other,
                            timeout=60).status_code == 403
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="e2e: over")
        wait_for("the alert resolved", lambda: requests.get(
            f"{api}/v1/office/alerts/{alert_id}", headers=on_duty, timeout=60
        ).json().get("resolved_at"))
    finally:
        requests.delete(f"{api}/v1/office/duty/{shift.json()['shift_id']}", headers=admin,
                        timeout=60)


def test_an_internal_approval_passes_its_reviewers_in_turn_each_told_in_the_inbox(
        api: str) -> None:
    clerk = bearer(token(api, "officer", "officer-fz-0201", FUZHOU))
    head = bearer(token(api, "officer", "officer-fz-0202", FUZHOU))
    director = bearer(token(api, "officer", "officer-fz-0203", FUZHOU))
    xiamen = bearer(token(api, "officer", "officer-xm-0201", "13502000000"))
    submitted = post(api, "/v1/office/approvals", clerk, {
        "category": "case", "title": "关于某公司顶额开具风险的处理意见",
        "body": "经核实，建议约谈企业负责人。\n请审批。",
        "reviewers": ["officer-fz-0202", "officer-fz-0203"]}, key=True)
    assert submitted.status_code == 201, submitted.text
    approval_id = submitted.json()["id"]
    path = f"/v1/office/approvals/{approval_id}"

    # the first reviewer finds it in the inbox and in the list to review
    message = wait_for("the first reviewer's message", lambda: next(
        (e for e in inbox(api, head, limit="100")["items"]
         if e["kind"] == "office.approval_to_review" and e["link"] == path), None))
    assert "第 1/2 位" in message["body"]
    waiting = requests.get(f"{api}/v1/office/approvals", headers=head, timeout=60).json()
    assert approval_id in [a["id"] for a in waiting["approvals"]]
    # another office's officer sees nothing of it; the director may not decide before its turn
    assert requests.get(f"{api}{path}", headers=xiamen, timeout=60).status_code == 404
    assert post(api, f"{path}/decisions", director,
                {"decision": "approve"}).status_code == 403

    returned = post(api, f"{path}/decisions", head,
                    {"decision": "return", "comment": "请补充约谈提纲"})
    assert returned.json()["state"] == "returned", returned.text
    wait_for("the submitter's return", lambda: next(
        (e for e in inbox(api, clerk, limit="100")["items"]
         if e["kind"] == "office.approval_returned" and e["link"] == path), None))
    again = post(api, f"{path}/resubmit", clerk, {"body": "约谈提纲见附件。\n请审批。"})
    assert (again.json()["state"], again.json()["round"]) == ("pending", 2), again.text
    first = post(api, f"{path}/decisions", head,
                 {"decision": "approve", "conditions": "约谈须两人以上参加"})
    assert first.json()["waiting_for"] == "officer-fz-0203", first.text
    # two decisions of the director at once: one applies, the other is told it changed
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: post(api, f"{path}/decisions", director,
                                               {"decision": "approve"}), range(2)))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]

    done = requests.get(f"{api}{path}", headers=clerk, timeout=60).json()
    assert done["state"] == "approved"
    assert [s["action"] for s in done["trail"]] == [
        "submitted", "returned", "resubmitted", "approved_with_conditions", "approved"]
    assert [c["text"] for c in done["conditions"]] == ["约谈须两人以上参加"]
    told = wait_for("the submitter's outcome", lambda: next(
        (e for e in inbox(api, clerk, limit="100")["items"]
         if e["kind"] == "office.approval_approved" and e["link"] == path), None))
    assert "附条件：约谈须两人以上参加" in told["body"]
    mine = requests.get(f"{api}/v1/office/approvals", params={"box": "submitted"},
                        headers=clerk, timeout=60).json()
    assert mine["approvals"][0]["id"] == approval_id
