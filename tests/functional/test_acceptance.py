"""Online acceptance over moto: the registration desk (details, natural persons, temporary
and withholding-agent registration) and applications (documents, submission, review, the
trail and its announcements). S3's own enforcement of the upload form (type, size) is
exercised against the local stack in tests/e2e/test_acceptance_e2e.py; moto does not
evaluate POST policies."""

from __future__ import annotations

import copy
import json
from types import ModuleType
from typing import Any

import boto3
import pytest

from etax.acceptance.repository import AcceptanceRepository, ConditionFailed
from tests.functional.conftest import ApiCalls, LambdaContext, call, load_handler, sample_event
from tests.functional.test_acceptance_registration import OFFICE, SELLER, put_record

REGISTRATION = "acceptance_registration"  # functions/<name>
APPLICATIONS = "acceptance_applications"

OTHER = "91350211M0000XUF46"                       # registered at another office
PERSON = "350102199003071234"
CARD = "622202020011003345"
SELLER_AUTH = {"role": "taxpayer", "subject": SELLER}
OTHER_AUTH = {"role": "taxpayer", "subject": OTHER}
PERSON_AUTH = {"role": "taxpayer", "subject": PERSON}
OFFICER = {"role": "officer", "subject": "officer-fz-0001", "tax_office": OFFICE}
FOREIGN_OFFICER = {"role": "officer", "subject": "officer-xm-0001", "tax_office": "13502000000"}
ADMIN = {"role": "admin", "subject": "admin-0001"}
PDF = b"%PDF-1.7\n" + b"0" * 200


def request(function: str, method: str, path: str, auth: dict[str, str] | None,
            body: Any = None, *, key: str | None = None,
            query: dict[str, str] | None = None) -> dict[str, Any]:
    event = copy.deepcopy(sample_event(f"{REGISTRATION}/record.json"))
    event.update(httpMethod=method, path=path, body=None if body is None else
                 (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)),
                 queryStringParameters=query,
                 multiValueQueryStringParameters={k: [v] for k, v in (query or {}).items()}
                 or None)
    event["requestContext"]["httpMethod"] = method
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
    event["headers"].update(headers)
    event["multiValueHeaders"].update({k: [v] for k, v in headers.items()})
    if auth is None:
        del event["requestContext"]["authorizer"]
    else:
        event["requestContext"]["authorizer"] = {"principalId": auth["subject"], **auth}
    return call(load_handler(function), event)


@pytest.fixture
def registered(aws: None) -> None:
    put_record(SELLER)
    put_record(OTHER, tax_office_code="13502000000")


# registration desk ----------------------------------------------------------------------

def test_the_sample_update_event(registered: None) -> None:
    answer = call(load_handler(REGISTRATION), sample_event(f"{REGISTRATION}/update.json"))
    assert answer["statusCode"] == 200
    assert answer["json"]["details"]["business_address"] == "福州市鼓楼区五四路88号"


SCOPE = "软件开发；信息技术咨询"


def test_a_taxpayer_updates_its_own_details_and_the_change_is_recorded(
        registered: None) -> None:
    path = f"/v1/registration/records/{SELLER}"
    first = request(REGISTRATION, "PATCH", path, SELLER_AUTH,
                    {"business_scope": "软件开发", "financial_officer":
                     {"name": "张会计", "phone": "13900139000"}})
    assert first["statusCode"] == 200, first
    second = request(REGISTRATION, "PATCH", path, SELLER_AUTH,
                     {"business_scope": SCOPE, "contact_email": "tax@example.cn"})
    assert second["statusCode"] == 200
    record = request(REGISTRATION, "GET", path, SELLER_AUTH)["json"]
    assert record["name"] == "福州闽江示例科技有限公司"          # the registry's part, unchanged
    assert record["details"]["business_scope"] == SCOPE
    assert record["details"]["financial_officer"] == {"name": "张会计", "phone": "13900139000"}
    assert record["details"]["version"] == 2
    latest, earliest = record["changes"]
    assert latest["by"] == {"role": "taxpayer", "subject": SELLER}
    assert latest["fields"]["business_scope"] == {"from": "软件开发", "to": SCOPE}
    assert earliest["fields"]["business_scope"]["from"] is None
    assert latest["at"] > earliest["at"]
    # the same values again change nothing and record nothing
    request(REGISTRATION, "PATCH", path, SELLER_AUTH, {"business_scope": SCOPE})
    assert len(request(REGISTRATION, "GET", path, SELLER_AUTH)["json"]["changes"]) == 2
    # its officer reads it too
    assert request(REGISTRATION, "GET", path, OFFICER)["json"]["details"]["version"] == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "新名字"}, "name"),
    ({"tax_office_code": "13502000000"}, "tax_office_code"),
    ({"contact_phone": "110"}, "contact_phone"),
    ({"financial_officer": {"name": "张会计"}}, "financial_officer.phone"),
    ({}, "body"),
])
def test_only_what_a_taxpayer_may_change_and_valid(registered: None, body: dict[str, Any],
                                                   field: str) -> None:
    answer = request(REGISTRATION, "PATCH", f"/v1/registration/records/{SELLER}",
                     SELLER_AUTH, body)
    assert answer["statusCode"] == 422
    assert answer["json"]["field"] == field
    assert answer["headers"]["Content-Type"] == "application/problem+json"


