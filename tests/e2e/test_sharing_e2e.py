"""Bank–tax consents on the local stack, through the demo partner bank (the Chalice app the
CDK app deploys, partners/bank_precheck): the bank asks a taxpayer for a consent; the taxpayer
is told in its inbox and authorises; the bank then reads the rating and the tax paid — only
those, the figures of the platform's own records — and answers its pre-check; every read is
listed to the taxpayer; revoked, the bank reads nothing more at once; an expired consent
(its expiry moved into the past in the table, as the clock would) permits nothing either."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from etax.documents.signing import verify_envelope
from tests.e2e.test_analytics_e2e import fresh_taxpayer
from tests.e2e.test_filing_e2e import master, post, provider_confirms
from tests.e2e.test_lottery_e2e import register_seller, wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["master"]  # the filing module's fixture, used here

BANK_ID = "bank-minjiang-demo"


def read(api: str, bank: dict[str, str], code: str, scope: str) -> requests.Response:
    return requests.get(f"{api}/v1/partner/taxpayers/{code}/{scope}", headers=bank, timeout=60)


def precheck(stack: dict[str, Any], precheck_id: str) -> dict[str, Any]:
    answer = requests.get(f"{stack['PartnerBankUrl']}/prechecks/{precheck_id}", timeout=60)
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


@pytest.fixture(scope="module")
def taxpayer(api: str, aws: Any, stack: dict[str, Any], master: bytes) -> dict[str, Any]:
    """A registered company with a VAT return filed and paid this month: 1,500.00 yuan."""
    code = fresh_taxpayer()
    register_seller(aws, stack, code, "福州银税互动示例有限公司")
    who = bearer(token(api, "taxpayer", code))
    month = f"{datetime.now(UTC) - timedelta(days=40):%Y-%m}"
    opened = post(api, "/v1/filing/obligations", who,
                  {"taxpayer": code, "tax_type": "vat", "period": month})
    assert opened.status_code == 201, opened.text
    oid = opened.json()["obligation_id"]
    filed = post(api, f"/v1/filing/obligations/{oid}/return", who, {  # 19,500 - 18,000
        "kind": "vat_general",
        "data": {"sales": [{"amount": "150000", "rate": "0.13"}], "input_tax": "18000"}})
    assert filed.status_code == 201, filed.text
    payment = post(api, f"/v1/filing/obligations/{oid}/payments", who,
                   {"method": "bank_transfer", "amount": "1500.00"})
    assert payment.status_code == 201, payment.text
    assert provider_confirms(api, master, payment.json()).status_code == 200
    return {"code": code, "who": who}


def test_the_bank_prechecks_a_loan_within_the_consent_and_stops_when_it_is_revoked(
        api: str, stack: dict[str, Any], taxpayer: dict[str, Any]) -> None:
    code, who = taxpayer["code"], taxpayer["who"]
    bank = bearer(token(api, "partner", BANK_ID))
    assert read(api, bank, code, "tax_paid").status_code == 403  # no consent yet

    started = requests.post(f"{stack['PartnerBankUrl']}/prechecks",
                            json={"credit_code": code}, timeout=60)
    assert started.status_code == 202, started.text
    precheck_id = started.json()["precheck_id"]
    assert precheck(stack, precheck_id)["status"] == "awaiting_consent"
    assert read(api, bank, code, "tax_paid").status_code == 403  # asked, not authorised

    # the taxpayer is told who asks for what, and answers
    notice = f"consent:{precheck_id}:AwaitingAuthorisation"
    [told] = wait_for("the consent request in the inbox",
                      lambda: entries_with(api, who, notice) or None)
    assert "闽江示范银行" in told["title"], told
    decided = post(api, f"/v1/consents/{precheck_id}/decision", who, {"decision": "authorise"})
    assert decided.status_code == 200, decided.text

    answered = precheck(stack, precheck_id)
    assert answered["status"] == "answered", answered
    assert answered["tax_paid_fen"] == 150_000
    assert [r["code"] for r in answered["reasons"]] == ["rating", "tax_paid"]
    assert answered["reasons"][1]["met"] is True
    # never rated: the year so far is shown as such, and is no annual rating
    assert answered["eligible"] is False
    assert "no annual rating yet" in answered["reasons"][0]["text"]

    assert read(api, bank, code, "sales").status_code == 403  # not a scope it was given
    reads = requests.get(f"{api}/v1/consents/{precheck_id}/reads", headers=who, timeout=60)
    assert reads.status_code == 200, reads.text
    assert sorted(r["scope"] for r in reads.json()["items"]) == ["rating", "tax_paid"]
    assert {r["partner"] for r in reads.json()["items"]} == {BANK_ID}

    # the bank is told in its own inbox that the consent stands
    wait_for("the authorisation in the bank's inbox", lambda: entries_with(
        api, bank, f"consent:{precheck_id}:Authorised") or None)

    revoked = requests.delete(f"{api}/v1/consents/{precheck_id}", headers=who, timeout=60)
    assert revoked.status_code == 200, revoked.text
    assert read(api, bank, code, "tax_paid").status_code == 403
    assert precheck(stack, precheck_id)["status"] == "consent_revoked"
    assert len(requests.get(f"{api}/v1/consents/{precheck_id}/reads", headers=who,
                            timeout=60).json()["items"]) == 2  # nothing read since


def test_an_expired_consent_permits_nothing(api: str, aws: Any, stack: dict[str, Any],
                                            taxpayer: dict[str, Any]) -> None:
    code, who = taxpayer["code"], taxpayer["who"]
    bank = bearer(token(api, "partner", BANK_ID))
    granted = post(api, "/v1/consents", who, {
        "partner": BANK_ID, "scopes": ["tax_paid", "returns"], "purpose": "credit_loan",
        "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat()})
    assert granted.status_code == 201, granted.text
    consent_id = granted.json()["consent_id"]
    paid = read(api, bank, code, "tax_paid")
    assert paid.status_code == 200, paid.text
    assert paid.json()["tax_paid"]["total_fen"] == 150_000
    assert paid.json()["consent_id"] == consent_id
    returns = read(api, bank, code, "returns").json()["returns"]
    # paid, or still filed when a surcharge for lateness is left to pay
    assert [(r["tax_fen"], r["status"] in ("filed", "paid")) for r in returns["returns"]] == \
        [(150_000, True)]

    # the week passes: the expiry the platform checks, moved into the past
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds")
    aws("dynamodb").update_item(
        TableName=stack["SharingTableName"],
        Key={"pk": {"S": f"consent#{consent_id}"}, "sk": {"S": "consent"}},
        UpdateExpression="SET expires_at = :past", ExpressionAttributeValues={
            ":past": {"S": past}})
    assert read(api, bank, code, "tax_paid").status_code == 403
    shown = requests.get(f"{api}/v1/consents/{consent_id}", headers=who, timeout=60).json()
    assert shown["status"] == "Expired"
    assert shown["reads"] == 2


def test_a_department_reads_a_registration_change_on_its_signed_feed(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    """A company registered through the registry's feed: the market regulator (a partner
    department under a data-feed agreement) finds the change on its feed, in a page whose
    signature verifies with the platform's published key; a bank has no feed."""
    code = fresh_taxpayer()
    register_seller(aws, stack, code, "端到端共享示例有限公司")
    department = bearer(token(api, "partner", "market-regulator-demo"))

    def listed() -> dict[str, Any] | None:
        cursor: str | None = None
        while True:
            answer = requests.get(f"{api}/v1/partner/feed", headers=department, timeout=60,
                                  params={"cursor": cursor} if cursor else None)
            assert answer.status_code == 200, answer.text
            page: dict[str, Any] = answer.json()
            for entry in page["document"]["entries"]:
                if entry["type"] == "RegistrationChanged" and \
                        entry["detail"]["credit_code"] == code:
                    return page
            if not page["document"]["entries"]:
                return None
            cursor = page["document"]["next"]

    page = wait_for("the registration on the department's feed", listed)
    [key] = requests.get(f"{api}/v1/keys", timeout=60).json()["keys"]
    verify_envelope(page, key["public_key_pem"])
    [entry] = [e for e in page["document"]["entries"] if e["detail"]["credit_code"] == code]
    assert (entry["source"], entry["detail"]["status"]) == ("tax.registration", "active")
    assert page["document"]["department"] == "market-regulator-demo"
    bank = bearer(token(api, "partner", "bank-minjiang-demo"))
    assert requests.get(f"{api}/v1/partner/feed", headers=bank, timeout=60).status_code == 403
    bad = requests.get(f"{api}/v1/partner/feed", headers=department, timeout=60,
                       params={"cursor": "not-a-cursor"})
    assert (bad.status_code, bad.json()["field"]) == (400, "cursor")
