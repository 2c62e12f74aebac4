"""Self-service (B7) over HTTP on the local stack: a paper supply applied for, verified (验旧),
approved and delivered with its tracking trail; one over the automatic limit approved by an
officer; a digital quota raised and then used for issuing; a residency certificate issued,
downloaded as PDF, verified online and offline, a tampered copy refused, and another taxpayer
refused. The events the pipeline publishes are watched on the bus through a test queue."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from etax.documents.canonical import canonical_bytes
from etax.rules import uscc
from tests.e2e.app_fixtures import bus_tap
from tests.e2e.test_invoices_e2e import ISSUE
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SELLER = "91350100M000100Y43"
BUYER_ID = "350102199003071234"
FUZHOU = "13501000000"
NEW_SELLER = uscc.complete("91350100MA2Y9Q7R1")  # registered here, no issuing quota
DELIVERY = {"recipient": "林晓明", "phone": "13800000000",
            "address": "福建省福州市鼓楼区五四路示例大厦18层"}


def wait_for[T](what: str, probe: Callable[[], T | None], timeout: float = 120.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(1.0)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def registered(aws: Callable[[str], Any], stack: dict[str, Any], credit_code: str,
               name: str) -> None:
    """A company of the Fuzhou office registered through the registration feed (small-scale,
    wholesale), once it is in the registry."""
    record = {"credit_code": credit_code, "name": name, "status": "active",
              "registration_date": "2025-06-01", "tax_office_code": FUZHOU,
              "tax_office_name": "国家税务总局福州市税务局", "taxpayer_type": "small_scale",
              "legal_representative": "郑一", "address": "福州市示例路2号",
              "industry": "批发业", "revision": 1}
    aws("sqs").send_message(QueueUrl=stack["RegistrationFeedQueueUrl"],
                            MessageBody=json.dumps(record, ensure_ascii=False))
    wait_for(f"{name}'s registration", lambda: aws("dynamodb").get_item(
        TableName=stack["RegistryTableName"],
        Key={"credit_code": {"S": credit_code}}).get("Item"))


def fresh_company() -> str:
    """A credit code of its own for a test whose checks read the applicant's history (the
    demo seller's earlier batches, applied for by other suites on the same stack, would send a
    paper supply to review: 验旧 finds their numbers neither issued nor handed back)."""
    return uscc.complete(f"91350100MA{uuid.uuid4().int % 10**7:07d}")


@pytest.fixture(scope="module")
def watched(stack: dict[str, Any], aws: Callable[[str], Any]) -> Iterator[str]:
    """A queue receiving every ``tax.supply`` event of the bus (a rule made by the test)."""
    with bus_tap(aws, stack, "supply-events", {"source": ["tax.supply"]}) as url:
        yield url


def events_seen(aws: Callable[[str], Any], url: str, seen: list[dict[str, Any]]
                ) -> list[dict[str, Any]]:
    found = aws("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    for message in found.get("Messages", []):
        seen.append(json.loads(message["Body"]))
        aws("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return seen


def apply(api: str, who: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{api}/v1/invoice-supplies", json=body, timeout=60,
                           headers={**who, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    application: dict[str, Any] = answer.json()
    return application


def reached(api: str, who: dict[str, str], application_id: str,
            state: str) -> dict[str, Any]:
    last: dict[str, Any] = {}

    def probe() -> dict[str, Any] | None:
        answer = requests.get(f"{api}/v1/invoice-supplies/{application_id}", headers=who,
                              timeout=30)
        assert answer.status_code == 200, answer.text
        view: dict[str, Any] = answer.json()
        last.update(view)
        return view if view["state"] == state else None
    try:
        return wait_for(f"application {application_id} to be {state}", probe)
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}; it is {last.get('state')}, checks "
                             f"{last.get('checks')}, reasons {last.get('review_reasons')}"
                             ) from None


def test_paper_invoices_are_verified_approved_and_delivered_with_tracking(
        api: str, stack: dict[str, Any], aws: Callable[[str], Any], watched: str) -> None:
    company = fresh_company()
    registered(aws, stack, company, "福州示例纸票商贸有限公司")
    seller = bearer(token(api, "taxpayer", company))
    application = apply(api, seller, {"kind": "paper", "invoice_type": "04", "quantity": 10,
                                      "delivery": DELIVERY})
    assert application["state"] == "submitted"

    shipped = reached(api, seller, application["id"], "shipped")
    assert [c["name"] for c in shipped["checks"]] == ["previous_batch_accounted"]
    assert all(c["passed"] for c in shipped["checks"])
    assert shipped["batch"]["count"] == 10
    assert shipped["shipment"]["tracking_no"].endswith("CN")

    delivered = reached(api, seller, application["id"], "delivered")
    assert [t["stage"] for t in delivered["trail"]] == [
        "submitted", "approved", "shipped", "delivered"]
    assert [e["status"] for e in delivered["shipment"]["tracking"]] == [
        "accepted", "in_transit", "out_for_delivery", "delivered"]

    # another taxpayer sees nothing of it; an officer of the seller's office does
    other = bearer(token(api, "taxpayer", BUYER_ID))
    assert requests.get(f"{api}/v1/invoice-supplies/{application['id']}", headers=other,
                        timeout=30).status_code == 403
    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    assert requests.get(f"{api}/v1/invoice-supplies/{application['id']}", headers=officer,
                        timeout=30).status_code == 200

    # the decisions and the delivery went out on the bus, carrying the applicant's notice
    seen: list[dict[str, Any]] = []
    wanted = {"InvoiceSupplyApplied", "InvoiceSupplyApproved", "InvoiceSupplyShipped",
              "InvoiceSupplyDelivered"}
    wait_for("the supply's events on the bus", lambda: True if wanted <= {
        e["detail-type"] for e in events_seen(aws, watched, seen)
        if e["detail"]["application_id"] == application["id"]} else None)
    delivered_event = next(e for e in seen if e["detail-type"] == "InvoiceSupplyDelivered"
                           and e["detail"]["application_id"] == application["id"])
    notice = delivered_event["detail"]["notification"]
    assert notice["id"] == f"invoice-supply:{application['id']}:delivered"
    assert notice["recipient"] == company
    assert notice["link"] == f"/v1/invoice-supplies/{application['id']}"


def test_over_the_automatic_limit_an_officer_of_the_office_decides(api: str) -> None:
    seller = bearer(token(api, "taxpayer", SELLER))
    application = apply(api, seller, {"kind": "paper", "invoice_type": "11", "quantity": 10,
                                      "delivery": DELIVERY})
    review = reached(api, seller, application["id"], "review")
    assert any("approved automatically" in r for r in review["review_reasons"])

    xiamen = bearer(token(api, "officer", "officer-xm-0001", "13502000000"))
    decision = f"{api}/v1/invoice-supplies/{application['id']}/decision"
    refused = requests.post(decision, json={"decision": "approve"}, timeout=30,
                            headers={**xiamen, "Idempotency-Key": str(uuid.uuid4())})
    assert refused.status_code == 403
    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    approved = requests.post(decision, json={"decision": "approve", "reason": "经营需要"},
                             timeout=30,
                             headers={**officer, "Idempotency-Key": str(uuid.uuid4())})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    delivered = reached(api, seller, application["id"], "delivered")
    assert delivered["trail"][2]["by"] == "officer-fz-0001"


def test_a_raised_quota_is_usable_for_issuing(api: str, stack: dict[str, Any],
                                              aws: Callable[[str], Any]) -> None:
    registered(aws, stack, NEW_SELLER, "福州示例新办商贸有限公司")
    seller = bearer(token(api, "taxpayer", NEW_SELLER))

    def issue() -> requests.Response:
        return requests.post(f"{api}/v1/invoices", json=ISSUE, timeout=60,
                             headers={**seller, "Idempotency-Key": str(uuid.uuid4())})

    assert issue().status_code == 403  # no quota yet
    application = apply(api, seller, {"kind": "digital", "monthly_quota": "50000.00",
                                      "reason": "新办纳税人首次申领"})
    raised = reached(api, seller, application["id"], "quota_raised")
    assert raised["monthly_quota"] == "50000.00"
    assert [t["stage"] for t in raised["trail"]] == ["submitted", "approved", "quota_raised"]
    issued = issue()
    assert issued.status_code == 201, issued.text
    assert issued.json()["total"] == "1090.00"


def run_verify(path: Path, keys: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "verify_document.py"),
                           str(path), "--keys", str(keys)], capture_output=True, text=True,
                          check=False)


def test_a_residency_certificate_is_issued_verified_and_guarded(api: str,
                                                                tmp_path: Path) -> None:
    seller = bearer(token(api, "taxpayer", SELLER))
    answer = requests.post(f"{api}/v1/certificates", timeout=60,
                           json={"kind": "tax_residency", "year": 2025, "country": "SG",
                                 "purpose": "享受中新税收协定待遇"},
                           headers={**seller, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]

    pdf = requests.get(f"{api}/v1/certificates/{number}/document", timeout=60,
                       headers={**seller, "Accept": "application/pdf"})
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    envelope = requests.get(f"{api}/v1/certificates/{number}", headers=seller,
                            timeout=30).json()
    (tmp_path / "certificate.json").write_text(json.dumps(envelope, ensure_ascii=False))
    (tmp_path / "keys.json").write_text(requests.get(f"{api}/v1/keys", timeout=30).text)
    checked = run_verify(tmp_path / "certificate.json", tmp_path / "keys.json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "中国税收居民身份证明" in checked.stdout

    online = requests.get(f"{api}/v1/certificates/{number}/verify", timeout=30)
    assert online.status_code == 200
    assert online.json()["verdict"] == "authentic"
    digest = hashlib.sha256(canonical_bytes(envelope["document"])).hexdigest()
    assert online.json()["digest"] == digest
    assert requests.get(f"{api}/v1/certificates/{number}/verify", params={"digest": digest},
                        timeout=30).json()["matches"] is True

    tampered = json.loads(json.dumps(envelope))
    tampered["document"]["content"]["year"] = 2024
    (tmp_path / "tampered.json").write_text(json.dumps(tampered, ensure_ascii=False))
    assert run_verify(tmp_path / "tampered.json", tmp_path / "keys.json").returncode == 1
    refused = requests.get(f"{api}/v1/certificates/{number}/verify", timeout=30, params={
        "digest": hashlib.sha256(canonical_bytes(tampered["document"])).hexdigest()})
    assert refused.json()["verdict"] == "altered"
    assert refused.json()["matches"] is False

    other = bearer(token(api, "taxpayer", BUYER_ID))
    assert requests.get(f"{api}/v1/certificates/{number}", headers=other,
                        timeout=30).status_code == 403
    assert requests.get(f"{api}/v1/certificates/{number}/document", headers=other,
                        timeout=30).status_code == 403
    assert requests.get(f"{api}/v1/certificates/RC202611280000000000/verify",
                        timeout=30).status_code == 404


def test_certificate_input_is_checked_digest_and_signed_text(api: str) -> None:
    seller = bearer(token(api, "taxpayer", SELLER))
    body: dict[str, Any] = {"kind": "tax_residency", "year": 2025, "country": "SG",
                            "purpose": "享受中新税收协定待遇"}
    bidi = requests.post(f"{api}/v1/certificates", timeout=60,
                         json={**body, "purpose": "享受中新\u202e税收协定待遇"},
                         headers={**seller, "Idempotency-Key": str(uuid.uuid4())})
    assert bidi.status_code == 422, bidi.text
    assert bidi.json()["field"] == "purpose"
    assert "U+202E" in bidi.json()["detail"]
    issued = requests.post(f"{api}/v1/certificates", timeout=60, json=body,
                           headers={**seller, "Idempotency-Key": str(uuid.uuid4())})
    assert issued.status_code == 201, issued.text
    number = issued.json()["number"]
    for digest in ("zz", "0" * 63, "g" * 64):
        answer = requests.get(f"{api}/v1/certificates/{number}/verify",
                              params={"digest": digest}, timeout=30)
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == "digest"
    good = requests.get(f"{api}/v1/certificates/{number}/verify",
                        params={"digest": issued.json()["digest"].upper()}, timeout=30)
    assert (good.status_code, good.json()["matches"]) == (200, True)