def test_nobody_else_updates_a_registration(registered: None) -> None:
    path = f"/v1/registration/records/{SELLER}"
    body = {"business_scope": "x"}
    for auth in (OTHER_AUTH, OFFICER, ADMIN):
        assert request(REGISTRATION, "PATCH", path, auth, body)["statusCode"] == 403
    missing = "91350100MA2YQHXU9T"
    answer = request(REGISTRATION, "PATCH", f"/v1/registration/records/{missing}",
                     {"role": "taxpayer", "subject": missing}, body)
    assert answer["statusCode"] == 404


def person_body(**changes: str) -> dict[str, str]:
    return {"resident_id": PERSON, "name": "陈小明", "bank_card": CARD,
            "phone": "13800138000", "tax_office_code": OFFICE, **changes}


def test_a_natural_person_registers_after_the_real_name_check(aws: None) -> None:
    answer = call(load_handler(REGISTRATION),
                  sample_event(f"{REGISTRATION}/natural_person.json"))
    assert answer["statusCode"] == 201, answer
    body = answer["json"]
    assert body["real_name"]["verified"] is True
    assert body["bank_card_last4"] == "3345"
    assert CARD not in json.dumps(body)
    stored = boto3.resource("dynamodb").Table("acceptance").get_item(
        Key={"pk": f"taxpayer#{PERSON}", "sk": "person"})["Item"]
    assert CARD not in json.dumps(stored, default=str)
    path = f"/v1/registration/natural-persons/{PERSON}"
    assert request(REGISTRATION, "GET", path, PERSON_AUTH)["json"]["name"] == "陈小明"
    assert request(REGISTRATION, "GET", path, OFFICER)["statusCode"] == 200
    assert request(REGISTRATION, "GET", path, FOREIGN_OFFICER)["statusCode"] == 403
    assert request(REGISTRATION, "GET", path, SELLER_AUTH)["statusCode"] == 403
    again = request(REGISTRATION, "POST", "/v1/registration/natural-persons", PERSON_AUTH,
                    person_body(), key="second")
    assert again["statusCode"] == 409


def test_a_failed_real_name_check_is_a_clear_422_and_registers_nothing(aws: None) -> None:
    answer = request(REGISTRATION, "POST", "/v1/registration/natural-persons", PERSON_AUTH,
                     person_body(bank_card="622202020011020000"), key="k1")
    assert answer["statusCode"] == 422
    assert answer["json"]["type"] == "urn:etax:problem:real-name-mismatch"
    assert answer["json"]["field"] == "name"
    assert request(REGISTRATION, "GET", f"/v1/registration/natural-persons/{PERSON}",
                   PERSON_AUTH)["statusCode"] == 404
    unavailable = request(REGISTRATION, "POST", "/v1/registration/natural-persons",
                          PERSON_AUTH, person_body(bank_card="622202020011059990"), key="k2")
    assert unavailable["statusCode"] == 503
    assert unavailable["headers"]["Retry-After"] == "30"


