"""The national verification service over moto: verdicts, the daily limit, one DynamoDB call
per check, QR parsing, and the message channels."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import boto3
import pytest

from etax.invoices.channels import wechat_signature
from tests.functional.conftest import ApiCalls, LambdaContext, call, load_handler
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


def check(module: Any, body: dict[str, Any]) -> dict[str, Any]:
    return call(module, request("POST", "/v1/invoices/verify", body=body))


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
    call(invoicing, request("POST", f"/v1/invoices/{number}/red-letter", body={"reason": "退货"},
                            who=("taxpayer", "91350100M000100Y43"), key="red",
                            resource="/v1/invoices/{number}/red-letter",
                            params={"number": number}))
    answer = check(verification, by_total(issued))["json"]
    assert answer["invoice"]["status"] == "red_flushed"
    assert answer["invoice"]["red_number"]


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


def wechat_event(content: str, token: str = TOKEN) -> dict[str, Any]:
    timestamp, nonce = str(int(time.time())), "n0nce"
    event = request("POST", "/v1/channels/wechat")
    event["body"] = (
        "<xml><ToUserName><![CDATA[gh_etax]]></ToUserName>"
        "<FromUserName><![CDATA[oUser123]]></FromUserName><CreateTime>1795880000</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        "<MsgId>1</MsgId></xml>")
    event["headers"]["Content-Type"] = "text/xml"
    event["queryStringParameters"] = {"timestamp": timestamp, "nonce": nonce,
                                      "signature": wechat_signature(token, timestamp, nonce)}
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
