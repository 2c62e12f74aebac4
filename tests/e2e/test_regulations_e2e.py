"""The regulations library (D13) on the local stack: the seeded corpus read by anyone as of a
day; an officer drafts an amendment of one provision, a second officer approves it, it is
published with a valid_from; the work read before and after that day shows the old and the new
text; ``RegulationVersionPublished`` reaches the bus with the canonical text."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from etax.rules import uscc
from tests.e2e.app_fixtures import bus_tap
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_supply_e2e import events_seen, wait_for

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

WORK = "tax-credit-measures-2025-12"
NEW_TEXT = "国家税务总局主管全国纳税缴费信用管理工作（端到端测试修改后的文本）。"


@pytest.fixture(scope="module")
def watched(stack: dict[str, Any], aws: Callable[[str], Any]) -> Iterator[str]:
    """A queue receiving every ``tax.regulations`` event of the bus (a rule made here)."""
    with bus_tap(aws, stack, "regulations", {"source": ["tax.regulations"]}) as url:
        yield url


def post(api: str, path: str, who: dict[str, str], body: Any = None) -> requests.Response:
    return requests.post(f"{api}{path}", json=body if body is not None else {}, timeout=60,
                         headers={**who, "Idempotency-Key": str(uuid.uuid4())})


def read(api: str, work_id: str, as_of: str) -> dict[str, Any]:
    answer = requests.get(f"{api}/v1/regulations/works/{work_id}", params={"as_of": as_of},
                          timeout=60)
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def article(reading: dict[str, Any], label: str) -> str:
    return str({p["label"]: p for p in reading["provisions"]}[label]["text"])


def test_anyone_reads_the_seeded_library_as_of_a_day(api: str) -> None:
    listed = requests.get(f"{api}/v1/regulations/works", params={"as_of": "2026-12-03"},
                          timeout=60)
    assert listed.status_code == 200, listed.text
    status = {w["id"]: w["status"] for w in listed.json()["items"]}
    assert status["vat-law"] == "现行有效"
    assert status["vat-interim-regulations"] == "全文废止"
    assert read(api, "vat-law", "2025-12-31")["status"] == "尚未生效"
    bad = requests.get(f"{api}/v1/regulations/works/vat-law", params={"as_of": "2026-02-30"},
                       timeout=60)
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/problem+json"
    assert bad.json()["field"] == "as_of"


def test_an_amendment_is_drafted_approved_by_a_second_officer_and_published(
        api: str, aws: Callable[[str], Any], watched: str) -> None:
    drafter = bearer(token(api, "officer", "officer-fz-0001", "13501000000"))
    reviewer = bearer(token(api, "officer", "officer-fz-0002", "13501000000"))
    taxpayer = bearer(token(api, "taxpayer", uscc.complete("91350100MA2R7M8X1")))
    base = f"/v1/regulations/works/{WORK}/drafts"
    body = {"act": {"title": "关于修改《纳税缴费信用管理办法》的公告（端到端示例）",
                    "document_number": "端到端示例2026年第1号", "issued": "2026-11-20"},
            "changes": [{"action": "amend", "article": 4, "text": NEW_TEXT, "summary": True}]}
    assert post(api, base, taxpayer, body).status_code == 403
    made = post(api, base, drafter, body)
    assert made.status_code == 201, made.text
    draft_id = made.json()["id"]
    assert post(api, f"{base}/{draft_id}/submit", drafter).status_code == 200
    own = post(api, f"{base}/{draft_id}/approve", drafter)
    assert own.status_code == 403, own.text  # four eyes
    approved = post(api, f"{base}/{draft_id}/approve", reviewer)
    assert approved.status_code == 200, approved.text
    published = post(api, f"{base}/{draft_id}/publish", reviewer, {"valid_from": "2027-01-01"})
    assert published.status_code == 200, published.text
    assert published.json()["version"] == 2

    before, after = read(api, WORK, "2026-12-31"), read(api, WORK, "2027-01-01")
    assert "端到端" not in article(before, "第4条")
    assert article(after, "第4条") == NEW_TEXT
    assert before["version"]["number"] == 1
    assert before["version"]["valid_to"] == "2027-01-01"
    assert after["version"]["number"] == 2
    assert after["status"] == "已修改"

    seen: list[dict[str, Any]] = []

    def announced() -> dict[str, Any] | None:
        for event in events_seen(aws, watched, seen):
            detail = event["detail"]
            if (event["detail-type"] == "RegulationVersionPublished"
                    and detail["work_id"] == WORK and detail["version"] == 2):
                return dict(detail)
        return None
    detail = wait_for("RegulationVersionPublished", announced)
    assert detail["valid_from"] == "2027-01-01"
    assert detail["draft"] == draft_id
    # the canonical text of the whole version, the amended provision in it
    [amended] = [p for p in json.loads(detail["text"]) if p["article"] == 4]
    assert amended["text"] == NEW_TEXT
