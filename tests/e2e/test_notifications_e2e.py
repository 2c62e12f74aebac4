"""The push fan-out on the local stack: events carrying a notification, put on the platform
bus by any producer, reach the recipient's inbox exactly once (even when put twice) and the
channels the person chose; a channel whose provider refuses ends in its own dead-letter
queue while the others deliver, and is redriven once the cause is fixed. Over HTTP: the
inbox, read marks, preferences (422 naming the field) and the admin's send."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from etax.rules import resident_id
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = ("sms", "wechat", "email", "app")


def person(n: int) -> str:
    first17 = f"35010219850615{n:03d}"
    return first17 + resident_id.check_character(first17)


def notification(nid: str, recipient: str, **extra: Any) -> dict[str, Any]:
    return {"id": nid, "recipient": recipient, "kind": "refund.paid", "title": "退税已到账",
            "body": "您的退税已由国库退付，请注意查收。", "link": "/v1/refunds/RF-e2e", **extra}


def put_events(aws: Any, stack: dict[str, Any], *details: dict[str, Any]) -> None:
    answer = aws("events").put_events(Entries=[
        {"EventBusName": stack["EventBusName"], "Source": "tax.refunds",
         "DetailType": "RefundPaid", "Detail": json.dumps(d, ensure_ascii=False)}
        for d in details])
    assert answer["FailedEntryCount"] == 0, answer


def inbox(api: str, who: dict[str, str], **params: str) -> dict[str, Any]:
    answer = requests.get(f"{api}/v1/me/inbox", headers=who, params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


def entries_with(api: str, who: dict[str, str], nid: str) -> list[dict[str, Any]]:
    return [e for e in inbox(api, who, limit="100")["items"] if e["id"] == nid]


def queue_idle(aws: Any, url: str) -> bool:
    attributes = aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return all(v == "0" for v in attributes.values())


def visible(aws: Any, url: str) -> int:
    return int(aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])


def sends(aws: Any, stack: dict[str, Any], nid: str) -> list[str]:
    """The channels the simulated providers sent notification ``nid`` on (a test may scan):
    their books hold ``sent#<channel>#<id>#<channel>`` once per delivery."""
    items = aws("dynamodb").scan(TableName=stack["NotificationLedgerTableName"])["Items"]
    keys = [i["key"]["S"].split("#") for i in items]
    return sorted(k[1] for k in keys if k[0] == "sent" and k[2] == nid)


def test_localstack_matches_exists_on_the_nested_notification_id(
        aws: Any, stack: dict[str, Any]) -> None:
    """The rule's pattern, as deployed, asked of the local EventBridge."""
    events = aws("events")
    [rule] = [r for r in events.list_rules(EventBusName=stack["EventBusName"])["Rules"]
              if "notification" in r.get("EventPattern", "")]
    pattern = rule["EventPattern"]
    assert json.loads(pattern) == {"detail": {"notification": {"id": [{"exists": True}]}}}

    def matches(detail: dict[str, Any]) -> bool:
        event = {"id": str(uuid.uuid4()), "source": "tax.refunds", "detail-type": "RefundPaid",
                 "account": "000000000000", "region": "us-east-1",
                 "time": "2026-11-28T08:00:00Z", "resources": [], "detail": detail}
        result: bool = events.test_event_pattern(EventPattern=pattern,
                                                 Event=json.dumps(event))["Result"]
        return result

    assert matches({"notification": {"id": "x:1", "recipient": "r"}})
    assert not matches({"notification": {"recipient": "r"}})
    assert not matches({"case_id": "RF1"})
    assert not matches({"id": "x:1"})


def test_an_event_put_twice_lands_once_in_the_inbox(api: str, aws: Any,
                                                    stack: dict[str, Any]) -> None:
    recipient = person(1)
    me = bearer(token(api, "taxpayer", recipient))
    nid = f"refund:e2e-{uuid.uuid4().hex[:8]}:paid"
    detail = {"schema_version": 1, "case_id": "RF-e2e", "notification": notification(
        nid, recipient)}
    put_events(aws, stack, detail)
    put_events(aws, stack, detail, detail)  # again, and twice in one call
    put_events(aws, stack, {"schema_version": 1, "case_id": "RF-e2e"})  # no notification
    [entry] = wait_for("the inbox entry", lambda: entries_with(api, me, nid) or None)
    assert entry["source"] == "tax.refunds"
    assert entry["title"] == "退税已到账"
    assert entry["read_at"] is None
    # every copy handled: the notifier's queue and the app queue idle, the app push sent
    wait_for("the fan-out to finish", lambda: (
        True if queue_idle(aws, stack["NotifierQueueUrl"])
        and queue_idle(aws, stack["NotificationAppQueueUrl"])
        and entries_with(api, me, nid)[0]["deliveries"]["app"]["state"] == "sent" else None),
        describe=lambda: entries_with(api, me, nid))
    assert len(entries_with(api, me, nid)) == 1
    assert sends(aws, stack, nid) == ["app"]  # whoever set nothing: the app push, once
    assert visible(aws, stack["NotifierDeadLetterQueueUrl"]) == 0

    read = requests.post(f"{api}/v1/me/inbox/read", headers=me, json={"ids": [nid]},
                         timeout=30)
    assert read.status_code == 200, read.text
    assert read.json()["read"] == [nid]
    assert entries_with(api, me, nid)[0]["read_at"] is not None
    # another person sees nothing of it
    other = bearer(token(api, "taxpayer", person(2)))
    assert entries_with(api, other, nid) == []


