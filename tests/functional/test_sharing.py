"""Bank–tax consents (D14) over moto: a taxpayer grants a bank named scopes until an expiry;
the bank reads only those scopes, only while the consent stands (revoked: 403 at once; expired
by the platform's clock: 403), each read logged in the same transaction and listed to the
taxpayer; a bank's request awaits the taxpayer's answer, one at a time per taxpayer; the
figures a scope answers are the platform's records; problems name their fields; nobody
reaches another party's consent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from etax.documents.signing import SignatureMismatch, verify_envelope
from etax.platform.cursors import encode_cursor
from etax.sharing import consents
from etax.sharing.feed import SETTLE
from tests.functional.conftest import DigestKms, LambdaContext, call, load_handler
from tests.functional.test_acceptance_registration import put_record
from tests.functional.test_credit import obligation
from tests.functional.test_invoices import request
from tests.functional.test_supply import Clock

SELLER = "91350100M000100Y43"
OTHER = "91350100MA2Y8KXX1B"
PERSON = "110101199003074477"
BANK = ("partner", "bank-minjiang-demo")
SECOND_BANK = ("partner", "second-bank")
STRANGER_BANK = ("partner", "unknown-bank")
NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def payment(code: str, payment_id: str, tax_type: str, amount_fen: int, paid_on: str) -> None:
    boto3.resource("dynamodb").Table("filing").put_item(Item={
        "pk": f"payment#{payment_id}", "sk": "payment", "payment_id": payment_id,
        "obligation_id": f"{code}:{tax_type}:x", "taxpayer": code, "tax_type": tax_type,
        "period": "x", "method": "bank_transfer", "amount_fen": amount_fen,
        "status": "confirmed", "instruction": "{}", "created_at": f"{paid_on}T01:00:00+00:00",
        "created_by": code, "confirmed_at": f"{paid_on}T02:00:00+00:00", "paid_on": paid_on,
        "payer": code})


def usage(code: str, month: str, fen: int) -> None:
    boto3.resource("dynamodb").Table("quotas").put_item(
        Item={"key": f"used#{code}#{month}", "used_fen": fen})


@pytest.fixture
def records(aws: None) -> None:
    put_record(SELLER)
    put_record(OTHER, name="福州三坊七巷示例百货有限公司")
    obligation(SELLER, "2026-09", "2026-10-22", filed="2026-10-30T02:00:00+00:00",
               paid="2026-10-30T03:00:00+00:00", tax_fen=1_000_000)
    obligation(SELLER, "2026-08", "2026-09-15", filed="2026-09-10T02:00:00+00:00",
               paid="2026-09-12T02:00:00+00:00", tax_fen=500_000)
    obligation(SELLER, "2025-10", "2025-11-17", filed="2025-11-10T02:00:00+00:00",
               tax_fen=70_000)  # due before the 12 months: left out
    payment(SELLER, "p1", "vat", 1_000_000, "2026-10-30")
    payment(SELLER, "p2", "vat", 500_000, "2026-09-12")
    payment(SELLER, "p3", "cit", 250_000, "2026-04-20")
    payment(SELLER, "p0", "vat", 99_000, "2025-11-30")  # before the window
    usage(SELLER, "202612", 1_130_000)
    usage(SELLER, "202610", 2_260_000)
    usage(SELLER, "202512", 9_999)  # before the window


@pytest.fixture
def clock() -> Clock:
    still = Clock()
    still.now = NOW
    return still


@pytest.fixture
def api(records: None, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
    module = load_handler("sharing")
    module.service.now = clock
    module.service.ratings.credit.now = clock
    module.feed.now = clock
    module.feed.signer.kms = DigestKms()
    return module


def send(api: Any, method: str, path: str, who: tuple[str, ...] | None, *,
         body: Any = None, key: str | None = None, resource: str | None = None,
         params: dict[str, str] | None = None,
         query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request(method, path, body=body, who=who, key=key, resource=resource,
                    params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} \
        if query else None
    return call(api, event)


def grant(api: Any, *, scopes: list[str], who: tuple[str, ...] = ("taxpayer", SELLER),
          partner: str = "bank-minjiang-demo", days: int = 30, key: str = "g1",
          purpose: str = "loan_precheck") -> dict[str, Any]:
    return send(api, "POST", "/v1/consents", who, key=key, body={
        "partner": partner, "scopes": scopes, "purpose": purpose,
        "expires_at": (NOW + timedelta(days=days)).isoformat()})


def read(api: Any, scope: str, who: tuple[str, ...] = BANK, code: str = SELLER,
         query: dict[str, str] | None = None) -> dict[str, Any]:
    return send(api, "GET", f"/v1/partner/taxpayers/{code}/{scope}", who,
                resource="/v1/partner/taxpayers/{credit_code}/{scope}",
                params={"credit_code": code, "scope": scope}, query=query)


def on_consent(api: Any, method: str, consent_id: str, who: tuple[str, ...], *,
               tail: str = "", body: Any = None, key: str | None = None,
               query: dict[str, str] | None = None) -> dict[str, Any]:
    return send(api, method, f"/v1/consents/{consent_id}{tail}", who, body=body, key=key,
                resource="/v1/consents/{consent_id}" + tail,
                params={"consent_id": consent_id}, query=query)


def test_a_granted_consent_lets_the_bank_read_its_scopes_only_and_every_read_is_listed(
        api: Any) -> None:
    granted = grant(api, scopes=["rating", "tax_paid", "sales", "returns"])
    assert granted["statusCode"] == 201, granted["json"]
    consent = granted["json"]
    assert consent["status"] == "Authorised"
    assert consent["receipt"]["pii_principal_id"] == "913501********0Y43"
    assert consent["receipt"]["jurisdiction"] == "CN"

    paid = read(api, "tax_paid")
    assert paid["statusCode"] == 200, paid["json"]
    assert paid["json"]["tax_paid"] == {
        "first_day": "2026-01-01", "last_day": "2026-12-04", "total_fen": 1_750_000,
        "by_tax_type": {"cit": 250_000, "vat": 1_500_000}, "payments": 3}
    assert paid["json"]["consent_id"] == consent["consent_id"]
    assert paid["json"]["rating"] is None

    sales = read(api, "sales")["json"]["sales"]
    assert sales["total_fen"] == 3_390_000
    assert [m["month"] for m in sales["months"]][:2] == ["2026-01", "2026-02"]
    assert {m["month"]: m["invoiced_fen"] for m in sales["months"]}["2026-10"] == 2_260_000

    returns = read(api, "returns")["json"]["returns"]
    assert returns["due"] == 2
    assert returns["filed_on_time"] == 1
    assert [r["period"] for r in returns["returns"]] == ["2026-08", "2026-09"]
    assert returns["returns"][1]["tax_fen"] == 1_000_000

    rating = read(api, "rating")
    assert rating["statusCode"] == 200, rating["json"]
    assert rating["json"]["rating"]["level"] in ("A", "B", "M", "C", "D")
    assert rating["json"]["rating"]["provisional"] is True  # never rated: the year so far

    listed = on_consent(api, "GET", consent["consent_id"], ("taxpayer", SELLER),
                        tail="/reads")
    assert listed["statusCode"] == 200, listed["json"]
    assert sorted(r["scope"] for r in listed["json"]["items"]) == \
        ["rating", "returns", "sales", "tax_paid"]  # (one instant: the clock is still)
    mine = send(api, "GET", "/v1/me/consents", ("taxpayer", SELLER))["json"]["items"]
    assert mine[0]["reads"] == 4
    assert mine[0]["last_read_at"] == "2026-12-04T02:00:00+00:00"


def test_a_scope_not_granted_a_revoked_and_an_expired_consent_are_refused(
        api: Any, clock: Clock) -> None:
    consent = grant(api, scopes=["rating"], days=10)["json"]
    assert read(api, "tax_paid")["statusCode"] == 403
    assert read(api, "rating", who=SECOND_BANK)["statusCode"] == 403  # given to bank-minjiang-demo
    assert read(api, "rating", who=STRANGER_BANK)["statusCode"] == 403  # no agreement
    assert read(api, "rating", code=OTHER)["statusCode"] == 403  # another taxpayer's
    assert read(api, "rating")["statusCode"] == 200

    clock.now = NOW + timedelta(days=10)  # the instant it expires
    expired = read(api, "rating")
    assert expired["statusCode"] == 403, expired["json"]
    seen = on_consent(api, "GET", consent["consent_id"], ("taxpayer", SELLER))["json"]
    assert seen["status"] == "Expired"
    # nothing to revoke once expired
    assert on_consent(api, "DELETE", consent["consent_id"],
                      ("taxpayer", SELLER))["statusCode"] == 409

    clock.now = NOW + timedelta(days=11)
    again = grant(api, scopes=["rating"], key="g2", days=40)["json"]
    assert read(api, "rating")["statusCode"] == 200
    revoked = on_consent(api, "DELETE", again["consent_id"], ("taxpayer", SELLER))
    assert revoked["statusCode"] == 200
    assert revoked["json"]["status"] == "Revoked"
    assert read(api, "rating")["statusCode"] == 403
    assert on_consent(api, "GET", again["consent_id"], ("taxpayer", SELLER),
                      tail="/reads")["json"]["items"][0]["scope"] == "rating"


def test_a_banks_request_awaits_the_taxpayers_answer_one_at_a_time(api: Any) -> None:
    body = {"credit_code": SELLER, "scopes": ["rating", "tax_paid"], "purpose": "loan_precheck",
            "expires_at": (NOW + timedelta(days=30)).isoformat()}
    asked = send(api, "POST", "/v1/partner/consents", BANK, body=body, key="a1")
    assert asked["statusCode"] == 201, asked["json"]
    consent_id = asked["json"]["consent_id"]
    assert asked["json"]["status"] == "AwaitingAuthorisation"
    assert read(api, "rating")["statusCode"] == 403  # not yet authorised
    second = send(api, "POST", "/v1/partner/consents", BANK, body=body, key="a2")
    assert second["statusCode"] == 409
    assert consent_id in second["json"]["detail"]

    # the bank sees its request; another bank and another taxpayer do not
    assert on_consent(api, "GET", consent_id, BANK)["json"]["status"] == \
        "AwaitingAuthorisation"
    assert on_consent(api, "GET", consent_id, SECOND_BANK)["statusCode"] == 404
    assert on_consent(api, "GET", consent_id, ("taxpayer", OTHER))["statusCode"] == 404
    assert on_consent(api, "POST", consent_id, ("taxpayer", OTHER), tail="/decision",
                      body={"decision": "authorise"}, key="d0")["statusCode"] == 404

    decided = on_consent(api, "POST", consent_id, ("taxpayer", SELLER), tail="/decision",
                         body={"decision": "authorise"}, key="d1")
    assert decided["statusCode"] == 200
    assert decided["json"]["status"] == "Authorised"
    assert read(api, "tax_paid")["statusCode"] == 200
    assert on_consent(api, "POST", consent_id, ("taxpayer", SELLER), tail="/decision",
                      body={"decision": "reject"}, key="d2")["statusCode"] == 409
    # answered: the bank may ask again
    third = send(api, "POST", "/v1/partner/consents", BANK, body=body, key="a3")
    assert third["statusCode"] == 201
    rejected = on_consent(api, "POST", third["json"]["consent_id"], ("taxpayer", SELLER),
                          tail="/decision", body={"decision": "reject"}, key="d3")
    assert rejected["json"]["status"] == "Rejected"


@pytest.mark.parametrize(("body", "field"), [
    ({"scopes": []}, "scopes"),
    ({"scopes": ["rating", "rating"]}, "scopes"),
    ({"scopes": ["bank_accounts"]}, "scopes[0]"),
    ({"partner": "second-bank", "scopes": ["sales"]}, "scopes"),
    ({"purpose": "marketing"}, "purpose"),
    ({"partner": "nobody-bank"}, "partner"),
    ({"expires_at": (NOW + timedelta(days=91)).isoformat()}, "expires_at"),
    ({"expires_at": (NOW - timedelta(days=1)).isoformat()}, "expires_at"),
    ({"expires_at": "2026-12-31T00:00:00"}, "expires_at"),
    ({"extra": 1}, "extra"),
])
def test_bad_terms_are_refused_naming_the_field(api: Any, body: dict[str, Any],
                                                field: str) -> None:
    terms = {"partner": "bank-minjiang-demo", "scopes": ["rating"], "purpose": "loan_precheck",
             "expires_at": (NOW + timedelta(days=30)).isoformat(), **body}
    answer = send(api, "POST", "/v1/consents", ("taxpayer", SELLER), body=terms, key="bad")
    assert answer["statusCode"] in (404, 422), answer["json"]
    assert answer["json"]["field"] == field, answer["json"]


def test_who_may_do_what(api: Any) -> None:
    assert grant(api, scopes=["rating"], who=("taxpayer", PERSON))["statusCode"] == 403
    assert grant(api, scopes=["rating"], who=BANK)["statusCode"] == 403
    assert send(api, "GET", "/v1/me/consents", BANK)["statusCode"] == 403
    assert send(api, "POST", "/v1/partner/consents", ("taxpayer", SELLER), key="x", body={
        "credit_code": SELLER, "scopes": ["rating"], "purpose": "loan_precheck",
        "expires_at": (NOW + timedelta(days=3)).isoformat()})["statusCode"] == 403
    asked = send(api, "POST", "/v1/partner/consents", STRANGER_BANK, key="y", body={
        "credit_code": SELLER, "scopes": ["rating"], "purpose": "loan_precheck",
        "expires_at": (NOW + timedelta(days=3)).isoformat()})
    assert asked["statusCode"] == 403
    bad_code = send(api, "POST", "/v1/partner/consents", BANK, key="z", body={
        "credit_code": "91350100M000100Y44", "scopes": ["rating"], "purpose": "loan_precheck",
        "expires_at": (NOW + timedelta(days=3)).isoformat()})
    assert bad_code["statusCode"] == 422
    assert bad_code["json"]["field"] == "credit_code"
    consent = grant(api, scopes=["rating"])["json"]
    for who in (("taxpayer", OTHER), ("officer", "officer-fz-0001", "13501000000")):
        assert on_consent(api, "DELETE", consent["consent_id"], who)["statusCode"] in (403, 404)
    assert on_consent(api, "GET", consent["consent_id"], ("taxpayer", OTHER),
                      tail="/reads")["statusCode"] == 404
    unknown = read(api, "bank_accounts")
    assert unknown["statusCode"] == 404
    assert unknown["json"]["field"] == "scope"
    assert on_consent(api, "GET", "cns_" + "0" * 20, ("taxpayer", SELLER))["statusCode"] == 404
    odd = on_consent(api, "GET", consent["consent_id"] + "'<b>", ("taxpayer", SELLER))
    assert odd["statusCode"] == 404
    assert "<b>" not in json.dumps(odd["json"])  # the client's text is not echoed
    assert on_consent(api, "GET", consent["consent_id"], ("taxpayer", SELLER),
                      tail="/reads", query={"cursor": "bm90LWEtY3Vyc29y"})["statusCode"] == 400


def test_the_outbox_announces_each_move_with_the_notices(api: Any) -> None:
    from etax.platform.outbox import Change
    from etax.sharing.outbox import event_for

    stream = boto3.client("dynamodb")
    consent = send(api, "POST", "/v1/partner/consents", BANK, key="o1", body={
        "credit_code": SELLER, "scopes": ["rating", "sales"], "purpose": "loan_precheck",
        "expires_at": (NOW + timedelta(days=3)).isoformat()})["json"]
    item = stream.get_item(TableName="sharing", Key={
        "pk": {"S": f"consent#{consent['consent_id']}"}, "sk": {"S": "consent"}})["Item"]
    from etax.platform.outbox import deserialize

    new = deserialize(item)
    asked = event_for(Change("INSERT", new, {}))
    assert asked is not None
    assert asked.detail_type == "ConsentRequested"
    notice = asked.detail["notification"]
    assert notice["recipient"] == SELLER
    assert "纳税信用级别、近12个月开票销售额" in notice["body"]
    read_counted = {**new, "status": "Authorised", "reads": 1}
    assert event_for(Change("MODIFY", read_counted, read_counted)) is None
    authorised = event_for(Change("MODIFY", {**new, "status": "Authorised"}, new))
    assert authorised is not None
    assert authorised.detail["notification"]["recipient"] == "bank-minjiang-demo"
    assert json.dumps(authorised.detail, ensure_ascii=False).count(SELLER) == 1


def test_a_read_between_the_look_up_and_the_revocation_does_not_stop_it(api: Any) -> None:
    """The bank's read counter moves the consent's item; the company's revocation, made from
    the consent as it read it just before, still ends it (and keeps the read counted)."""
    consent = grant(api, scopes=["rating"])["json"]
    store = api.service.store
    as_read = store.get(consent["consent_id"])
    assert read(api, "rating")["statusCode"] == 200  # the counter moves meanwhile
    store.move(as_read, consents.revoke(as_read, NOW))
    after = store.get(consent["consent_id"])
    assert (after.status, after.reads) == ("Revoked", 1)
    assert read(api, "rating")["statusCode"] == 403


REGULATOR = ("partner", "market-regulator-demo")


def bus_message(event_id: str, source: str, kind: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"messageId": f"m-{event_id}", "body": json.dumps({
        "id": event_id, "source": source, "detail-type": kind,
        "time": "2026-12-04T01:00:00Z", "detail": detail}), "attributes": {
        "ApproximateReceiveCount": "1"}}


def feed_page(api: Any, who: tuple[str, ...], **query: str) -> dict[str, Any]:
    return send(api, "GET", "/v1/partner/feed", who, query=query or None)


def test_a_department_reads_its_facts_once_each_in_signed_pages(api: Any) -> None:
    lister = load_handler("sharing_feed")
    listed = {"case_id": "c-1", "credit_code": SELLER, "listed_on": "2026-12-03"}
    batch = {"Records": [
        bus_message("e-1", "tax.violators", "ViolatorListed", listed),
        bus_message("e-1", "tax.violators", "ViolatorListed", listed),  # delivered twice
        bus_message("e-2", "tax.filing", "PaymentConfirmed", {"taxpayer": PERSON}),
        bus_message("e-3", "tax.registration", "RegistrationChanged",
                    {"credit_code": SELLER, "status": "cancelled", "revision": 2}),
        {"messageId": "m-bad", "body": "not json", "attributes": {
            "ApproximateReceiveCount": "1"}},
    ]}
    lister.feed.now = lambda: NOW - 2 * SETTLE  # received long enough before the reads
    answer = lister.handler(batch, LambdaContext())
    assert answer["batchItemFailures"] == [{"itemIdentifier": "m-bad"}]

    first = feed_page(api, REGULATOR, limit="1")
    assert first["statusCode"] == 200, first
    page = first["json"]
    assert [e["id"] for e in page["document"]["entries"]] == ["e-1"]
    assert page["document"]["entries"][0]["detail"] == listed
    assert page["document"]["agreement"] == "LOCAL-DEMO-SJGX-001"
    public = api.feed.signer.public_key()["public_key_pem"]
    verify_envelope(page, public)
    tampered = json.loads(json.dumps(page))
    tampered["document"]["entries"][0]["detail"]["credit_code"] = OTHER
    with pytest.raises(SignatureMismatch):
        verify_envelope(tampered, public)
    rest = feed_page(api, REGULATOR, cursor=page["document"]["next"])["json"]
    assert [e["id"] for e in rest["document"]["entries"]] == ["e-3"]  # no payment, no copy
    end = feed_page(api, REGULATOR, cursor=rest["document"]["next"])["json"]
    assert end["document"]["entries"] == []
    assert end["document"]["next"] == rest["document"]["next"]  # read on from there later


@pytest.mark.parametrize(("who", "query", "status", "field"), [
    (BANK, {}, 403, None),  # a bank has no feed
    (("taxpayer", SELLER), {}, 403, None),
    (REGULATOR, {"cursor": "not-a-cursor"}, 400, "cursor"),
    # a cursor of another department's feed (or of another list) is not this feed's
    (REGULATOR, {"cursor": encode_cursor({"pk": {"S": "feed#another-department"},
                                          "sk": {"S": "2026-12-04T01:00:00.000000+00:00#e"}})},
     400, "cursor"),
    (REGULATOR, {"cursor": encode_cursor({"pk": {"S": "consent#c-1"}})}, 400, "cursor"),
    (REGULATOR, {"limit": "500"}, 422, "limit"),
])
def test_only_a_department_reads_a_feed_and_bad_reads_name_the_field(
        api: Any, who: tuple[str, ...], query: dict[str, str], status: int,
        field: str | None) -> None:
    answer = feed_page(api, who, **query)
    assert answer["statusCode"] == status, answer
    assert (answer["json"] or {}).get("field") == field
