"""Chinese search (ADR 0022) on the local stack: the index the seeding built finds a seeded
provision by a synonym (个税 → 个人所得税法) and in traditional characters; an amendment
officers publish is indexed from its ``RegulationVersionPublished`` event and its new text
becomes searchable within the search function's minute; bad parameters are 400s naming them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from etax.rules.dates import business_date
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_supply_e2e import wait_for

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

WORK = "vehicle-vessel-tax-law"  # amended by no other e2e test


def search(api: str, route: str, **params: str) -> requests.Response:
    return requests.get(f"{api}/v1/{route}/search", params=params, timeout=60)


def hits(api: str, route: str, **params: str) -> list[dict[str, Any]]:
    answer = search(api, route, **params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["hits"]
    return found


def test_a_synonym_finds_the_seeded_iit_law(api: str) -> None:
    found = hits(api, "regulations", q="个税", k="5")
    assert found, "the seeding builds the first index"
    assert found[0]["work_id"].startswith("iit-")
    assert any(h["work_id"] == "iit-law" for h in found)
    assert any("<em>个人所得税</em>" in s for h in found for s in h["highlights"])
    assert found[0]["link"] == f"/v1/regulations/works/{found[0]['work_id']}"
    traditional = hits(api, "regulations", q="個人所得稅法", k="1")
    assert traditional[0]["work_id"].startswith("iit-")
    laws = hits(api, "regulations", q="车船税", type="law")
    assert laws
    assert all(h["type"] == "law" for h in laws)


def test_the_knowledge_base_route_answers(api: str) -> None:
    answer = search(api, "kb", q="IIT 汇算 deadline", k="3")
    assert answer.status_code == 200, answer.text
    assert all(h["link"] == f"/v1/kb/articles/{h['id']}" for h in answer.json()["hits"])


def test_a_published_amendment_becomes_searchable(api: str) -> None:
    marker = f"e2esearch{uuid.uuid4().hex[:10]}"
    text = f"端到端搜索示例：游艇的所有人为车船税的纳税人 {marker} 。"
    assert hits(api, "regulations", q=marker) == []
    current = requests.get(f"{api}/v1/regulations/works/{WORK}", timeout=60).json()
    valid_from = date.fromisoformat(current["version"]["valid_from"]) + timedelta(days=1)
    today = business_date(datetime.now(UTC))
    assert valid_from <= today, "the amendment must be in force today to be in today's index"
    drafter = bearer(token(api, "officer", "officer-fz-0001", "13501000000"))
    reviewer = bearer(token(api, "officer", "officer-fz-0002", "13501000000"))
    base = f"{api}/v1/regulations/works/{WORK}/drafts"

    def post(url: str, who: dict[str, str], body: Any = None) -> dict[str, Any]:
        answer = requests.post(url, json=body if body is not None else {}, timeout=60,
                               headers={**who, "Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code in (200, 201), answer.text
        shown: dict[str, Any] = answer.json()
        return shown

    draft = post(base, drafter, {
        "act": {"title": "关于修改车船税法的决定（端到端搜索示例）",
                "document_number": f"端到端搜索示例{marker}号",
                "issued": valid_from.isoformat()},
        "changes": [{"action": "amend", "article": 1, "text": text, "summary": True}]})
    post(f"{base}/{draft['id']}/submit", drafter)
    post(f"{base}/{draft['id']}/approve", reviewer)
    post(f"{base}/{draft['id']}/publish", reviewer, {"valid_from": valid_from.isoformat()})

    def found() -> list[dict[str, Any]] | None:
        return hits(api, "regulations", q=marker) or None

    # the event → the indexer's queue → a new artefact; the search function reads the pointer
    # again at most once a minute (every 5 s on the local stack)
    shown = wait_for("the amendment in the search index", found, timeout=240.0)
    assert [h["id"] for h in shown] == [f"{WORK}#1"]
    assert any(marker in s for s in shown[0]["highlights"])


@pytest.mark.parametrize(("route", "params", "field"), [
    ("regulations", {"q": ""}, "q"),
    ("regulations", {"q": "税" * 201}, "q"),
    ("regulations", {"q": "个税", "k": "0"}, "k"),
    ("regulations", {"q": "个税", "type": "poem"}, "type"),
    ("regulations", {"q": "个税", "issuer": "某某局"}, "issuer"),
    ("kb", {"q": "个税", "topic": "weather"}, "topic"),
])
def test_bad_parameters_are_problems_naming_them(api: str, route: str, params: dict[str, str],
                                                 field: str) -> None:
    answer = search(api, route, **params)
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["field"] == field