@pytest.mark.parametrize(("changes", "field"), [
    ({"resident_id": "350102199003071235"}, "resident_id"),
    ({"bank_card": "622202020011003346"}, "bank_card"),
    ({"tax_office_code": "135"}, "tax_office_code"),
])
def test_natural_person_inputs(aws: None, changes: dict[str, str], field: str) -> None:
    answer = request(REGISTRATION, "POST", "/v1/registration/natural-persons", PERSON_AUTH,
                     person_body(**changes), key="k")
    assert (answer["statusCode"], answer["json"]["field"]) == (422, field)


def test_a_person_registers_only_itself(aws: None) -> None:
    answer = request(REGISTRATION, "POST", "/v1/registration/natural-persons", SELLER_AUTH,
                     person_body(), key="k")
    assert answer["statusCode"] == 403


def test_temporary_and_withholding_agent_registration(registered: None) -> None:
    temporary = request(REGISTRATION, "POST", "/v1/registration/temporary", PERSON_AUTH, {
        "name": "陈小明（展会临时经营）", "business_address": "福州海峡国际会展中心",
        "business_scope": "茶叶展销", "tax_office_code": OFFICE, "valid_from": "2026-12-01",
        "valid_until": "2026-12-31", "contact_phone": "13800138000"}, key="t1")
    assert temporary["statusCode"] == 201, temporary
    assert temporary["json"]["number"].startswith(f"LS{OFFICE}")
    no_key = request(REGISTRATION, "POST", "/v1/registration/temporary", PERSON_AUTH,
                     {"name": "x"})
    assert no_key["statusCode"] == 422    # the body is checked first
    body = {"taxes": ["individual_income_tax"], "contact": {"name": "张会计",
                                                             "phone": "13900139000"}}
    agent = request(REGISTRATION, "POST", "/v1/registration/withholding-agents",
                    SELLER_AUTH, body, key="w1")
    assert agent["statusCode"] == 201
    assert agent["json"]["tax_office_code"] == OFFICE
    assert request(REGISTRATION, "POST", "/v1/registration/withholding-agents",
                   SELLER_AUTH, body, key="w2")["statusCode"] == 409
    assert request(REGISTRATION, "POST", "/v1/registration/withholding-agents",
                   PERSON_AUTH, body, key="w3")["statusCode"] == 403
    record = request(REGISTRATION, "GET", f"/v1/registration/records/{SELLER}",
                     SELLER_AUTH)["json"]
    assert record["withholding_agent"]["taxes"] == ["individual_income_tax"]


# applications ---------------------------------------------------------------------------

def create(auth: dict[str, str], item: str, key: str) -> dict[str, Any]:
    return request(APPLICATIONS, "POST", "/v1/applications", auth, {"item": item}, key=key)


def upload(application_id: str, kind: str, content: bytes = PDF,
           content_type: str = "application/pdf") -> dict[str, Any]:
    """Ask for a form, put the bytes where it points (as the browser's POST would), confirm."""
    asked = request(APPLICATIONS, "POST", f"/v1/applications/{application_id}/documents",
                    SELLER_AUTH, {"kind": kind, "filename": f"{kind}.pdf",
                                  "content_type": "application/pdf"})
    assert asked["statusCode"] == 201, asked
    fields = asked["json"]["upload"]["fields"]
    boto3.client("s3").put_object(Bucket="documents", Key=fields["key"], Body=content,
                                  ContentType=content_type)
    document_id = asked["json"]["document"]["id"]
    return request(APPLICATIONS, "POST",
                   f"/v1/applications/{application_id}/documents/{document_id}/confirm",
                   SELLER_AUTH)


def test_record_filing_is_accepted_at_once(registered: None) -> None:
    answer = create(SELLER_AUTH, "small_low_profit_enterprise", "a1")
    assert answer["statusCode"] == 201, answer
    body = answer["json"]
    assert body["state"] == "accepted"
    assert [t["state"] for t in body["trail"]] == ["accepted"]
    assert body["missing_documents"] == []
    again = create(SELLER_AUTH, "small_low_profit_enterprise", "a1")
    assert again["json"]["id"] == body["id"]       # the same key: the same application


