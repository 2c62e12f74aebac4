"""The push fan-out over moto: events carrying a notification → the notifier → the inbox
and the channel queues → the senders → the simulated providers; never twice, a failing
channel alone, batches of ten on every SQS and EventBridge call; the inbox and preference
routes."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from etax.notifications import CHANNELS
from etax.platform.events import DomainEvent, EventPublisher
from tests.functional.conftest import ApiCalls, LambdaContext, call, load_handler, sample_event
from tests.functional.test_invoices import request

PERSON = "350102199003071234"
COMPANY = "91350100M000100Y43"
ADMIN = ("admin", "admin-0001")
ME = ("taxpayer", PERSON)
EVERY_CHANNEL = {"channels": {
    "sms": {"address": "138 0013 8000"},
    "wechat": {"address": "oWx-openid-0001"},
    "email": {"address": "chen.xiaoming@example.cn"},
    "app": {},
}}


def notification(n: int | str = 1, recipient: str = PERSON, kind: str = "refund.paid",
                 **extra: Any) -> dict[str, Any]:
    return {"id": f"refund:RF{n}:paid", "recipient": recipient, "kind": kind,
            "title": "退税已到账", "body": f"退税 {n} 已由国库退付。",
            "link": f"/v1/refunds/RF{n}", **extra}


def envelope(detail: dict[str, Any], source: str = "tax.refunds",
             detail_type: str = "RefundPaid") -> dict[str, Any]:
    """An event as EventBridge hands it to the rule's SQS target."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type,
            "source": source, "account": "123456789012", "time": "2026-11-28T08:00:00Z",
            "region": "us-east-1", "resources": [], "detail": detail}


def record(body: dict[str, Any], message_id: str | None = None, receives: int = 1
           ) -> dict[str, Any]:
    event: dict[str, Any] = sample_event("notifier/batch.json")["Records"][0]
    event["messageId"] = message_id or str(uuid.uuid4())
    event["body"] = json.dumps(body, ensure_ascii=False)
    event["attributes"]["ApproximateReceiveCount"] = str(receives)
    return event


def failures(answer: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in answer["batchItemFailures"]]


