"""E-invoices and the national verification service over HTTP on the local stack:
issue → download → offline signature check → verify five times → the sixth is refused →
red-letter (its QR carries the negative total and verifies) → verification shows it;
mismatching checks leave an invoice's five genuine checks intact; the WeChat-style (replays
refused) and SMS-style channels; bad input."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from etax.invoices.channels import wechat_msg_signature, wechat_signature
from tests.e2e.test_platform_e2e import bearer, channel_token, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SELLER = "91350100M000100Y43"
BUYER_ID = "350102199003071234"
ISSUE: dict[str, Any] = {
    "buyer": {"name": "陈小明", "id_number": BUYER_ID},
    "items": [{"name": "茶叶", "spec": "500g", "unit": "盒", "quantity": "2",
               "unit_price": "500.00", "tax_rate": "0.09"}],
    "channel": "mobile",
}


@pytest.fixture(scope="module")
def seller(api: str) -> dict[str, str]:
    return {**bearer(token(api, "taxpayer", SELLER))}


def issue(api: str, seller: dict[str, str], body: dict[str, Any] | None = None,
          key: str | None = None) -> requests.Response:
    return requests.post(f"{api}/v1/invoices", json=body or ISSUE, timeout=60,
                         headers={**seller, "Idempotency-Key": key or str(uuid.uuid4())})


def verify(api: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{api}/v1/invoices/verify", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_issue_download_check_verify_and_credit(api: str, seller: dict[str, str],
                                                tmp_path: Path) -> None:
    answer = issue(api, seller)
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    assert (summary["amount"], summary["tax"], summary["total"]) == ("1000.00", "90.00",
                                                                     "1090.00")
    number = summary["number"]

    # the buyer downloads it and checks the signature offline with the published key only
    buyer = bearer(token(api, "taxpayer", BUYER_ID))
    envelope = requests.get(f"{api}/v1/invoices/{number}", headers=buyer, timeout=30).json()
    (tmp_path / "invoice.json").write_text(json.dumps(envelope, ensure_ascii=False))
    keys = requests.get(f"{api}/v1/keys", timeout=30).json()
    (tmp_path / "keys.json").write_text(json.dumps(keys))
    checked = subprocess.run([sys.executable, str(ROOT / "scripts" / "verify_document.py"),
                              str(tmp_path / "invoice.json"), "--keys",
                              str(tmp_path / "keys.json")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    envelope["document"]["total_fen"] = 1
    (tmp_path / "forged.json").write_text(json.dumps(envelope, ensure_ascii=False))
    forged = subprocess.run([sys.executable, str(ROOT / "scripts" / "verify_document.py"),
                             str(tmp_path / "forged.json"), "--keys",
                             str(tmp_path / "keys.json")], capture_output=True, text=True)
    assert forged.returncode == 1

    # the printable document
    pdf = requests.get(f"{api}/v1/invoices/{number}/document",
                       headers={**buyer, "Accept": "application/pdf"}, timeout=60)
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    # five checks, the sixth refused
    query = {"number": number, "issue_date": summary["issue_date"], "total": summary["total"]}
    for n in range(1, 6):
        result = verify(api, query)
        assert (result["result_code"], result["checks_today"]) == ("001", n)
    assert result["invoice"]["status"] == "normal"
    assert verify(api, query)["result_code"] == "002"

    # a red-letter invoice: the original shows as red-flushed (checked on its QR payload? the
    # original's count is used up today, so the red invoice itself is checked)
    red = requests.post(f"{api}/v1/invoices/{number}/red-letter", json={"reason": "退货"},
                        headers={**seller, "Idempotency-Key": str(uuid.uuid4())}, timeout=60)
    assert red.status_code == 201, red.text
    red_summary = red.json()
    assert red_summary["red_letter_of"] == number
    original = requests.get(f"{api}/v1/invoices/{number}", headers=seller, timeout=30).json()
    assert (original["status"], original["red_number"]) == ("red_flushed", red_summary["number"])
    assert red_summary["total"] == "-1090.00"
    assert f",{red_summary['number']},-1090.00," in red_summary["qr"]  # the signed total
    red_check = verify(api, {"qr": red_summary["qr"]})
    assert red_check["result_code"] == "001"
    assert red_check["invoice"]["red_letter_of"] == number
    assert red_check["invoice"]["total"] == "-1090.00"


def test_verification_shows_red_flushed_and_voided(api: str, seller: dict[str, str]) -> None:
    first = issue(api, seller).json()
    requests.post(f"{api}/v1/invoices/{first['number']}/red-letter", json={"reason": "开错"},
                  headers={**seller, "Idempotency-Key": str(uuid.uuid4())}, timeout=60)
    assert verify(api, {"qr": first["qr"]})["invoice"]["status"] == "red_flushed"
    second = issue(api, seller).json()
    voided = requests.post(f"{api}/v1/invoices/{second['number']}/void",
                           headers={**seller, "Idempotency-Key": str(uuid.uuid4())}, timeout=30)
    assert voided.json() == {"number": second["number"], "status": "voided"}
    assert verify(api, {"qr": second["qr"]})["invoice"]["status"] == "voided"


def test_mismatching_checks_leave_the_five_genuine_checks_intact(
        api: str, seller: dict[str, str]) -> None:
    summary = issue(api, seller).json()
    query = {"number": summary["number"], "issue_date": summary["issue_date"],
             "total": summary["total"]}
    for n in range(10):  # one client (this machine) guessing the total
        assert verify(api, {**query, "total": f"{n + 1}.00"})["result_code"] == "006"
    for n in range(1, 6):
        result = verify(api, query)
        assert (result["result_code"], result["checks_today"]) == ("001", n)
    assert verify(api, query)["result_code"] == "002"


def stream_invocations(aws: Any, since_ms: int) -> int:
    """How many times the invoice stream's function ran since ``since_ms`` (its REPORT lines;
    LocalStack writes them to /aws/lambda/<name>)."""
    lambda_client, logs = aws("lambda"), aws("logs")
    [name] = [f["FunctionName"] for page in lambda_client.get_paginator("list_functions").paginate()
              for f in page["Functions"]
              if f.get("Environment", {}).get("Variables", {}).get("POWERTOOLS_SERVICE_NAME")
              == "invoice_events"]
    try:
        pages = logs.get_paginator("filter_log_events").paginate(
            logGroupName=f"/aws/lambda/{name}", startTime=since_ms,
            filterPattern='"REPORT RequestId"')
        return sum(len(page["events"]) for page in pages)
    except logs.exceptions.ResourceNotFoundException:
        return 0


def quiet_count(aws: Any, since_ms: int, quiet_seconds: float = 8, timeout: float = 90) -> int:
    """The stream function's runs since ``since_ms`` once no new run came for a while."""
    deadline = time.monotonic() + timeout
    count = stream_invocations(aws, since_ms)
    while time.monotonic() < deadline:
        time.sleep(quiet_seconds)
        now = stream_invocations(aws, since_ms)
        if now == count:
            return count
        count = now
    raise AssertionError("the invoice stream's function did not settle")