def test_an_application_with_documents_reviewed_by_its_office(registered: None) -> None:
    created = create(SELLER_AUTH, "nonprofit_tax_exemption", "a2")["json"]
    application_id = created["id"]
    path = f"/v1/applications/{application_id}"
    assert created["state"] == "draft"
    assert created["missing_documents"] == ["articles_of_association", "financial_statements"]

    early = request(APPLICATIONS, "POST", f"{path}/submit", SELLER_AUTH)
    assert (early["statusCode"], early["json"]["field"]) == (422, "documents")

    wrong_kind = request(APPLICATIONS, "POST", f"{path}/documents", SELLER_AUTH,
                         {"kind": "labour_contracts", "filename": "x.pdf",
                          "content_type": "application/pdf"})
    assert (wrong_kind["statusCode"], wrong_kind["json"]["field"]) == (422, "kind")
    wrong_type = request(APPLICATIONS, "POST", f"{path}/documents", SELLER_AUTH,
                         {"kind": "financial_statements", "filename": "x.png",
                          "content_type": "image/png"})
    assert (wrong_type["statusCode"], wrong_type["json"]["field"]) == (422, "content_type")
    stranger = request(APPLICATIONS, "POST", f"{path}/documents", OTHER_AUTH,
                       {"kind": "financial_statements", "filename": "x.pdf",
                        "content_type": "application/pdf"})
    assert stranger["statusCode"] == 403

    asked = request(APPLICATIONS, "POST", f"{path}/documents", SELLER_AUTH,
                    {"kind": "articles_of_association", "filename": "章程.pdf",
                     "content_type": "application/pdf"})["json"]
    form = asked["upload"]
    assert form["fields"]["Content-Type"] == "application/pdf"
    assert form["fields"]["key"] == f"incoming/{application_id}/{asked['document']['id']}"
    policy = json.loads(__import__("base64").b64decode(form["fields"]["policy"]))
    assert ["content-length-range", 1, 5 * 1024 * 1024] in policy["conditions"]
    assert ["eq", "$Content-Type", "application/pdf"] in policy["conditions"]
    nothing = request(APPLICATIONS, "POST",
                      f"{path}/documents/{asked['document']['id']}/confirm", SELLER_AUTH)
    assert (nothing["statusCode"], nothing["json"]["field"]) == (422, "document_id")

    not_pdf = upload(application_id, "articles_of_association", content=b"MZ\x90\x00 not a pdf")
    assert not_pdf["statusCode"] == 422
    assert "not application/pdf" in not_pdf["json"]["detail"]
    assert upload(application_id, "articles_of_association")["json"]["status"] == "confirmed"
    assert upload(application_id, "financial_statements")["json"]["status"] == "confirmed"
    kept = boto3.client("s3").list_objects_v2(Bucket="documents")["Contents"]
    assert {o["Key"].split("/")[0] for o in kept} == {"documents"}   # incoming/ emptied

    submitted = request(APPLICATIONS, "POST", f"{path}/submit", SELLER_AUTH)["json"]
    assert submitted["state"] == "submitted"
    late = request(APPLICATIONS, "POST", f"{path}/documents", SELLER_AUTH,
                   {"kind": "other", "filename": "x.pdf", "content_type": "application/pdf"})
    assert late["statusCode"] == 409

    queue = request(APPLICATIONS, "GET", "/v1/applications", OFFICER,
                    query={"state": "submitted"})["json"]
    assert [a["id"] for a in queue["applications"]] == [application_id]
    assert request(APPLICATIONS, "GET", "/v1/applications", SELLER_AUTH)["statusCode"] == 403

    assert request(APPLICATIONS, "GET", path, OTHER_AUTH)["statusCode"] == 403
    assert request(APPLICATIONS, "GET", path, FOREIGN_OFFICER)["statusCode"] == 403
    approve = {"decision": "approve"}
    for auth in (FOREIGN_OFFICER, ADMIN, SELLER_AUTH, OTHER_AUTH):
        assert request(APPLICATIONS, "POST", f"{path}/decision", auth,
                       approve)["statusCode"] == 403, auth
    [document_id, *_] = [d["id"] for d in submitted["documents"] if d["status"] == "confirmed"]
    link = request(APPLICATIONS, "GET", f"{path}/documents/{document_id}", OFFICER)
    assert link["statusCode"] == 200
    assert "X-Amz-Signature" in link["json"]["url"]

    approved = request(APPLICATIONS, "POST", f"{path}/decision", OFFICER, approve)
    assert approved["statusCode"] == 200, approved
    assert approved["json"]["state"] == "approved"
    twice = request(APPLICATIONS, "POST", f"{path}/decision", OFFICER,
                    {"decision": "reject", "reason": "迟到的决定"})
    assert twice["statusCode"] == 409
    view = request(APPLICATIONS, "GET", path, SELLER_AUTH)["json"]
    assert [(t["seq"], t["state"], t["by"]["role"]) for t in view["trail"]] == [
        (1, "draft", "taxpayer"), (2, "submitted", "taxpayer"), (3, "approved", "officer")]
    assert view["trail"][2]["by"]["subject"] == "officer-fz-0001"