@pytest.fixture
def queues(aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    sqs = boto3.client("sqs")
    urls: dict[str, str] = {c: sqs.create_queue(QueueName=f"{c}-deliveries")["QueueUrl"]
                            for c in CHANNELS}
    for channel, url in urls.items():
        monkeypatch.setenv(f"{channel.upper()}_QUEUE_URL", url)
    return urls


@pytest.fixture
def notifier_fn(queues: dict[str, str]) -> Any:
    return load_handler("notifier")


@pytest.fixture
def api_fn(aws: None) -> Any:
    return load_handler("notifications")


@pytest.fixture
def senders(queues: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    loaded: dict[str, Any] = {}
    for channel in CHANNELS:
        monkeypatch.setenv("NOTIFICATION_CHANNEL", channel)
        loaded[channel] = load_handler("notification_sender")
    return loaded


def notify(notifier_fn: Any, *details: dict[str, Any]) -> dict[str, Any]:
    """The notifier given one SQS batch of events carrying these notifications."""
    answer: dict[str, Any] = notifier_fn.handler(
        {"Records": [record(envelope({"schema_version": 1, "notification": d}))
                     for d in details]}, LambdaContext())
    return answer


def drain(queue_url: str, receives: int = 1) -> list[dict[str, Any]]:
    """Every message waiting on a channel queue, as SQS records for its sender."""
    sqs = boto3.client("sqs")
    out: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                  VisibilityTimeout=0).get("Messages", [])
        if not got:
            return out
        for message in got:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            out.append(record(json.loads(message["Body"]), message["MessageId"], receives))


def deliver(sender: Any, records: list[dict[str, Any]]) -> list[str]:
    return failures(sender.handler({"Records": records}, LambdaContext()))


def deliver_all(senders: dict[str, Any], queues: dict[str, str]
                ) -> dict[str, list[dict[str, Any]]]:
    """Drain each channel queue into its sender; the records each sender was given."""
    given: dict[str, list[dict[str, Any]]] = {}
    for channel in CHANNELS:
        records = drain(queues[channel])
        if records:
            assert deliver(senders[channel], records) == []
        given[channel] = records
    return given


def sent() -> list[dict[str, Any]]:
    """What the simulated providers sent (a test may scan)."""
    items = boto3.client("dynamodb").scan(TableName="notification-ledger")["Items"]
    return [i for i in items if i["key"]["S"].startswith("sent#")]


def inbox(api_fn: Any, who: tuple[str, str] = ME, params: dict[str, str] | None = None
          ) -> dict[str, Any]:
    return call(api_fn, request("GET", "/v1/me/inbox", who=who) | {
        "queryStringParameters": params or None})


def set_preferences(api_fn: Any, body: Any, who: tuple[str, str] = ME) -> dict[str, Any]:
    return call(api_fn, request("PUT", "/v1/me/notification-preferences", body=body, who=who))


# -- the pipeline ----------------------------------------------------------------------------


def test_a_notification_reaches_the_inbox_and_every_chosen_channel_once(
        api_fn: Any, notifier_fn: Any, senders: dict[str, Any], queues: dict[str, str]) -> None:
    assert set_preferences(api_fn, EVERY_CHANNEL)["statusCode"] == 200
    assert failures(notify(notifier_fn, notification(1))) == []
    first = deliver_all(senders, queues)
    assert {c: len(r) for c, r in first.items()} == dict.fromkeys(CHANNELS, 1)
    assert json.loads(first["sms"][0]["body"])["address"] == "+8613800138000"
    assert len(sent()) == 4

    [entry] = inbox(api_fn)["json"]["items"]
    assert (entry["id"], entry["kind"], entry["link"]) == ("refund:RF1:paid", "refund.paid",
                                                           "/v1/refunds/RF1")
    assert entry["source"] == "tax.refunds"
    assert entry["read_at"] is None
    assert {c: d["state"] for c, d in entry["deliveries"].items()} == dict.fromkeys(CHANNELS,
                                                                                   "sent")
    assert entry["deliveries"]["sms"]["address"] == "+86138****8000"
    assert entry["deliveries"]["email"]["address"] == "c***@example.cn"
    assert entry["deliveries"]["sms"]["reference"].startswith("SMS")

    # the same event again (another SQS message): nothing new anywhere
    assert failures(notify(notifier_fn, notification(1))) == []
    assert all(not drain(url) for url in queues.values())
    # the channel messages delivered again (an SQS redelivery): nothing sent again
    for channel, records in first.items():
        assert deliver(senders[channel], records) == []
    assert len(sent()) == 4
    assert len(inbox(api_fn)["json"]["items"]) == 1


def test_whoever_set_nothing_gets_the_inbox_and_the_app(
        notifier_fn: Any, senders: dict[str, Any], queues: dict[str, str], api_fn: Any) -> None:
    notify(notifier_fn, notification(2))
    given = deliver_all(senders, queues)
    assert [c for c, r in given.items() if r] == ["app"]
    assert json.loads(given["app"][0]["body"])["address"] == PERSON  # the account's devices
    [entry] = inbox(api_fn)["json"]["items"]
    assert list(entry["deliveries"]) == ["app"]


def test_channels_limited_to_kinds_and_switched_off(
        api_fn: Any, notifier_fn: Any, queues: dict[str, str]) -> None:
    body = {"channels": {"sms": {"address": "13800138000", "kinds": ["filing"]},
                         "email": {"address": "a@example.cn", "enabled": False}}}
    assert set_preferences(api_fn, body)["statusCode"] == 200
    notify(notifier_fn, notification(3, kind="refund.paid"),
           notification(4, kind="filing.reminder"))
    sms = [json.loads(r["body"])["notification_id"] for r in drain(queues["sms"])]
    assert sms == ["refund:RF4:paid"]
    assert all(not drain(queues[c]) for c in ("email", "app", "wechat"))
    assert len(inbox(api_fn)["json"]["items"]) == 2  # the inbox gets everything


def test_a_failing_channel_fails_alone_and_ends_failed(
        api_fn: Any, notifier_fn: Any, senders: dict[str, Any], queues: dict[str, str]) -> None:
    body = {"channels": {**EVERY_CHANNEL["channels"],
                         "email": {"address": "FAIL-box@example.cn"}}}
    set_preferences(api_fn, body)
    notify(notifier_fn, notification(5))
    email = drain(queues["email"])
    for channel in ("sms", "wechat", "app"):
        assert deliver(senders[channel], drain(queues[channel])) == []
    for receives in (1, 2, 3):
        email[0]["attributes"]["ApproximateReceiveCount"] = str(receives)
        assert deliver(senders["email"], email) == [email[0]["messageId"]]
    [entry] = inbox(api_fn)["json"]["items"]
    states = {c: d["state"] for c, d in entry["deliveries"].items()}
    assert states == {"sms": "sent", "wechat": "sent", "app": "sent", "email": "failed"}
    assert entry["deliveries"]["email"]["attempts"] == 3
    assert "cannot receive" in entry["deliveries"]["email"]["last_error"]
    assert len(sent()) == 3


def test_a_failed_delivery_is_sent_once_when_redriven(
        api_fn: Any, notifier_fn: Any, senders: dict[str, Any], queues: dict[str, str]) -> None:
    set_preferences(api_fn, {"channels": {"wechat": {"address": "oWx-FLAKY-01"}}})
    notify(notifier_fn, notification(6))
    [message] = drain(queues["wechat"], receives=3)  # its last receive fails (FLAKY)
    assert deliver(senders["wechat"], [message]) == [message["messageId"]]
    [entry] = inbox(api_fn)["json"]["items"]
    assert entry["deliveries"]["wechat"]["state"] == "failed"
    message["attributes"]["ApproximateReceiveCount"] = "1"  # redriven from the DLQ
    assert deliver(senders["wechat"], [message]) == []
    assert deliver(senders["wechat"], [message]) == []
    [entry] = inbox(api_fn)["json"]["items"]
    assert entry["deliveries"]["wechat"]["state"] == "sent"
    assert len(sent()) == 1


def test_an_entry_whose_channel_messages_were_lost_is_completed_by_the_retry(
        api_fn: Any, notifier_fn: Any, senders: dict[str, Any], queues: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between the inbox entry and the channel messages: the redelivered event
    queues the channels still undelivered, and each is sent once."""
    set_preferences(api_fn, EVERY_CHANNEL)
    monkeypatch.setattr(notifier_fn.notifier.sender, "send", lambda messages: [])  # lost
    notify(notifier_fn, notification(7))
    monkeypatch.undo()
    assert all(not drain(url) for url in queues.values())
    assert failures(notify(notifier_fn, notification(7))) == []
    deliver_all(senders, queues)
    assert len(sent()) == 4
    [entry] = inbox(api_fn)["json"]["items"]
    assert {d["state"] for d in entry["deliveries"].values()} == {"sent"}


def test_malformed_events_are_reported_alone(notifier_fn: Any, api_fn: Any) -> None:
    good = record(envelope({"notification": notification(8)}), "good")
    no_recipient = record(envelope({"notification": {**notification(9), "recipient": ""}}),
                          "bad-recipient")
    not_json = record({}, "bad-body")
    not_json["body"] = "{"
    answer = notifier_fn.handler({"Records": [good, no_recipient, not_json]}, LambdaContext())
    assert sorted(failures(answer)) == ["bad-body", "bad-recipient"]
    assert [e["id"] for e in inbox(api_fn)["json"]["items"]] == ["refund:RF8:paid"]


# -- batches of ten ----------------------------------------------------------------------------


def test_channel_messages_go_ten_per_call_and_partial_failures_are_retried(
        api_fn: Any, notifier_fn: Any, queues: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    people = [f"1101051949123{n:04d}X" for n in range(10)]
    for person in people:
        set_preferences(api_fn, EVERY_CHANNEL, who=("taxpayer", person))
    sqs = notifier_fn.notifier.sender.client
    original = sqs.send_message_batch
    refused: set[str] = set()
    asked: list[int] = []

    def flaky(**kwargs: Any) -> Any:
        """The first call to each queue refuses its first two entries."""
        entries = kwargs["Entries"]
        asked.append(len(entries))
        if kwargs["QueueUrl"] in refused:
            return original(**kwargs)
        refused.add(kwargs["QueueUrl"])
        answer = original(**{**kwargs, "Entries": entries[2:]})
        answer["Failed"] = [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError",
                             "Message": "try again"} for e in entries[:2]]
        return answer

    monkeypatch.setattr(sqs, "send_message_batch", flaky)
    monkeypatch.setattr(notifier_fn.notifier.sender, "sleep", lambda _: None)
    answer = notify(notifier_fn, *[notification(100 + i, recipient=p)
                                   for i, p in enumerate(people)])
    assert failures(answer) == []
    assert asked == [10, 2] * 4  # each queue: ten, then the two refused
    for url in queues.values():
        bodies = [json.loads(r["body"]) for r in drain(url)]
        assert sorted(b["recipient"] for b in bodies) == sorted(people)


def test_what_cannot_be_queued_is_retried_alone(
        api_fn: Any, notifier_fn: Any, queues: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A channel message the queue keeps refusing fails its event alone (retried, then
    dead-lettered); the batch's other events are done."""
    sqs = notifier_fn.notifier.sender.client
    original = sqs.send_message_batch

    def refuse_rf11(**kwargs: Any) -> Any:
        entries = kwargs["Entries"]
        bad = [e for e in entries if "RF11" in e["MessageBody"]]
        answer = original(**{**kwargs, "Entries": [e for e in entries if e not in bad]})
        answer["Failed"] = [{"Id": e["Id"], "SenderFault": True, "Code": "Refused",
                             "Message": "no"} for e in bad]
        return answer

    monkeypatch.setattr(sqs, "send_message_batch", refuse_rf11)
    monkeypatch.setattr(notifier_fn.notifier.sender, "sleep", lambda _: None)
    events = [record(envelope({"notification": notification(n)}), f"m{n}") for n in (10, 11)]
    answer = notifier_fn.handler({"Records": events}, LambdaContext())
    assert failures(answer) == ["m11"]
    assert [json.loads(r["body"])["notification_id"] for r in drain(queues["app"])] == [
        "refund:RF10:paid"]


def ratio_at_volume(api_fn: Any, notifier_fn: Any, api_calls: ApiCalls, *, count: int,
                    batch: int) -> dict[str, float]:
    """Publish ``count`` notifications (EventPublisher) to 53 people with mixed channel
    choices, hand them to the notifier ``batch`` at a time as its event source does, and
    count the messages per PutEvents / SendMessageBatch call."""
    choices: list[dict[str, Any]] = [
        EVERY_CHANNEL, {"channels": {"sms": {"address": "13900139000"}, "app": {}}},
        {"channels": {"wechat": {"address": "oWx-openid-0002"}}}, {"channels": {}}]
    people = [f"4401011990010{n:04d}X" for n in range(53)]
    for n, person in enumerate(people):
        if n % 5:  # one in five sets nothing (the default: the app)
            set_preferences(api_fn, choices[n % len(choices)], who=("taxpayer", person))
    publisher = EventPublisher(boto3.client("events"), "etax-test", "tax.filing")
    events = [DomainEvent("ReminderDue", {"notification": notification(
        f"R{i}", recipient=people[i % len(people)], kind="filing.reminder")})
        for i in range(count)]
    api_calls.clear()
    publisher.publish(events)
    entries = [publisher.entry(e) for e in events]
    put_calls = api_calls.of("events").count("PutEvents")
    for start in range(0, count, batch):
        records = [record(envelope(json.loads(e["Detail"]), e["Source"], e["DetailType"]))
                   for e in entries[start:start + batch]]
        assert failures(notifier_fn.handler({"Records": records}, LambdaContext())) == []
    send_batches = [p for s, op, p in api_calls.calls if op == "SendMessageBatch"]
    messages = sum(len(p["Entries"]) for p in send_batches)
    return {"notifications": count, "put_events_calls": put_calls,
            "events_per_call": count / put_calls,
            "channel_messages": messages, "send_message_batch_calls": len(send_batches),
            "messages_per_sqs_call": messages / len(send_batches),
            "messages_per_call": (count + messages) / (put_calls + len(send_batches))}


def test_at_volume_every_call_carries_close_to_ten_messages(
        api_fn: Any, notifier_fn: Any, queues: dict[str, str], api_calls: ApiCalls) -> None:
    # batches of 250: the notifier's event source batch size (infra/notifications.py)
    figures = ratio_at_volume(api_fn, notifier_fn, api_calls, count=500, batch=250)
    assert figures["events_per_call"] == 10
    assert figures["messages_per_sqs_call"] >= 9.5
    assert figures["messages_per_call"] >= 9.5


# -- the routes ------------------------------------------------------------------------------


def test_inbox_is_newest_first_paginated_and_marked_read(
        api_fn: Any, notifier_fn: Any, queues: dict[str, str]) -> None:
    for n in range(5):
        notify(notifier_fn, notification(20 + n))
    notify(notifier_fn, notification(99, recipient=COMPANY))
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = inbox(api_fn, params=params)["json"]
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"refund:RF{n}:paid" for n in (24, 23, 22, 21, 20)]

    answer = call(api_fn, request("POST", "/v1/me/inbox/read", who=ME, body={
        "ids": ["refund:RF22:paid", "refund:RF99:paid", "refund:RF22:paid"]}))
    assert answer["json"] == {"read": ["refund:RF22:paid"], "already_read": [],
                              "unknown": ["refund:RF99:paid"]}  # another's is unknown here
    again = call(api_fn, request("POST", "/v1/me/inbox/read", who=ME,
                                 body={"ids": ["refund:RF22:paid"]}))
    assert again["json"]["already_read"] == ["refund:RF22:paid"]
    read = {e["id"]: e["read_at"] for e in inbox(api_fn)["json"]["items"]}
    assert read["refund:RF22:paid"] is not None
    assert read["refund:RF23:paid"] is None


def test_inbox_refusals_name_the_field(api_fn: Any, notifier_fn: Any,
                                       queues: dict[str, str]) -> None:
    for n in range(3):
        notify(notifier_fn, notification(30 + n), notification(40 + n, recipient=COMPANY))
    for params, field in (({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"),
                          ({"limit": "101"}, "limit"), ({"cursor": "%%%"}, "cursor")):
        answer = inbox(api_fn, params=params)
        assert (answer["statusCode"], answer["json"]["field"]) == (422, field)
    # a cursor of another person's inbox is refused, not followed
    theirs = inbox(api_fn, ("taxpayer", COMPANY), {"limit": "1"})["json"]["next_cursor"]
    answer = inbox(api_fn, params={"cursor": theirs})
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "cursor")
    assert call(api_fn, request("GET", "/v1/me/inbox"))["statusCode"] == 401
    bad = call(api_fn, request("POST", "/v1/me/inbox/read", who=ME, body={"ids": []}))
    assert (bad["statusCode"], bad["json"]["field"]) == (422, "ids")


def test_preferences_round_trip_and_defaults(api_fn: Any) -> None:
    got = call(api_fn, request("GET", "/v1/me/notification-preferences", who=ME))["json"]
    assert got == {"channels": {"app": {"enabled": True, "address": None}},
                   "updated_at": None, "default": True}
    put = set_preferences(api_fn, {"channels": {
        "sms": {"address": "+86 139-0013-9000", "kinds": ["refund", "filing.reminder"]},
        "email": {"address": "z@example.cn", "enabled": False}}})
    assert put["statusCode"] == 200
    got = call(api_fn, request("GET", "/v1/me/notification-preferences", who=ME))["json"]
    assert got["default"] is False
    assert got["channels"] == {
        "sms": {"enabled": True, "address": "+8613900139000",
                "kinds": ["refund", "filing.reminder"]},
        "email": {"enabled": False, "address": "z@example.cn"}}


@pytest.mark.parametrize(("body", "field"), [
    ({"channels": {"sms": {"address": "12345"}}}, "channels.sms.address"),
    ({"channels": {"sms": {}}}, "channels.sms.address"),
    ({"channels": {"email": {"address": "not-an-address"}}}, "channels.email.address"),
    ({"channels": {"wechat": {"address": "x"}}}, "channels.wechat.address"),
    ({"channels": {"fax": {"address": "010-1234"}}}, "channels.fax"),
    ({"channels": {"app": {"kinds": ["Refund!"]}}}, "channels.app.kinds[0]"),
    ({"channels": {"app": {"enabled": "maybe"}}}, "channels.app.enabled"),
    ({}, "channels"),
])
def test_preferences_refusals_name_the_field(api_fn: Any, body: dict[str, Any],
                                             field: str) -> None:
    answer = set_preferences(api_fn, body)
    assert answer["statusCode"] == 422
    assert answer["json"]["field"] == field
    assert call(api_fn, request("GET", "/v1/me/notification-preferences",
                                who=ME))["json"]["default"] is True  # nothing half-written


def test_an_admin_sends_through_the_bus(api_fn: Any, api_calls: ApiCalls) -> None:
    body = notification("admin-1")
    answer = call(api_fn, request("POST", "/v1/notifications", who=ADMIN, body=body))
    assert answer["statusCode"] == 202
    assert answer["json"] == {"id": body["id"], "recipient": PERSON, "status": "accepted"}
    [put] = [p for s, op, p in api_calls.calls if op == "PutEvents"]
    [entry] = put["Entries"]
    assert (entry["Source"], entry["DetailType"]) == ("tax.notifications",
                                                     "NotificationRequested")
    detail = json.loads(entry["Detail"])
    assert detail["notification"] == body
    assert detail["requested_by"] == "admin-0001"


@pytest.mark.parametrize(("who", "body", "status", "field"), [
    (ME, notification("x"), 403, None),
    (ADMIN, {**notification("x"), "kind": "Refund Paid"}, 422, "kind"),
    (ADMIN, {**notification("x"), "id": ""}, 422, "id"),
    (ADMIN, {**notification("x"), "link": "https://elsewhere.example"}, 422, "link"),
    (ADMIN, {k: v for k, v in notification("x").items() if k != "title"}, 422, "title"),
])
def test_admin_send_refusals(api_fn: Any, who: tuple[str, str], body: dict[str, Any],
                             status: int, field: str | None) -> None:
    answer = call(api_fn, request("POST", "/v1/notifications", who=who, body=body))
    assert answer["statusCode"] == status
    assert answer["json"].get("field") == field


def test_sample_events(notifier_fn: Any, senders: dict[str, Any], api_fn: Any) -> None:
    """The sample events under events/ run through their handlers."""
    assert notifier_fn.handler(sample_event("notifier/batch.json"),
                               LambdaContext()) == {"batchItemFailures": []}
    assert senders["app"].handler(sample_event("notification_sender/delivery.json"),
                                  LambdaContext()) == {"batchItemFailures": []}
    answer = call(api_fn, sample_event("notifications/inbox.json"))
    assert answer["statusCode"] == 200
    [entry] = answer["json"]["items"]
    assert entry["id"] == "refund:RF202611280001:paid"
    assert entry["deliveries"]["app"]["state"] == "sent"

