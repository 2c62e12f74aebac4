"""A person's data never reaches the logs unmasked, over the deployed local stack.

A natural person registers (resident ID, name, bank card, phone), sets an SMS number and an
e-mail address for notifications, files the annual reconciliation and has the refund paid into
a bank account, receives a notification on every channel, and is refused once with an expired
token. Then every log group of the local CloudWatch Logs (where LocalStack writes each
function's output: ``/aws/lambda/<function>``) is read, and none of those values is in it.
The refusal is the control: its line carries the person's resident ID masked, so the logs read
are the ones the flows wrote.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import Any

import pytest
import requests

from etax.acceptance.requests import luhn_valid
from etax.platform.privacy import mask_identifier
from etax.platform.tokens import KmsTokenSigner
from etax.rules import resident_id
from tests.e2e import test_notifications_e2e as notifications
from tests.e2e import test_refunds_e2e as refunds
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_platform_e2e import bearer, crafted, issuer_signer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["issuer_signer"]  # the platform tests' fixture, used here too

FUZHOU = "13501000000"


def digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))


def bank_card() -> str:
    """A card number of its own with a valid check digit that the simulated bank matches (no
    suffix of its rules: docs/usage/acceptance.md)."""
    while True:
        head = f"6222{digits(11)}"
        number = next(head + d for d in "0123456789" if luhn_valid(head + d))
        if number[-4:] not in ("0000", "1111", "2222", "9990"):
            return number


@pytest.fixture(scope="module")
def person() -> dict[str, str]:
    """A person of their own: values no other test sends, so any hit in the logs is theirs."""
    first17 = f"35010219770412{digits(3)}"
    return {
        "resident_id": first17 + resident_id.check_character(first17),
        "name": "欧阳" + secrets.choice("明华丽强军芳") + secrets.choice("溪岚澄"),
        "phone": f"139{digits(4)}5{digits(3)}",
        "bank_card": bank_card(),
        "account": f"6217{digits(8)}5678",
        "email": f"p{digits(6)}@example.cn",
    }


def log_events(aws: Any, since_ms: int) -> list[tuple[str, str]]:
    """(log group, message) of every event any log group received since ``since_ms``."""
    logs = aws("logs")
    groups = [g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate()
              for g in page["logGroups"]]
    events: list[tuple[str, str]] = []
    for group in groups:
        try:
            pages = logs.get_paginator("filter_log_events").paginate(
                logGroupName=group, startTime=since_ms)
            events += [(group, e["message"]) for page in pages for e in page["events"]]
        except logs.exceptions.ResourceNotFoundException:
            continue
    return events


def test_personal_data_sent_through_the_stack_is_never_logged_unmasked(
        api: str, aws: Any, person: dict[str, str], issuer_signer: KmsTokenSigner) -> None:
    since_ms = int(time.time() * 1000) - 1000
    pid = person["resident_id"]
    mine = bearer(token(api, "taxpayer", pid))
    # registration: the real-name check with name, ID, card and phone; then read back
    registered = refunds.post(api, "/v1/registration/natural-persons", mine, {
        "resident_id": pid, "name": person["name"], "bank_card": person["bank_card"],
        "phone": person["phone"], "tax_office_code": FUZHOU})
    assert registered.status_code == 201, registered.text
    again = refunds.post(api, "/v1/registration/natural-persons", mine, {
        "resident_id": pid, "name": person["name"], "bank_card": person["bank_card"],
        "phone": person["phone"], "tax_office_code": FUZHOU})
    assert again.status_code == 409, again.text        # a problem: logged as a client problem
    assert requests.get(f"{api}/v1/registration/natural-persons/{pid}", headers=mine,
                        timeout=30).status_code == 200
    # notification preferences with the phone and the e-mail address
    prefs = {"channels": {"sms": {"address": person["phone"]},
                          "email": {"address": person["email"]}, "app": {}}}
    answer = requests.put(f"{api}/v1/me/notification-preferences", headers=mine, json=prefs,
                          timeout=30)
    assert answer.status_code == 200, answer.text
    # the annual reconciliation refunded into the person's bank account, through every stage
    refunds.filed_iit(api, mine, pid)
    case = refunds.apply(api, mine, {"kind": "iit_annual", "year": 2025, "account": {
        "bank": "中国银行", "number": person["account"]}})
    refunds.wait_state(api, mine, case["id"], "notified")
    # a notification sent on the person's SMS and e-mail channels
    nid = f"privacy:e2e-{uuid.uuid4().hex[:8]}"
    sent = requests.post(f"{api}/v1/notifications", headers=bearer(token(api, "admin",
                                                                          "admin-0001")),
                         timeout=30, json=notifications.notification(nid, pid))
    assert sent.status_code == 202, sent.text

    def delivered() -> bool | None:
        found = notifications.entries_with(api, mine, nid)
        states = {c: d["state"] for c, d in found[0]["deliveries"].items()} if found else {}
        return True if states.get("sms") == states.get("email") == "sent" else None

    wait_for("the SMS and the e-mail sent", delivered)
    # last, a refused token of the person's: the authorizer logs its subject, masked
    expired = crafted(issuer_signer, sub=pid, iat=int(time.time()) - 1200,
                      exp=int(time.time()) - 600)
    assert requests.get(f"{api}/v1/me", headers=bearer(expired), timeout=30).status_code == 401

    masked = mask_identifier(pid)

    def refusal_logged() -> list[tuple[str, str]] | None:
        found = log_events(aws, since_ms)
        return found if any(masked in message for _, message in found) else None

    events = wait_for("the refusal's log line with the masked subject", refusal_logged,
                      timeout=60)
    secret_values = {
        **person,
        "+86 phone": f"+86{person['phone']}",
        "token": mine["Authorization"].split(".")[1],
        "token signature": mine["Authorization"].split(".")[2],
        "expired token": expired.split(".")[1],
    }
    leaks = [(what, group, message[:300]) for group, message in events
             for what, value in secret_values.items() if value in message]
    assert leaks == [], json.dumps(leaks[:5], ensure_ascii=False, indent=1)
    groups = {group for group, _ in events}
    assert len(groups) >= 8, groups  # the flows' functions all wrote here: the logs were read

