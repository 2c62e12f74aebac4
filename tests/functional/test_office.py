"""The mobile office (E18) over moto: field documents drafted, countersigned by a second
officer, numbered in order, signed, printed and verified by anyone, withdrawn; who may do
what; the on-duty roster and the alarms it receives as alerts, acknowledged once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from etax.documents.canonical import canonical_bytes
from etax.documents.signing import verify_envelope
from etax.office.repository import OfficeRepository
from tests.functional.conftest import DigestKms, LambdaContext, call, load_handler
from tests.functional.test_acceptance_registration import put_record
from tests.functional.test_invoices import request
from tests.functional.test_supply import sqs_message

SELLER = "91350100M000100Y43"
XIAMEN_SELLER = "91350200M000100Y40"
FUZHOU, XIAMEN = "13501000000", "13502000000"
DRAFTER = ("officer", "officer-fz-0001", FUZHOU)
SECOND = ("officer", "officer-fz-0002", FUZHOU)
THIRD = ("officer", "officer-fz-0003", FUZHOU)
ELSEWHERE = ("officer", "officer-xm-0001", XIAMEN)
ADMIN = ("admin", "admin-0001")
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
INSPECTION: dict[str, Any] = {
    "kind": "inspection_notice", "taxpayer": SELLER, "matters": "2025年度增值税及附加税费申报情况",
    "period": {"from": "2025-01", "to": "2025-12"}, "place": "纳税人生产经营场所"}
INQUIRY: dict[str, Any] = {
    "kind": "inquiry_notice", "taxpayer": SELLER, "matters": "2025年度进项发票取得情况",
    "appointment": {"at": "2026-12-10T09:30:00+08:00", "place": "福州市税务局第一稽查局 302 室"}}


@pytest.fixture
def module(aws: None, monkeypatch: pytest.MonkeyPatch, published: list[Any]) -> Any:
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
    put_record(SELLER)
    put_record(XIAMEN_SELLER, tax_office_code=XIAMEN, tax_office_name="国家税务总局厦门市税务局")
    handler = load_handler("office")
    handler.field_documents.signer.kms = DigestKms()
    handler.field_documents.now = lambda: NOW
    handler.operations.now = lambda: NOW
    return handler


def post(module: Any, path: str, body: Any, who: tuple[str, ...] | None, *,
         resource: str | None = None, params: dict[str, str] | None = None,
         key: str | None = None) -> dict[str, Any]:
    return call(module, request("POST", path, body=body, who=who, key=key, resource=resource,
                                params=params))


def get(module: Any, path: str, who: tuple[str, ...] | None, resource: str | None = None,
        params: dict[str, str] | None = None,
        query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = ({k: [v] for k, v in query.items()}
                                                if query else None)
    return call(module, event)


def draft(module: Any, body: dict[str, Any], who: tuple[str, ...] = DRAFTER,
          key: str = "d-1") -> dict[str, Any]:
    return post(module, "/v1/office/field-documents", body, who, key=key)


def act(module: Any, document_id: str, action: str, who: tuple[str, ...],
        body: Any = None) -> dict[str, Any]:
    return post(module, f"/v1/office/field-documents/{document_id}/{action}", body, who,
                resource=f"/v1/office/field-documents/{{document_id}}/{action}",
                params={"document_id": document_id})


def read(module: Any, document_id: str, who: tuple[str, ...] | None,
         suffix: str = "") -> dict[str, Any]:
    return get(module, f"/v1/office/field-documents/{document_id}{suffix}", who,
               f"/v1/office/field-documents/{{document_id}}{suffix}",
               {"document_id": document_id})


def verify(module: Any, number: str, digest: str | None = None) -> dict[str, Any]:
    return get(module, f"/v1/field-documents/{number}/verify", None,
               "/v1/field-documents/{number}/verify", {"number": number},
               {"digest": digest} if digest else None)


def issued(module: Any, body: dict[str, Any], key: str) -> dict[str, Any]:
    drafted = draft(module, body, key=key)
    assert drafted["statusCode"] == 201, drafted["json"]
    answer = act(module, drafted["json"]["id"], "countersign", SECOND)
    assert answer["statusCode"] == 200, answer["json"]
    return dict(answer["json"])


def test_a_notice_drafted_and_countersigned_is_numbered_signed_and_verified_by_anyone(
        module: Any, published: list[Any]) -> None:
    drafted = draft(module, INSPECTION)
    assert drafted["statusCode"] == 201, drafted["json"]
    shown = drafted["json"]
    assert (shown["state"], shown["inspectors"], shown["expires_at"]) == (
        "drafted", ["officer-fz-0001"], "2026-12-13T02:00:00Z")
    assert "number" not in shown
    assert "document" not in shown
    assert draft(module, INSPECTION)["json"]["id"] == shown["id"]  # the same Idempotency-Key
    assert published == []

    answer = act(module, shown["id"], "countersign", SECOND)
    assert answer["statusCode"] == 200, answer["json"]
    document = answer["json"]
    assert document["state"] == "issued"
    assert document["number"] == "13501000000-JC-2026-00001"
    assert document["inspectors"] == ["officer-fz-0001", "officer-fz-0002"]
    assert [s["action"] for s in document["trail"]] == ["drafted", "countersigned"]
    signed = document["document"]
    assert signed["content"]["period"] == {"from": "2025-01", "to": "2025-12"}
    assert signed["qr"] == signed["verify"] == (
        "/v1/field-documents/13501000000-JC-2026-00001/verify")
    assert signed["taxpayer"] == {"name": "福州闽江示例科技有限公司", "credit_code": SELLER}
    pem = module.field_documents.signer.public_key()["public_key_pem"]
    verify_envelope({"document": signed, "signature": document["signature"]}, pem)

    [event] = published
    assert event.detail_type == "FieldDocumentIssued"
    notice = event.detail["notification"]
    assert (notice["recipient"], notice["id"]) == (SELLER, "field-document:" + document["number"])
    assert document["number"] in notice["body"]
    assert signed["verify"] in notice["body"]

    checked = verify(module, document["number"])
    assert checked["statusCode"] == 200
    assert (checked["json"]["verdict"], checked["json"]["status"],
            checked["json"]["matches"]) == ("authentic", "issued", None)
    assert checked["json"]["inspectors"] == document["inspectors"]
    assert verify(module, document["number"], document["digest"])["json"]["matches"] is True
    altered = {**signed, "content": {**signed["content"], "matters": "无"}}
    copy = hashlib.sha256(canonical_bytes(altered)).hexdigest()
    assert verify(module, document["number"], copy)["json"]["verdict"] == "altered"

    # the taxpayer reads it (its inbox's link), and its PDF
    assert read(module, shown["id"], ("taxpayer", SELLER))["json"]["number"] == document["number"]
    printed = read(module, shown["id"], ("taxpayer", SELLER), "/document")
    assert printed["statusCode"] == 200
    assert printed["headers"]["Content-Type"] == "application/pdf"

    # a second document of the office and kind takes the next number; another kind its own
    assert issued(module, INSPECTION, "d-2")["number"] == "13501000000-JC-2026-00002"
    assert issued(module, INQUIRY, "d-3")["number"] == "13501000000-XW-2026-00001"


def test_a_withdrawn_document_says_so_to_whoever_checks_it(module: Any) -> None:
    document = issued(module, INQUIRY, "d-1")
    assert document["document"]["content"]["at"] == "2026-12-10T09:30+08:00"
    # only one of its inspectors (or an administrator), with a reason
    refused = act(module, document["id"], "withdraw", THIRD, {"reason": "送达错误"})
    assert refused["statusCode"] == 403
    missing = act(module, document["id"], "withdraw", DRAFTER, {})
    assert (missing["statusCode"], missing["json"]["field"]) == (422, "reason")
    answer = act(module, document["id"], "withdraw", DRAFTER, {"reason": "询问时间调整，另行通知"})
    assert answer["statusCode"] == 200, answer["json"]
    assert answer["json"]["state"] == "withdrawn"
    assert answer["json"]["trail"][-1]["text"] == "询问时间调整，另行通知"
    again = act(module, document["id"], "withdraw", ADMIN, {"reason": "再次撤回"})
    assert again["statusCode"] == 409
    checked = verify(module, document["number"])["json"]
    assert (checked["verdict"], checked["status"], checked["withdrawn_at"]) == (
        "authentic", "withdrawn", "2026-12-06T02:00:00Z")
    assert read(module, document["id"], SECOND, "/document")["statusCode"] == 200


def test_only_a_second_officer_of_the_office_countersigns_and_only_once(module: Any) -> None:
    document_id = draft(module, INSPECTION)["json"]["id"]
    assert act(module, document_id, "countersign", DRAFTER)["statusCode"] == 403
    assert act(module, document_id, "countersign", ELSEWHERE)["statusCode"] == 403
    assert act(module, document_id, "countersign", ("taxpayer", SELLER))["statusCode"] == 403
    assert act(module, document_id, "countersign", ADMIN)["statusCode"] == 403
    assert act(module, document_id, "countersign", SECOND)["statusCode"] == 200
    late = act(module, document_id, "countersign", THIRD)
    assert (late["statusCode"], late["json"]["field"]) == (409, "document_id")


def test_who_reads_a_document_and_what_a_draft_shows(module: Any) -> None:
    document_id = draft(module, INSPECTION)["json"]["id"]
    assert read(module, document_id, SECOND)["statusCode"] == 200
    assert read(module, document_id, ADMIN)["statusCode"] == 200
    assert read(module, document_id, ELSEWHERE)["statusCode"] == 403
    # a draft is none of the taxpayer's business yet, nor printed
    assert read(module, document_id, ("taxpayer", SELLER))["statusCode"] == 404
    assert read(module, document_id, SECOND, "/document")["statusCode"] == 409
    assert read(module, "fd-0000000000000000", SECOND)["statusCode"] == 404
    for odd in ("x" * 3000, "fd-#doc", "Ｆｄ-0000000000000000"):  # never a key sent as typed
        assert read(module, odd, SECOND)["statusCode"] == 404
        assert get(module, f"/v1/office/alerts/{odd}", ADMIN, "/v1/office/alerts/{alert_id}",
                   {"alert_id": odd})["statusCode"] == 404
    assert read(module, document_id, ("taxpayer", XIAMEN_SELLER))["statusCode"] == 404
    # a draft not countersigned within a week is gone
    module.field_documents.now = lambda: NOW + timedelta(days=7)
    assert read(module, document_id, SECOND)["statusCode"] == 404
    assert act(module, document_id, "countersign", SECOND)["statusCode"] == 404


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"taxpayer": XIAMEN_SELLER}, 403, None),
    ({"taxpayer": "91350100M000100Y99"}, 422, "taxpayer"),
    ({"taxpayer": "not-a-code"}, 422, "taxpayer"),
    ({"period": None}, 422, "period"),
    ({"period": {"from": "2026-01", "to": "2027-01"}}, 422, "period.to"),
    ({"period": {"from": "2025-12", "to": "2025-01"}}, 422, "period.to"),
    ({"period": {"from": "2010-01", "to": "2025-12"}}, 422, "period.from"),
    ({"period": {"from": "2025-13", "to": "2025-12"}}, 422, "period.from"),
    ({"matters": "x\u202ey"}, 422, "matters"),
    ({"kind": "search_warrant"}, 422, "kind"),
    ({"appointment": {"at": "2026-12-10T09:30:00+08:00", "place": "第一稽查局"}}, 422,
     "appointment"),  # a field of the other kind is refused, not ignored
    ({"extra": 1}, 422, "extra"),
])
def test_a_draft_that_breaks_a_rule_is_refused_naming_the_field(
        module: Any, change: dict[str, Any], status: int, field: str | None) -> None:
    body = {k: v for k, v in {**INSPECTION, **change}.items() if v is not None}
    answer = draft(module, body)
    assert answer["statusCode"] == status, answer["json"]
    if field:
        assert answer["json"]["field"] == field


@pytest.mark.parametrize("change", [{"period": {"from": "2025-01", "to": "2025-12"}},
                                    {"place": "纳税人生产经营场所"}])
def test_an_inquiry_with_an_inspections_fields_is_refused_naming_them(
        module: Any, change: dict[str, Any]) -> None:
    answer = draft(module, {**INQUIRY, **change})
    assert (answer["statusCode"], answer["json"]["field"]) == (422, next(iter(change)))


@pytest.mark.parametrize(("at", "field"), [
    ("2026-12-06T09:00:00+08:00", "appointment.at"),  # passed
    ("2027-03-01T09:00:00+08:00", "appointment.at"),  # over 60 days ahead
    ("2026-12-10T09:00:00", "appointment.at"),  # no offset
])
def test_an_inquiry_is_set_ahead_within_sixty_days(module: Any, at: str, field: str) -> None:
    body = {**INQUIRY, "appointment": {**INQUIRY["appointment"], "at": at}}
    answer = draft(module, body)
    assert (answer["statusCode"], answer["json"]["field"]) == (422, field)


def test_only_officers_draft(module: Any) -> None:
    assert draft(module, INSPECTION, ("taxpayer", SELLER))["statusCode"] == 403
    assert draft(module, INSPECTION, ADMIN)["statusCode"] == 403


def test_the_public_check_of_a_number_not_issued_or_a_malformed_digest(module: Any) -> None:
    assert verify(module, "13501000000-JC-2026-00009")["statusCode"] == 404
    assert verify(module, "not-a-number")["statusCode"] == 404
    number = issued(module, INSPECTION, "d-1")["number"]
    bad = verify(module, number, "abc")
    assert (bad["statusCode"], bad["json"]["field"]) == (422, "digest")


def test_a_number_taken_meanwhile_is_numbered_again_without_a_gap(
        module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = draft(module, INSPECTION, key="d-1")["json"]["id"]
    second = draft(module, INSPECTION, key="d-2")["json"]["id"]
    read: list[int] = []
    real = OfficeRepository.last_number

    def stale_once(self: OfficeRepository, *args: Any) -> int:
        # the second countersign first reads the counter as it was before the first wrote it
        read.append(real(self, *args) - (0 if read else 1))
        return read[-1]

    assert act(module, first, "countersign", SECOND)["json"]["number"].endswith("-00001")
    monkeypatch.setattr(OfficeRepository, "last_number", stale_once)
    answer = act(module, second, "countersign", SECOND)
    assert answer["json"]["number"] == "13501000000-JC-2026-00002"
    assert read == [0, 1]  # numbered again after the transaction found number 1 taken


# -- the on-duty roster and the alerts ----------------------------------------------------------

def shift(module: Any, officer: str, starts: datetime, hours: int = 8,
          key: str | None = None) -> dict[str, Any]:
    return post(module, "/v1/office/duty",
                {"officer": officer, "starts_at": starts.isoformat(),
                 "ends_at": (starts + timedelta(hours=hours)).isoformat()},
                ADMIN, key=key or f"s-{officer}-{starts:%H}")


def alarm(name: str, state: str, at: datetime) -> dict[str, Any]:
    return {"AlarmName": name, "AlarmDescription": "messages in the dead-letter queue of Notifier",
            "NewStateValue": state, "OldStateValue": "OK" if state == "ALARM" else "ALARM",
            "NewStateReason": "Threshold Crossed: 1 datapoint [3.0] >= 1.0",
            "StateChangeTime": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")}


@pytest.fixture
def alerts_fn(aws: None, published: list[Any]) -> Any:
    return load_handler("office_alerts")


def deliver(alerts_fn: Any, *bodies: dict[str, Any]) -> dict[str, Any]:
    records = [sqs_message(body, f"m-{n}") for n, body in enumerate(bodies)]
    answer: dict[str, Any] = alerts_fn.handler({"Records": records}, LambdaContext())
    return answer


def test_an_alarm_reaches_the_officers_on_duty_who_acknowledge_it_once(
        module: Any, alerts_fn: Any, published: list[Any]) -> None:
    on = shift(module, "officer-ops-0001", NOW - timedelta(hours=2))
    assert on["statusCode"] == 201, on["json"]
    assert on["json"]["on_duty"] is True
    later = shift(module, "officer-ops-0002", NOW + timedelta(hours=6))
    assert later["json"]["on_duty"] is False
    roster = get(module, "/v1/office/duty", SECOND)["json"]
    assert roster["on_duty"] == ["officer-ops-0001"]
    assert [s["officer"] for s in roster["shifts"]] == ["officer-ops-0001", "officer-ops-0002"]

    name = "etax-local-NotifierDeadLetters"
    raised = alarm(name, "ALARM", NOW - timedelta(minutes=1))
    assert deliver(alerts_fn, raised, raised) == {"batchItemFailures": []}  # delivered twice
    notices = [e.detail["notification"] for e in published]
    assert {n["recipient"] for n in notices} == {"officer-ops-0001"}
    assert len({n["id"] for n in notices}) == 1  # the same notification: the inbox keeps one
    assert name in notices[0]["title"]
    assert "Threshold Crossed" in notices[0]["body"]

    mine = get(module, "/v1/office/alerts", ("officer", "officer-ops-0001", FUZHOU))["json"]
    [alert] = mine["alerts"]
    assert (alert["alarm"], alert["state"], alert["recipients"]) == (
        name, "open", ["officer-ops-0001"])
    assert get(module, "/v1/office/alerts", ("officer", "officer-ops-0002", FUZHOU)
               )["json"]["alerts"] == []
    path, resource = (f"/v1/office/alerts/{alert['alert_id']}",
                      "/v1/office/alerts/{alert_id}")
    params = {"alert_id": alert["alert_id"]}
    assert get(module, path, ("officer", "officer-ops-0002", FUZHOU), resource,
               params)["statusCode"] == 403
    acked = post(module, f"{path}/ack", None, ("officer", "officer-ops-0001", FUZHOU),
                 resource=f"{resource}/ack", params=params)
    assert (acked["statusCode"], acked["json"]["state"]) == (200, "acknowledged")
    again = post(module, f"{path}/ack", None, ADMIN, resource=f"{resource}/ack", params=params)
    assert (again["statusCode"], again["json"]["field"]) == (409, "alert_id")

    # an OK from no data (a first evaluation) resolves nothing; back to OK from the ALARM
    # resolves it, and the same officers are told
    published.clear()
    deliver(alerts_fn, {**alarm(name, "OK", NOW), "OldStateValue": "INSUFFICIENT_DATA"})
    assert published == []
    assert get(module, path, ADMIN, resource, params)["json"]["state"] == "acknowledged"
    deliver(alerts_fn, alarm(name, "OK", NOW))
    [resolved] = [e.detail["notification"] for e in published]
    assert resolved["recipient"] == "officer-ops-0001"
    assert resolved["kind"] == "ops.alert_resolved"
    shown = get(module, path, ADMIN, resource, params)["json"]
    assert (shown["state"], shown["acknowledged_by"], shown["resolved_at"]) == (
        "resolved", "officer-ops-0001", "2026-12-06T02:00:00Z")


def test_an_alarm_with_nobody_on_duty_is_kept_for_the_administrators(
        module: Any, alerts_fn: Any, published: list[Any]) -> None:
    deliver(alerts_fn, alarm("etax-local-AuthorizerFailures", "ALARM", NOW))
    assert published == []
    [alert] = get(module, "/v1/office/alerts", ADMIN)["json"]["alerts"]
    assert (alert["alarm"], alert["recipients"]) == ("etax-local-AuthorizerFailures", [])


def test_a_message_that_is_not_an_alarm_fails_alone(module: Any, alerts_fn: Any) -> None:
    answer = deliver(alerts_fn, {"hello": 1}, alarm("etax-local-X", "INSUFFICIENT_DATA", NOW))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}


@pytest.mark.parametrize(("starts", "hours", "field"), [
    (NOW, 25, "ends_at"), (NOW, 0, "ends_at"), (NOW - timedelta(days=2), 8, "ends_at"),
    (NOW + timedelta(days=91), 8, "starts_at"),
])
def test_a_shift_out_of_bounds_is_refused(module: Any, starts: datetime, hours: int,
                                          field: str) -> None:
    answer = shift(module, "officer-ops-0001", starts, hours)
    assert (answer["statusCode"], answer["json"]["field"]) == (422, field)


def test_only_administrators_keep_the_roster(module: Any) -> None:
    added = shift(module, "officer-ops-0001", NOW)
    shift_id = added["json"]["shift_id"]
    body = {"officer": "officer-ops-0009", "starts_at": NOW.isoformat(),
            "ends_at": (NOW + timedelta(hours=1)).isoformat()}
    assert post(module, "/v1/office/duty", body, SECOND, key="s-x")["statusCode"] == 403
    assert get(module, "/v1/office/duty", ("taxpayer", SELLER))["statusCode"] == 403
    event = request("DELETE", f"/v1/office/duty/{shift_id}", who=SECOND,
                    resource="/v1/office/duty/{shift_id}", params={"shift_id": shift_id})
    assert call(module, event)["statusCode"] == 403
    as_admin = request("DELETE", f"/v1/office/duty/{shift_id}", who=ADMIN,
                       resource="/v1/office/duty/{shift_id}", params={"shift_id": shift_id})
    assert call(module, as_admin)["statusCode"] == 204
    assert call(module, as_admin)["statusCode"] == 404
    assert get(module, "/v1/office/duty", ADMIN)["json"]["shifts"] == []