def test_more_documents_requested_then_resubmitted_then_rejected(registered: None) -> None:
    application_id = create(SELLER_AUTH, "property_tax_hardship_relief", "a3")["json"]["id"]
    path = f"/v1/applications/{application_id}"
    upload(application_id, "hardship_statement")
    upload(application_id, "property_certificate")
    request(APPLICATIONS, "POST", f"{path}/submit", SELLER_AUTH)
    no_reason = request(APPLICATIONS, "POST", f"{path}/decision", OFFICER,
                        {"decision": "request_documents"})
    assert (no_reason["statusCode"], no_reason["json"]["field"]) == (422, "body")
    asked = request(APPLICATIONS, "POST", f"{path}/decision", OFFICER,
                    {"decision": "request_documents", "reason": "请补充房产证明原件扫描件"})
    assert asked["json"]["state"] == "documents_requested"
    assert upload(application_id, "other")["json"]["status"] == "confirmed"
    assert request(APPLICATIONS, "POST", f"{path}/submit",
                   SELLER_AUTH)["json"]["state"] == "submitted"
    rejected = request(APPLICATIONS, "POST", f"{path}/decision", OFFICER,
                       {"decision": "reject", "reason": "不符合困难减免条件"})["json"]
    assert [t["state"] for t in rejected["trail"]] == [
        "draft", "submitted", "documents_requested", "submitted", "rejected"]
    assert rejected["trail"][2]["reason"] == "请补充房产证明原件扫描件"
    assert rejected["missing_documents"] == []


def test_unknown_items_and_unregistered_applicants(registered: None) -> None:
    answer = create(SELLER_AUTH, "no_such_item", "a4")
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "item")
    stranger = create({"role": "taxpayer", "subject": "91350100MA2YQHXU9T"},
                      "rd_super_deduction", "a5")
    assert stranger["statusCode"] == 409
    assert request(APPLICATIONS, "GET", "/v1/applications/nothing",
                   SELLER_AUTH)["statusCode"] == 404
    items = request(APPLICATIONS, "GET", "/v1/applications/items", None)["json"]
    assert {i["code"] for i in items["items"]} >= {"rd_super_deduction",
                                                    "nonprofit_tax_exemption"}


def test_a_stale_transition_writes_neither_state_nor_trail(registered: None) -> None:
    application_id = create(SELLER_AUTH, "nonprofit_tax_exemption", "a6")["json"]["id"]
    repository = AcceptanceRepository()
    pk = f"application#{application_id}"
    trail = {"pk": pk, "sk": "trail#0002", "seq": 2, "state": "submitted"}
    with pytest.raises(ConditionFailed):   # wrong version
        repository.transition(pk, from_state="draft", from_version=7,
                              changes={"state": "submitted", "version": 8}, trail=trail)
    with pytest.raises(ConditionFailed):   # wrong state
        repository.transition(pk, from_state="submitted", from_version=1,
                              changes={"state": "approved", "version": 2}, trail=trail)
    items = repository.partition(pk)
    assert [i["sk"] for i in items] == ["application", "trail#0001"]
    assert items[0]["state"] == "draft"