def test_a_failing_channel_dead_letters_alone_and_is_redriven(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    recipient = person(3)
    me = bearer(token(api, "taxpayer", recipient))
    openid = f"oWx-e2e-{uuid.uuid4().hex[:8]}"
    prefs = {"channels": {"sms": {"address": "13800138000"}, "wechat": {"address": openid},
                          "email": {"address": "e2e@example.cn"}, "app": {}}}
    answer = requests.put(f"{api}/v1/me/notification-preferences", headers=me, json=prefs,
                          timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["channels"]["sms"]["address"] == "+8613800138000"
    ledger = stack["NotificationLedgerTableName"]
    blocked = {"key": {"S": f"blocked#wechat#{openid}"}}
    aws("dynamodb").put_item(TableName=ledger, Item=blocked)  # the WeChat provider refuses

    nid = f"application:e2e-{uuid.uuid4().hex[:8]}:approved"
    admin = bearer(token(api, "admin", "admin-0001"))
    sent = requests.post(f"{api}/v1/notifications", headers=admin, timeout=30, json=notification(
        nid, recipient, kind="application.approved", title="申请已通过"))
    assert sent.status_code == 202, sent.text

    def states() -> dict[str, str]:
        found = entries_with(api, me, nid)
        return {c: d["state"] for c, d in found[0]["deliveries"].items()} if found else {}

    wait_for("the three other channels", lambda: (
        True if {states().get(c) for c in ("sms", "email", "app")} == {"sent"} else None),
        describe=states)
    dlq = stack["NotificationWechatDeadLetterQueueUrl"]
    wait_for("the WeChat message in its dead-letter queue", lambda: visible(aws, dlq) or None,
             timeout=150, describe=lambda: entries_with(api, me, nid))
    [entry] = entries_with(api, me, nid)
    wechat = entry["deliveries"]["wechat"]
    assert wechat["state"] == "failed"
    assert wechat["attempts"] == 3
    assert "cannot receive" in wechat["last_error"]
    assert sends(aws, stack, nid) == ["app", "email", "sms"]

    aws("dynamodb").delete_item(TableName=ledger, Key=blocked)  # the cause fixed
    moved = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "redrive.py"), dlq,
         stack["NotificationWechatQueueUrl"], "--endpoint-url", stack["Endpoint"]],
        capture_output=True, text=True, timeout=120,
        env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
             "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"})
    assert moved.returncode == 0, moved.stderr
    assert "moved 1 message" in moved.stdout
    wait_for("the redriven WeChat message", lambda: (
        True if states().get("wechat") == "sent" else None), describe=states)
    assert sends(aws, stack, nid) == ["app", "email", "sms", "wechat"]
    assert visible(aws, dlq) == 0


def test_inbox_pages_and_refusals_over_http(api: str, aws: Any, stack: dict[str, Any]) -> None:
    recipient = person(4)
    me = bearer(token(api, "taxpayer", recipient))
    ids = [f"filing:e2e-{uuid.uuid4().hex[:6]}-{n}:reminder" for n in range(3)]
    for nid in ids:  # one after the other, so that their order is known
        put_events(aws, stack, {"notification": notification(nid, recipient,
                                                             kind="filing.reminder")})
        wait_for(nid, lambda: entries_with(api, me, nid) or None)  # noqa: B023
    first = inbox(api, me, limit="2")
    assert [e["id"] for e in first["items"]] == [ids[2], ids[1]]
    second = inbox(api, me, limit="2", cursor=first["next_cursor"])
    assert [e["id"] for e in second["items"]] == [ids[0]]

    bad = requests.put(f"{api}/v1/me/notification-preferences", headers=me, timeout=30,
                       json={"channels": {"sms": {"address": "12345"}}})
    assert bad.status_code == 422
    assert bad.headers["Content-Type"].startswith("application/problem+json")
    assert bad.json()["field"] == "channels.sms.address"
    limit = requests.get(f"{api}/v1/me/inbox", headers=me, params={"limit": "1000"},
                         timeout=30)
    assert (limit.status_code, limit.json()["field"]) == (422, "limit")
    assert requests.get(f"{api}/v1/me/inbox", timeout=30).status_code == 401
    not_admin = requests.post(f"{api}/v1/notifications", headers=me, timeout=30,
                              json=notification("x:1", recipient))
    assert not_admin.status_code == 403
