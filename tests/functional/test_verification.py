"""The national verification service over moto: verdicts, the daily limit (genuine checks
only), the mismatch ceiling and the per-caller budget, one DynamoDB call per genuine check, QR
parsing (red-letter invoices too), and the message channels (replays refused)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import boto3
import pytest

from etax.invoices.channels import wechat_msg_signature, wechat_signature
from tests.functional.conftest import (
    ApiCalls,
    LambdaContext,
    business_metrics,
    call,
    load_handler,
)
from tests.functional.test_invoices import issue, request

TOKEN = "channel-token-for-tests"


@pytest.fixture
def issued(invoicing: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    arn = boto3.client("secretsmanager").create_secret(
        Name="channel-token", SecretString=json.dumps({"token": TOKEN}))["ARN"]
    monkeypatch.setenv("CHANNEL_TOKEN_SECRET", arn)
    summary: dict[str, Any] = issue(invoicing)["json"]
    return summary


@pytest.fixture
def verification(issued: dict[str, Any]) -> Any:
    return load_handler("verification")


def check(module: Any, body: dict[str, Any], ip: str = "203.0.113.7") -> dict[str, Any]:
    event = request("POST", "/v1/invoices/verify", body=body)
    event["requestContext"]["identity"] = {"sourceIp": ip}
    return call(module, event)


def by_total(summary: dict[str, Any], total: str | None = None) -> dict[str, Any]:
    return {"number": summary["number"], "issue_date": summary["issue_date"],
            "total": total or summary["total"]}


def test_five_genuine_checks_then_the_daily_limit(verification: Any,
                                                 issued: dict[str, Any]) -> None:
    for n in range(1, 6):
        answer = check(verification, by_total(issued))
        assert answer["statusCode"] == 200
        assert answer["json"]["result_code"] == "001"
        assert answer["json"]["checks_today"] == n
    body = answer["json"]
    assert body["invoice"]["status"] == "normal"
    assert body["invoice"]["total"] == "1235.99"
    assert body["invoice"]["buyer"]["name"] == "陈**"
    assert body["invoice"]["buyer"]["id_number"] == "350102********1234"
    sixth = check(verification, by_total(issued))["json"]
    assert sixth["result_code"] == "002"
    assert "invoice" not in sixth


def test_mismatch_and_not_found(verification: Any, issued: dict[str, Any]) -> None:
    mismatch = check(verification, by_total(issued, "1235.98"))["json"]
    assert mismatch["result_code"] == "006"
    assert "invoice" not in mismatch
    missing = check(verification, by_total({**issued, "number": "26352000000000099999"}))
    assert missing["json"]["result_code"] == "009"


def test_one_dynamodb_call_per_check(verification: Any, issued: dict[str, Any],
                                     api_calls: ApiCalls) -> None:
    check(verification, by_total(issued))  # warm: the module's clients exist
    api_calls.clear()
    check(verification, by_total(issued))
    assert api_calls.of("dynamodb") == ["UpdateItem"]
    api_calls.clear()  # a mismatch: the failed check, the invoice's and the caller's counters
    assert check(verification, by_total(issued, "1.00"))["json"]["result_code"] == "006"
    assert api_calls.of("dynamodb") == ["UpdateItem"] * 3


def test_mismatches_do_not_use_up_the_invoice_s_checks(verification: Any,
                                                      issued: dict[str, Any]) -> None:
    for n in range(10):
        wrong = check(verification, by_total(issued, f"{n + 1}.00"))["json"]
        assert wrong["result_code"] == "006"
        assert wrong["checks_today"] is None
    for n in range(1, 6):
        genuine = check(verification, by_total(issued))["json"]
        assert (genuine["result_code"], genuine["checks_today"]) == ("001", n)
    assert check(verification, by_total(issued))["json"]["result_code"] == "002"


def test_the_invoice_s_mismatch_ceiling_closes_it_for_the_day(verification: Any,
                                                               issued: dict[str, Any]) -> None:
    for n in range(20):  # twenty callers, one wrong guess each
        assert check(verification, by_total(issued, "1.00"),
                     ip=f"198.51.100.{n}")["json"]["result_code"] == "006"
    # beyond the ceiling a right guess is not told apart from a wrong one
    assert check(verification, by_total(issued, "2.00"))["json"]["result_code"] == "002"
    assert check(verification, by_total(issued))["json"]["result_code"] == "002"


def test_a_caller_s_failed_checks_are_limited_429(verification: Any,
                                                 issued: dict[str, Any]) -> None:
    missing = {**issued, "number": "26352000000000099999"}
    for _ in range(40):
        assert check(verification, by_total(missing))["json"]["result_code"] == "009"
    for _ in range(9):  # 40 unknown numbers + 9 wrong totals + 1 more: 50 failures
        assert check(verification, by_total(issued, "1.00"))["json"]["result_code"] == "006"
    assert check(verification, by_total(missing))["json"]["result_code"] == "009"
    refused = check(verification, by_total(missing))
    assert refused["statusCode"] == 429, refused["json"]
    assert refused["headers"]["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["headers"]["Retry-After"]) <= 86_401
    assert refused["json"]["retry_after"] == int(refused["headers"]["Retry-After"])
    assert check(verification, by_total(issued, "1.00"))["statusCode"] == 429
    # a genuine check is never refused for the caller's failures, and others go on
    assert check(verification, by_total(issued))["json"]["result_code"] == "001"
    other = check(verification, by_total(missing), ip="198.51.100.77")
    assert other["json"]["result_code"] == "009"


def test_an_invoice_stored_without_the_compared_attributes_still_verifies(
        verification: Any, issued: dict[str, Any], api_calls: ApiCalls) -> None:
    boto3.client("dynamodb").update_item(TableName="invoices",
                                         Key={"number": {"S": issued["number"]}},
                                         UpdateExpression="REMOVE total_fen")
    api_calls.clear()
    answer = check(verification, by_total(issued))["json"]
    assert (answer["result_code"], answer["checks_today"]) == ("001", 1)
    assert api_calls.of("dynamodb") == ["UpdateItem", "UpdateItem"]


def test_by_qr_payload(verification: Any, issued: dict[str, Any]) -> None:
    answer = check(verification, {"qr": issued["qr"]})["json"]
    assert answer["result_code"] == "001"


@pytest.mark.parametrize(("body", "field"), [
    ({"number": "123", "issue_date": "2026-11-28", "total": "1.00"}, "number"),
    ({"number": "26352000000000000001", "issue_date": "2026-13-01", "total": "1.00"},
     "issue_date"),
    ({"number": "26352000000000000001", "issue_date": "2019-01-01", "total": "1.00"},
     "issue_date"),
    ({"qr": "02,32,,26352000000000000001,1.00,20261128,,ABCD,"}, "qr.version"),
])
def test_bad_queries_name_the_field(verification: Any, body: dict[str, Any],
                                    field: str) -> None:
    answer = check(verification, body)
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_red_flushed_and_voided_show_in_verdicts(invoicing: Any, verification: Any,
                                                 issued: dict[str, Any]) -> None:
    number = issued["number"]
    red = call(invoicing, request("POST", f"/v1/invoices/{number}/red-letter",
                                  body={"reason": "退货"},
                                  who=("taxpayer", "91350100M000100Y43"), key="red",
                                  resource="/v1/invoices/{number}/red-letter",
                                  params={"number": number}))["json"]
    answer = check(verification, by_total(issued))["json"]
    assert answer["invoice"]["status"] == "red_flushed"
    assert answer["invoice"]["red_number"]
    # the red-letter invoice's QR carries its negative total, and verifies as it is printed
    assert red["total"] == "-1235.99"
    assert ",-1235.99," in red["qr"]
    by_qr = check(verification, {"qr": red["qr"]})["json"]
    assert (by_qr["result_code"], by_qr["invoice"]["total"]) == ("001", "-1235.99")
    assert by_qr["invoice"]["red_letter_of"] == number
    assert check(verification, by_total(red))["json"]["result_code"] == "001"
    assert check(verification, by_total(red, "1235.99"))["json"]["result_code"] == "006"


def test_qr_parse(verification: Any) -> None:
    payload = " 01,10,011001605111,80100798,64.9,20161018,85342965681116380258 "
    answer = call(verification, request("POST", "/v1/invoices/qr/parse",
                                        body={"payload": payload}))
    assert answer["statusCode"] == 200
    assert answer["json"]["type_name"] == "增值税电子普通发票"
    assert answer["json"]["amount"] == "64.90"
    bad = call(verification, request("POST", "/v1/invoices/qr/parse",
                                     body={"payload": "01,32,,123"}))
    assert bad["statusCode"] == 400
    assert bad["json"]["field"] == "payload"
    bad_date = call(verification, request("POST", "/v1/invoices/qr/parse", body={
        "payload": "01,32,,26352000000000000001,1.00,20261332,,ABCD,"}))
    assert (bad_date["statusCode"], bad_date["json"]["field"]) == (400, "payload.date")


def wechat_event(content: str, token: str = TOKEN, *, nonce: str | None = None,
                 timestamp: int | None = None, sender: str = "oUser123") -> dict[str, Any]:
    stamp, nonce = str(timestamp or int(time.time())), nonce or uuid.uuid4().hex[:16]
    event = request("POST", "/v1/channels/wechat")
    event["body"] = (
        "<xml><ToUserName><![CDATA[gh_etax]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName><CreateTime>1795880000</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        "<MsgId>1</MsgId></xml>")
    event["headers"]["Content-Type"] = "text/xml"
    event["queryStringParameters"] = {
        "timestamp": stamp, "nonce": nonce,
        "msg_signature": wechat_msg_signature(token, stamp, nonce, event["body"])}
    return event


def test_wechat_answers_in_xml(verification: Any, issued: dict[str, Any]) -> None:
    text = f"CY {issued['number']} {issued['issue_date'].replace('-', '')} {issued['total']}"
    answer = call(verification, wechat_event(text))
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "application/xml"
    assert "<ToUserName>oUser123</ToUserName>" in answer["body"]
    assert "查验成功" in answer["body"]
    helpful = call(verification, wechat_event("hello"))
    assert "发票查验" in helpful["body"]
    forged = call(verification, wechat_event("CY", token="wrong"))
    assert forged["statusCode"] == 403


def test_wechat_replays_stale_and_altered_messages_are_refused(
        verification: Any, issued: dict[str, Any]) -> None:
    text = f"CY {issued['number']} {issued['issue_date'].replace('-', '')} {issued['total']}"
    event = wechat_event(text)
    assert call(verification, event)["statusCode"] == 200
    replayed = call(verification, event)
    assert (replayed["statusCode"], replayed["json"]["field"]) == (403, "nonce")
    stale = call(verification, wechat_event(text, timestamp=int(time.time()) - 301))
    assert (stale["statusCode"], stale["json"]["field"]) == (403, "timestamp")
    ahead = call(verification, wechat_event(text, timestamp=int(time.time()) + 301))
    assert (ahead["statusCode"], ahead["json"]["field"]) == (403, "timestamp")
    assert call(verification, wechat_event(text, timestamp=int(time.time()) - 290)
                )["statusCode"] == 200
    altered = wechat_event(text)  # the signature covers the body: another text is refused
    altered["body"] = altered["body"].replace("oUser123", "oSomeoneElse")
    refused = call(verification, altered)
    assert (refused["statusCode"], refused["json"]["field"]) == (403, "msg_signature")
    # the old three-part signature alone no longer admits a message
    old_style = wechat_event(text)
    params = old_style["queryStringParameters"]
    params["signature"] = params.pop("msg_signature")
    assert call(verification, old_style)["statusCode"] == 403
    # the handshake keeps the three-part signature, with the same time window
    stamp = str(int(time.time()))
    handshake = request("GET", "/v1/channels/wechat")
    handshake["queryStringParameters"] = {
        "timestamp": stamp, "nonce": "n1", "echostr": "hi",
        "signature": wechat_signature(TOKEN, stamp, "n1")}
    assert call(verification, handshake)["body"] == "hi"
    handshake["queryStringParameters"]["timestamp"] = "1"
    assert call(verification, handshake)["statusCode"] == 403


def test_a_channel_sender_s_spent_budget_is_answered_in_text(
        verification: Any, issued: dict[str, Any]) -> None:
    text = f"CY 26352000000000099999 {issued['issue_date'].replace('-', '')} 1.00"
    for _ in range(50):
        assert "查无此票" in call(verification, wechat_event(text, sender="oProber"))["body"]
    spent = call(verification, wechat_event(text, sender="oProber"))
    assert spent["statusCode"] == 200
    assert "已达上限" in spent["body"]
    assert "查无此票" in call(verification, wechat_event(text, sender="oOther"))["body"]


def test_sms_answers_with_text(verification: Any, issued: dict[str, Any]) -> None:
    body = json.dumps({"from": "+8613800000000",
                       "text": f"查验 {issued['number']} {issued['issue_date']} {issued['total']}"},
                      ensure_ascii=False)
    event = request("POST", "/v1/channels/sms")
    event["body"] = body
    event["headers"]["X-Signature"] = hmac.new(TOKEN.encode(), body.encode(),
                                               hashlib.sha256).hexdigest()
    answer = call(verification, event)
    assert answer["statusCode"] == 200
    assert answer["json"]["to"] == "+8613800000000"
    assert "查验成功" in answer["json"]["text"]
    event["headers"]["X-Signature"] = "0" * 64
    assert call(verification, event)["statusCode"] == 403


def test_invoice_events_from_the_stream(invoicing: Any, issued: dict[str, Any],
                                        api_calls: ApiCalls) -> None:
    item = boto3.client("dynamodb").get_item(TableName="invoices",
                                             Key={"number": {"S": issued["number"]}})["Item"]
    module = load_handler("invoice_events")
    inserted = {"eventName": "INSERT", "dynamodb": {"NewImage": item}}
    voided = {"eventName": "MODIFY", "dynamodb": {
        "OldImage": item, "NewImage": {**item, "status": {"S": "voided"}}}}
    module.handler({"Records": [inserted, voided]}, LambdaContext())
    [put] = [p for _, op, p in api_calls.calls if op == "PutEvents"]
    kinds = [e["DetailType"] for e in put["Entries"]]
    assert kinds == ["InvoiceIssued", "InvoiceVoided"]
    assert json.loads(put["Entries"][0]["Detail"])["number"] == issued["number"]


def test_verifications_and_qr_parses_are_counted_by_result(
        verification: Any, issued: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """Each check is one InvoiceVerifications by its result code (never the invoice or the
    caller as a dimension); a QR parse is counted parsed or refused."""
    capsys.readouterr()
    check(verification, by_total(issued))
    check(verification, by_total(issued, "1235.98"))
    check(verification, by_total({**issued, "number": "26352000000000099999"}))
    call(verification, request("POST", "/v1/invoices/qr/parse", body={
        "payload": "01,10,011001605111,80100798,64.9,20161018,85342965681116380258"}))
    call(verification, request("POST", "/v1/invoices/qr/parse", body={"payload": "01,32,,1"}))
    assert business_metrics(capsys.readouterr().out) == [
        ("InvoiceVerifications", 1.0, {"result": "001"}),
        ("InvoiceVerifications", 1.0, {"result": "006"}),
        ("InvoiceVerifications", 1.0, {"result": "009"}),
        ("QrParses", 1.0, {"result": "parsed"}),
        ("QrParses", 1.0, {"result": "refused"}),
    ]


def test_issued_and_voided_invoices_are_counted_once_announced(
        invoicing: Any, issued: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    item = boto3.client("dynamodb").get_item(TableName="invoices",
                                             Key={"number": {"S": issued["number"]}})["Item"]
    module = load_handler("invoice_events")
    capsys.readouterr()
    module.handler({"Records": [
        {"eventName": "INSERT", "dynamodb": {"NewImage": item}},
        {"eventName": "INSERT", "dynamodb": {"NewImage": {**item, "doc": {"S": json.dumps(
            {**json.loads(item["doc"]["S"]), "red_letter_of": "x"})}}}},
        {"eventName": "MODIFY", "dynamodb": {
            "OldImage": item, "NewImage": {**item, "status": {"S": "voided"}}}}]},
        LambdaContext())
    assert business_metrics(capsys.readouterr().out) == [
        (name, 1.0, {})
        for name in ("InvoicesIssued", "InvoicesRedLettered", "InvoicesVoided")]