def test_verifications_do_not_wake_the_invoice_stream(api: str, seller: dict[str, str],
                                                      aws: Any) -> None:
    """A genuine check rewrites the invoice's counter: the stream's filter keeps it from
    running the announcing function (only a new invoice or a voiding does)."""
    since_ms = int(time.time() * 1000) - 1000
    summary = issue(api, seller).json()
    before = quiet_count(aws, since_ms)
    assert before >= 1  # the new invoice woke it (and it announced InvoiceIssued)
    query = {"number": summary["number"], "issue_date": summary["issue_date"],
             "total": summary["total"]}
    for n in range(1, 6):
        assert verify(api, query)["checks_today"] == n
    assert quiet_count(aws, since_ms) == before


def test_not_found_and_mismatch(api: str, seller: dict[str, str]) -> None:
    summary = issue(api, seller).json()
    assert verify(api, {"number": summary["number"], "issue_date": summary["issue_date"],
                        "total": "1.00"})["result_code"] == "006"
    assert verify(api, {"number": "26359000000000000001", "issue_date": summary["issue_date"],
                        "total": "1.00"})["result_code"] == "009"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({**ISSUE, "items": [{**ISSUE["items"][0], "tax_rate": "0.17"}]}, 422, "items[0].tax_rate"),
    ({**ISSUE, "channel": "fax"}, 422, "channel"),
])
def test_bad_invoices_name_the_field(api: str, seller: dict[str, str], body: dict[str, Any],
                                     status: int, field: str) -> None:
    answer = issue(api, seller, body)
    assert answer.status_code == status
    assert answer.json()["field"] == field


