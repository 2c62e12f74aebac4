"""The registration feed consumer: partial batch failures, revisions, announcements."""

from __future__ import annotations

import json

import boto3

from tests.functional.conftest import ApiCalls, call, load_handler, sample_event

SELLER = "91350100M000100Y43"


def stored(code: str) -> dict[str, object] | None:
    item: dict[str, object] | None = boto3.resource("dynamodb").Table("registry").get_item(
        Key={"credit_code": code}).get("Item")
    return item


def test_bad_records_fail_alone(api_calls: ApiCalls) -> None:
    event = sample_event("acceptance_feed/batch.json")
    answer = call(load_handler("acceptance_feed"), event)
    failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
    ids = [r["messageId"] for r in event["Records"]]
    assert failed == {ids[1], ids[2]}  # a malformed credit code, and a body that is not JSON
    record = stored(SELLER)
    assert record is not None
    assert record["name"] == "福州示例科技有限公司"
    [put] = [p for s, op, p in api_calls.calls if op == "PutEvents"]
    [entry] = put["Entries"]
    assert entry["Source"] == "tax.registration"
    assert entry["DetailType"] == "RegistrationChanged"
    assert entry["EventBusName"] == "etax-test"
    assert json.loads(entry["Detail"])["credit_code"] == SELLER


def test_an_older_revision_changes_nothing(aws: None) -> None:
    module = load_handler("acceptance_feed")
    event = sample_event("acceptance_feed/batch.json")
    good = event["Records"][0]
    newer = json.loads(good["body"]) | {"revision": 5, "status": "cancelled"}
    older = json.loads(good["body"]) | {"revision": 4, "status": "active"}
    for body in (newer, older):
        batch = {"Records": [good | {"body": json.dumps(body, ensure_ascii=False)}]}
        assert call(module, batch)["batchItemFailures"] == []
    record = stored(SELLER)
    assert record is not None
    assert (record["revision"], record["status"]) == (5, "cancelled")
