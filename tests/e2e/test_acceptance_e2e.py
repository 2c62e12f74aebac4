"""Online acceptance (B4) on the local stack over HTTP: a taxpayer updates its registration;
a natural person registers after a real-name check (and one whose check fails does not); an
application whose documents go straight to S3 through a presigned POST that S3 itself holds
to its type and size, approved by an officer of the applicant's tax office (not by an officer
of another office, and no other taxpayer can see it), with the trail, and the state changes
announced on the bus with the applicant's notification."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from etax.rules import resident_id
from tests.e2e.app_fixtures import bus_tap
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

SELLER = "91350100M000100Y43"          # demo data: Fuzhou tax office
RETAILER = "91350100MA2Y8KXX1B"        # demo data: another taxpayer of the same office
OFFICE = "13501000000"
XIAMEN = "13502000000"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def person_id(sequence: int) -> str:
    head = f"35010219900307{sequence:03d}"
    return head + resident_id.check_character(head)


def headers(auth: str, key: bool = False) -> dict[str, str]:
    extra = {"Idempotency-Key": str(uuid.uuid4())} if key else {}
    return {**bearer(auth), **extra}


@pytest.fixture(scope="module")
def tokens(api: str) -> dict[str, str]:
    return {
        "seller": token(api, "taxpayer", SELLER),
        "retailer": token(api, "taxpayer", RETAILER),
        "officer": token(api, "officer", "officer-fz-0001", OFFICE),
        "xiamen": token(api, "officer", "officer-xm-0001", XIAMEN),
    }


@pytest.fixture(scope="module")
def announcements(aws: Callable[[str], Any], stack: dict[str, Any]) -> Iterator[str]:
    """A queue receiving every tax.acceptance event on the platform bus (what the push
    fan-out's rule will see)."""
    with bus_tap(aws, stack, "acceptance", {"source": ["tax.acceptance"]}) as url:
        yield url


def test_a_taxpayer_updates_its_registration(api: str, tokens: dict[str, str]) -> None:
    path = f"{api}/v1/registration/records/{SELLER}"
    answer = requests.patch(path, headers=headers(tokens["seller"]), timeout=60, json={
        "business_address": "福州市鼓楼区五四路88号", "contact_phone": "0591-87654321",
        "tax_officer": {"name": "林办税", "phone": "13800138001"}})
    assert answer.status_code == 200, answer.text
    record = requests.get(path, headers=headers(tokens["seller"]), timeout=60).json()
    assert record["name"]                                    # the registry's part is still there
    assert record["details"]["business_address"] == "福州市鼓楼区五四路88号"
    assert record["changes"][0]["by"] == {"role": "taxpayer", "subject": SELLER}
    assert record["changes"][0]["fields"]["contact_phone"]["to"] == "0591-87654321"

    refused = requests.patch(path, headers=headers(tokens["seller"]), timeout=60,
                             json={"status": "cancelled"})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["field"] == "status"
    for other in ("retailer", "officer"):
        assert requests.patch(path, headers=headers(tokens[other]), timeout=60,
                              json={"business_scope": "x"}).status_code == 403


def test_a_natural_person_registers_and_a_failed_real_name_check_registers_nothing(
        api: str, tokens: dict[str, str]) -> None:
    good, bad = person_id(11), person_id(13)
    good_token, bad_token = token(api, "taxpayer", good), token(api, "taxpayer", bad)
    body = {"resident_id": good, "name": "陈小明", "bank_card": "622202020011003345",
            "phone": "13800138000", "tax_office_code": OFFICE}
    answer = requests.post(f"{api}/v1/registration/natural-persons", json=body, timeout=60,
                           headers=headers(good_token, key=True))
    assert answer.status_code == 201, answer.text
    assert answer.json()["real_name"]["verified"] is True
    assert answer.json()["bank_card_last4"] == "3345"
    mine = requests.get(f"{api}/v1/registration/natural-persons/{good}", timeout=60,
                        headers=headers(good_token))
    assert mine.status_code == 200
    assert requests.get(f"{api}/v1/registration/natural-persons/{good}", timeout=60,
                        headers=headers(tokens["seller"])).status_code == 403

    mismatch = requests.post(
        f"{api}/v1/registration/natural-persons", timeout=60,
        headers=headers(bad_token, key=True),
        json={**body, "resident_id": bad, "bank_card": "622202020011020000"})
    assert mismatch.status_code == 422, mismatch.text
    assert mismatch.json()["type"] == "urn:etax:problem:real-name-mismatch"
    assert mismatch.json()["field"] == "name"
    assert requests.get(f"{api}/v1/registration/natural-persons/{bad}", timeout=60,
                        headers=headers(bad_token)).status_code == 404
    wrong_id = requests.post(f"{api}/v1/registration/natural-persons", timeout=60,
                             headers=headers(bad_token, key=True),
                             json={**body, "resident_id": bad[:-1] + ("0" if bad[-1] != "0"
                                                                     else "1")})
    assert (wrong_id.status_code, wrong_id.json()["field"]) == (422, "resident_id")


def test_temporary_and_withholding_agent_registration_online(
        api: str, tokens: dict[str, str]) -> None:
    visitor = token(api, "taxpayer", person_id(17))
    temporary = requests.post(
        f"{api}/v1/registration/temporary", timeout=60, headers=headers(visitor, key=True),
        json={"name": "陈小明（展会临时经营）", "business_address": "福州海峡国际会展中心",
              "business_scope": "茶叶展销", "tax_office_code": OFFICE,
              "valid_from": "2026-12-01", "valid_until": "2026-12-31",
              "contact_phone": "13800138000"})
    assert temporary.status_code == 201, temporary.text
    assert temporary.json()["number"].startswith(f"LS{OFFICE}")
    too_long = requests.post(
        f"{api}/v1/registration/temporary", timeout=60, headers=headers(visitor, key=True),
        json={"name": "陈小明", "business_address": "福州", "business_scope": "茶叶",
              "tax_office_code": OFFICE, "valid_from": "2026-12-01",
              "valid_until": "2027-12-31", "contact_phone": "13800138000"})
    assert too_long.status_code == 422, too_long.text

    body: dict[str, Any] = {"taxes": ["individual_income_tax"],
                            "contact": {"name": "张会计", "phone": "13900139000"},
                            "tax_office_code": XIAMEN}  # ignored: the registry names it
    agent = requests.post(f"{api}/v1/registration/withholding-agents", json=body, timeout=60,
                          headers=headers(tokens["retailer"], key=True))
    assert agent.status_code == 201, agent.text
    assert (agent.json()["registration_number"], agent.json()["tax_office_code"]) == (
        f"KJ{RETAILER}", OFFICE)
    again = requests.post(f"{api}/v1/registration/withholding-agents", json=body, timeout=60,
                          headers=headers(tokens["retailer"], key=True))
    assert again.status_code == 409
    person = requests.post(f"{api}/v1/registration/withholding-agents", json=body, timeout=60,
                           headers=headers(visitor, key=True))
    assert person.status_code == 403
    record = requests.get(f"{api}/v1/registration/records/{RETAILER}", timeout=60,
                          headers=headers(tokens["retailer"]))
    assert record.json()["withholding_agent"]["taxes"] == ["individual_income_tax"]


def post_form(form: dict[str, Any], content: bytes, filename: str,
              **field_changes: str) -> requests.Response:
    """What a browser does with the upload form: a multipart POST straight to S3."""
    fields = {**form["fields"], **field_changes}
    return requests.post(form["url"], data=fields, timeout=120,
                         files={"file": (filename, content, fields["Content-Type"])})


def add_document(api: str, auth: str, application_id: str, kind: str) -> dict[str, Any]:
    asked = requests.post(f"{api}/v1/applications/{application_id}/documents", timeout=60,
                          headers=headers(auth),
                          json={"kind": kind, "filename": f"{kind}.pdf",
                                "content_type": "application/pdf"})
    assert asked.status_code == 201, asked.text
    body: dict[str, Any] = asked.json()
    return body


def confirm(api: str, auth: str, application_id: str, document_id: str) -> requests.Response:
    return requests.post(
        f"{api}/v1/applications/{application_id}/documents/{document_id}/confirm",
        headers=headers(auth), timeout=60)


def test_an_application_with_documents_approved_by_the_right_office(
        api: str, tokens: dict[str, str], announcements: str,
        aws: Callable[[str], Any]) -> None:
    seller = tokens["seller"]
    created = requests.post(f"{api}/v1/applications", headers=headers(seller, key=True),
                            timeout=60, json={"item": "nonprofit_tax_exemption",
                                              "details": {"organisation_type": "社会团体"}})
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    assert created.json()["state"] == "draft"
    path = f"{api}/v1/applications/{application_id}"

    first = add_document(api, seller, application_id, "articles_of_association")
    form = first["upload"]
    limit = form["max_bytes"]
    too_large = post_form(form, b"%PDF-1.7\n" + b"0" * limit, "big.pdf")
    assert too_large.status_code == 400, too_large.text
    assert "EntityTooLarge" in too_large.text
    wrong_type = post_form(form, b"\x89PNG\r\n\x1a\n" + b"0" * 64, "x.png",
                           **{"Content-Type": "image/png"})
    assert wrong_type.status_code == 403, wrong_type.text
    assert "Policy Condition failed" in wrong_type.text
    not_yet = confirm(api, seller, application_id, first["document"]["id"])
    assert not_yet.status_code == 422                        # S3 stored nothing

    stored = post_form(form, PDF, "章程.pdf")
    assert stored.status_code in (200, 201, 204), stored.text
    confirmed = confirm(api, seller, application_id, first["document"]["id"])
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"

    early = requests.post(f"{path}/submit", headers=headers(seller), timeout=60)
    assert (early.status_code, early.json()["field"]) == (422, "documents")
    second = add_document(api, seller, application_id, "financial_statements")
    assert post_form(second["upload"], PDF, "报表.pdf").status_code in (200, 201, 204)
    assert confirm(api, seller, application_id,
                   second["document"]["id"]).json()["status"] == "confirmed"
    submitted = requests.post(f"{path}/submit", headers=headers(seller), timeout=60)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"

    queue = requests.get(f"{api}/v1/applications", params={"state": "submitted"},
                         headers=headers(tokens["officer"]), timeout=60).json()
    assert application_id in [a["id"] for a in queue["applications"]]
    link = requests.get(f"{path}/documents/{first['document']['id']}", timeout=60,
                        headers=headers(tokens["officer"])).json()["url"]
    assert requests.get(link, timeout=60).content == PDF

    assert requests.get(path, headers=headers(tokens["retailer"]), timeout=60).status_code == 403
    approve = {"decision": "approve"}
    for outsider in ("xiamen", "retailer", "seller"):
        refused = requests.post(f"{path}/decision", headers=headers(tokens[outsider]),
                                json=approve, timeout=60)
        assert refused.status_code == 403, (outsider, refused.text)
    approved = requests.post(f"{path}/decision", headers=headers(tokens["officer"]),
                             json=approve, timeout=60)
    assert approved.status_code == 200, approved.text
    again = requests.post(f"{path}/decision", headers=headers(tokens["officer"]),
                          json={"decision": "reject", "reason": "晚了"}, timeout=60)
    assert again.status_code == 409

    view = requests.get(path, headers=headers(seller), timeout=60).json()
    assert view["state"] == "approved"
    assert [(t["seq"], t["state"], t["by"]["subject"]) for t in view["trail"]] == [
        (1, "draft", SELLER), (2, "submitted", SELLER), (3, "approved", "officer-fz-0001")]

    # every state change announced with the applicant's notification (the outbox)
    sqs = aws("sqs")
    seen: dict[str, dict[str, Any]] = {}

    def all_announced() -> dict[str, dict[str, Any]] | None:
        for message in sqs.receive_message(QueueUrl=announcements, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", []):
            event = json.loads(message["Body"])
            if event["detail"].get("application_id") == application_id:
                note = event["detail"]["notification"]
                seen[note["id"]] = {"type": event["detail-type"], **note}
            sqs.delete_message(QueueUrl=announcements, ReceiptHandle=message["ReceiptHandle"])
        return seen if len(seen) >= 3 else None

    notes = wait_for("three announced state changes", all_announced, describe=lambda: seen)
    assert set(notes) == {f"application:{application_id}:1:draft",
                          f"application:{application_id}:2:submitted",
                          f"application:{application_id}:3:approved"}
    approved_note = notes[f"application:{application_id}:3:approved"]
    assert approved_note["type"] == "ApplicationApproved"
    assert approved_note["recipient"] == SELLER
    assert approved_note["kind"] == "application.approved"
    assert approved_note["link"] == f"/v1/applications/{application_id}"
    # the taxpayer is notified: the approval is in its inbox, once, through the push fan-out
    nid = f"application:{application_id}:3:approved"
    [entry] = wait_for("the approval in the applicant's inbox",
                       lambda: entries_with(api, bearer(tokens["seller"]), nid) or None)
    assert (entry["kind"], entry["link"]) == ("application.approved",
                                              f"/v1/applications/{application_id}")


def test_record_filing_is_accepted_at_once(api: str, tokens: dict[str, str]) -> None:
    answer = requests.post(f"{api}/v1/applications", timeout=60,
                           headers=headers(tokens["retailer"], key=True),
                           json={"item": "rd_super_deduction"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["state"] == "accepted"
    assert [t["state"] for t in answer.json()["trail"]] == ["accepted"]


def test_more_documents_requested_then_resubmitted(api: str, tokens: dict[str, str]) -> None:
    seller, officer = tokens["seller"], tokens["officer"]
    created = requests.post(f"{api}/v1/applications", headers=headers(seller, key=True),
                            timeout=60, json={"item": "property_tax_hardship_relief"})
    application_id = created.json()["id"]
    path = f"{api}/v1/applications/{application_id}"
    for kind in ("hardship_statement", "property_certificate", None):
        if kind is None:
            assert requests.post(f"{path}/submit", headers=headers(seller),
                                 timeout=60).json()["state"] == "submitted"
            asked = requests.post(f"{path}/decision", headers=headers(officer), timeout=60,
                                  json={"decision": "request_documents",
                                        "reason": "请补充房产证明"})
            assert asked.json()["state"] == "documents_requested", asked.text
            kind = "other"
        document = add_document(api, seller, application_id, kind)
        assert post_form(document["upload"], PDF, f"{kind}.pdf").status_code in (200, 201, 204)
        assert confirm(api, seller, application_id,
                       document["document"]["id"]).json()["status"] == "confirmed"
    resubmitted = requests.post(f"{path}/submit", headers=headers(seller), timeout=60)
    assert resubmitted.json()["state"] == "submitted", resubmitted.text
    rejected = requests.post(f"{path}/decision", headers=headers(officer), timeout=60,
                             json={"decision": "reject", "reason": "不符合条件"}).json()
    assert [(t["state"], t["reason"]) for t in rejected["trail"]] == [
        ("draft", None), ("submitted", None), ("documents_requested", "请补充房产证明"),
        ("submitted", None), ("rejected", "不符合条件")]