def test_a_retried_issue_answers_the_first_answer_byte_for_byte(
        api: str, seller: dict[str, str]) -> None:
    """A client that retries with its Idempotency-Key gets the same invoice, and the same
    bytes: its keys in their order, not re-sorted by the store that kept it."""
    key = str(uuid.uuid4())
    first, again = issue(api, seller, key=key), issue(api, seller, key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.text == first.text
    assert list(first.json())[:3] == ["number", "type", "issue_date"]


def test_issuing_needs_an_idempotency_key_and_a_seller(api: str,
                                                       seller: dict[str, str]) -> None:
    missing = requests.post(f"{api}/v1/invoices", json=ISSUE, headers=seller, timeout=30)
    assert (missing.status_code, missing.json()["field"]) == (400, "Idempotency-Key")
    officer = bearer(token(api, "officer", "officer-fz-0001", "13501000000"))
    refused = requests.post(f"{api}/v1/invoices", json=ISSUE, timeout=30,
                            headers={**officer, "Idempotency-Key": "x"})
    assert refused.status_code == 403
    anonymous = requests.post(f"{api}/v1/invoices", json=ISSUE, timeout=30,
                              headers={"Idempotency-Key": "x"})
    assert anonymous.status_code == 401


def test_qr_parse_and_spec(api: str) -> None:
    parsed = requests.post(f"{api}/v1/invoices/qr/parse", timeout=30, json={
        "payload": "01,32,,23442000000014209621,112,20230215,,74AE"}).json()
    assert (parsed["type"], parsed["amount"], parsed["date"]) == ("32", "112.00", "2023-02-15")
    bad = requests.post(f"{api}/v1/invoices/qr/parse", json={"payload": "01,32"}, timeout=30)
    assert (bad.status_code, bad.json()["field"]) == (400, "payload")
    spec = requests.get(f"{api}/v1/invoices/spec", timeout=30).json()
    assert spec["schema"]["properties"]["number"]["pattern"] == "^[0-9]{20}$"


def test_wechat_and_sms_channels(api: str, seller: dict[str, str], aws: Any,
                                 stack: dict[str, Any]) -> None:
    summary = issue(api, seller).json()
    secret = channel_token(aws, stack)
    text = f"CY {summary['number']} {summary['issue_date'].replace('-', '')} {summary['total']}"
    timestamp, nonce = str(int(time.time())), "abc123"
    params = {"timestamp": timestamp, "nonce": nonce,
              "signature": wechat_signature(secret, timestamp, nonce)}
    handshake = requests.get(f"{api}/v1/channels/wechat", params={**params, "echostr": "hi"},
                             timeout=30)
    assert handshake.text == "hi"
    message = ("<xml><ToUserName><![CDATA[gh_etax]]></ToUserName><FromUserName><![CDATA[oU1]]>"
               "</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[{text}]]></Content><MsgId>9</MsgId></xml>")
    signed = {"timestamp": timestamp, "nonce": nonce,
              "msg_signature": wechat_msg_signature(secret, timestamp, nonce, message)}
    reply = requests.post(f"{api}/v1/channels/wechat", params=signed, timeout=30,
                          data=message.encode(), headers={"Content-Type": "text/xml"})
    assert reply.status_code == 200, reply.text
    assert "查验成功" in reply.text
    assert "<ToUserName>oU1</ToUserName>" in reply.text
    replayed = requests.post(f"{api}/v1/channels/wechat", params=signed, timeout=30,
                             data=message.encode(), headers={"Content-Type": "text/xml"})
    assert (replayed.status_code, replayed.json()["field"]) == (403, "nonce")
    altered = requests.post(f"{api}/v1/channels/wechat", timeout=30,
                            params={**signed, "nonce": "abc124"},
                            data=message.replace("oU1", "oU2").encode(),
                            headers={"Content-Type": "text/xml"})
    assert (altered.status_code, altered.json()["field"]) == (403, "msg_signature")
    stale_stamp = str(int(time.time()) - 600)
    stale = requests.post(f"{api}/v1/channels/wechat", timeout=30, params={
        "timestamp": stale_stamp, "nonce": "abc125",
        "msg_signature": wechat_msg_signature(secret, stale_stamp, "abc125", message)},
        data=message.encode(), headers={"Content-Type": "text/xml"})
    assert (stale.status_code, stale.json()["field"]) == (403, "timestamp")

    body = json.dumps({"from": "+8613800000000", "text": "hello"}).encode()
    sms = requests.post(f"{api}/v1/channels/sms", data=body, timeout=30, headers={
        "Content-Type": "application/json",
        "X-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()})
    assert sms.status_code == 200
    assert "发票查验" in sms.json()["text"]  # help, not an error page


def test_imported_legacy_invoices_are_verified(api: str, stack: dict[str, Any],
                                               tmp_path: Path) -> None:
    record = {"code": "044031900104", "number": "00077001", "issue_date": "2025-03-02",
              "amount": "200.00", "tax": "26.00", "total": "226.00",
              "check_code": "48114255542168299876",
              "seller": {"name": "深圳示例有限公司"}, "buyer": {"name": "李四"}}
    lines = tmp_path / "legacy.jsonl"
    lines.write_text(json.dumps(record, ensure_ascii=False) + "\n")
    command = [sys.executable, str(ROOT / "scripts" / "import_legacy_invoices.py"), str(lines),
               "--table", stack["InvoicesTableName"], "--endpoint", stack["Endpoint"]]
    first = subprocess.run(command, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "imported 1" in first.stdout
    again = subprocess.run(command, capture_output=True, text=True)
    assert "already present 1" in again.stdout
    result = verify(api, {"code": record["code"], "number": record["number"],
                          "issue_date": record["issue_date"], "check_code_last6": "299876"})
    assert result["result_code"] == "001"
    assert result["invoice"]["type"] == "04"


def test_invisible_and_bidi_characters_are_refused_in_signed_text(
        api: str, seller: dict[str, str]) -> None:
    cases = [
        ({**ISSUE, "buyer": {"name": "陈小明\u202e", "id_number": BUYER_ID}}, "buyer.name"),
        ({**ISSUE, "items": [{**ISSUE["items"][0], "name": "茶\u200b叶"}]}, "items[0].name"),
        ({**ISSUE, "remarks": "合同号 A-1\n价税合计 0.00"}, "remarks"),
    ]
    for body, field in cases:
        answer = issue(api, seller, body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == field
        assert "\u202e" not in answer.text


def test_a_taxpayer_lists_its_own_invoices_issued_and_received(
        api: str, seller: dict[str, str]) -> None:
    from tests.e2e.test_portal_e2e import fresh_person

    person = fresh_person()
    numbers = [issue(api, seller, {**ISSUE, "buyer": {"name": "林小红", "id_number": person}})
               .json()["number"] for _ in range(3)]

    def listed(who: dict[str, str], **query: str) -> requests.Response:
        return requests.get(f"{api}/v1/invoices", params=query, headers=who, timeout=30)

    # the buyer, signed in by resident ID, pages through what it received, newest first
    buyer = bearer(token(api, "taxpayer", person))
    first = listed(buyer, direction="received", limit="2")
    assert first.status_code == 200, first.text
    second = listed(buyer, direction="received", limit="2", cursor=first.json()["cursor"]).json()
    items = first.json()["items"] + second["items"]
    assert sorted(i["number"] for i in items) == sorted(numbers)
    assert items[0]["counterparty"]["credit_code"] == SELLER
    assert (items[0]["total"], items[0]["status"]) == ("1090.00", "normal")
    # the seller sees them among what it issued, the buyer's name masked and its ID never shown
    issued = listed(seller, direction="issued", limit="3").json()
    mine = [i for i in issued["items"] if i["number"] in numbers]
    assert mine
    assert mine[0]["counterparty"] == {"kind": "person", "name": "林**"}
    assert person not in json.dumps(issued)
    # another person sees none of them, and the buyer's cursor is not theirs to use
    stranger = bearer(token(api, "taxpayer", fresh_person()))
    assert listed(stranger, direction="received").json()["items"] == []
    refused = listed(stranger, direction="received", cursor=first.json()["cursor"])
    assert refused.status_code == 400
    assert refused.json()["field"] == "cursor"
    assert not any(n in refused.text for n in numbers)
    bad = listed(buyer, direction="sideways")
    assert (bad.status_code, bad.json()["field"]) == (400, "direction")
    officer = bearer(token(api, "officer", "officer-fz-0001", tax_office="13501000000"))
    assert listed(officer, direction="issued").status_code == 403