def test_trail_entries_are_announced_with_notifications(aws: None, api_calls: ApiCalls) -> None:
    module: ModuleType = load_handler("acceptance_events")
    api_calls.clear()
    module.handler(sample_event("acceptance_events/stream.json"), LambdaContext())
    [put] = [params for svc, op, params in api_calls.calls if op == "PutEvents"]
    [entry] = put["Entries"]
    assert (entry["Source"], entry["DetailType"]) == ("tax.acceptance", "ApplicationApproved")
    detail = json.loads(entry["Detail"])
    assert detail["notification"] == {
        "id": "application:0123456789abcdef0123456789abcdef:3:approved",
        "recipient": SELLER, "kind": "application.approved",
        "title": "非营利组织免税资格认定：已批准",
        "body": "您的申请 0123456789abcdef0123456789abcdef（非营利组织免税资格认定）状态：已批准。",
        "link": "/v1/applications/0123456789abcdef0123456789abcdef"}


def test_the_sample_application_events(registered: None) -> None:
    created = call(load_handler(APPLICATIONS), sample_event(f"{APPLICATIONS}/create.json"))
    assert created["statusCode"] == 201, created
    assert created["json"]["details"] == {"organisation_type": "社会团体"}
    decision = sample_event(f"{APPLICATIONS}/decision.json")
    application_id = created["json"]["id"]
    decision["path"] = f"/v1/applications/{application_id}/decision"
    decision["pathParameters"] = {"application_id": application_id}
    early = call(load_handler(APPLICATIONS), decision)
    assert (early["statusCode"], early["json"]["field"]) == (409, "state")   # still a draft


def test_a_stale_details_update_is_refused_whole(registered: None) -> None:
    path = f"/v1/registration/records/{SELLER}"
    request(REGISTRATION, "PATCH", path, SELLER_AUTH, {"business_scope": "软件开发"})
    repository = AcceptanceRepository()
    pk = f"taxpayer#{SELLER}"
    with pytest.raises(ConditionFailed):
        repository.update_details(pk, 0, {"business_scope": "stale"},
                                  {"pk": pk, "sk": "change#stale", "at": "x"})
    with pytest.raises(ConditionFailed):   # "none stored yet" while one is
        repository.update_details(pk, None, {"business_scope": "stale"},
                                  {"pk": pk, "sk": "change#stale", "at": "x"})
    items = repository.partition(pk)
    assert not any(i["sk"] == "change#stale" for i in items)
    assert next(i for i in items if i["sk"] == "details")["business_scope"] == "软件开发"


def test_only_the_applicant_adds_and_confirms_documents(registered: None) -> None:
    application_id = create(SELLER_AUTH, "nonprofit_tax_exemption", "a7")["json"]["id"]
    asked = request(APPLICATIONS, "POST", f"/v1/applications/{application_id}/documents",
                    SELLER_AUTH, {"kind": "financial_statements", "filename": "x.pdf",
                                  "content_type": "application/pdf"})["json"]
    confirm_path = (f"/v1/applications/{application_id}/documents/"
                    f"{asked['document']['id']}/confirm")
    for auth in (OTHER_AUTH, OFFICER, ADMIN):
        assert request(APPLICATIONS, "POST", confirm_path, auth)["statusCode"] == 403
        assert request(APPLICATIONS, "POST", f"/v1/applications/{application_id}/submit",
                       auth)["statusCode"] == 403


def test_a_confirmation_the_store_fails_to_record_can_be_sent_again(
        registered: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The document is moved to its kept place only once its record says so: when that
    write fails the upload stays where the form put it and the confirmation sent again
    succeeds (before, the upload was gone and the document pending for good)."""
    application_id = create(SELLER_AUTH, "nonprofit_tax_exemption", "a-store")["json"]["id"]
    def failing(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the store failed")

    with monkeypatch.context() as patched:
        patched.setattr(AcceptanceRepository, "confirm_document", failing)
        assert upload(application_id, "articles_of_association")["statusCode"] == 500
    [pending] = request(APPLICATIONS, "GET", f"/v1/applications/{application_id}",
                        SELLER_AUTH)["json"]["documents"]
    confirmed = request(APPLICATIONS, "POST", f"/v1/applications/{application_id}/documents/"
                        f"{pending['id']}/confirm", SELLER_AUTH)
    assert (confirmed["statusCode"], confirmed["json"]["status"]) == (200, "confirmed"), \
        confirmed["json"]
