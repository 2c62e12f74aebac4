"""Chinese search (ADR 0022) over moto: the indexer builds the index of the seeded library into
the versioned bucket (directly, and from a ``RegulationVersionPublished`` batch), writes
nothing when the corpus did not change, and the search function answers both routes from the
pointed artefact, sees a published amendment once the index is rebuilt, and names the field
of every bad parameter."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import boto3
import pytest

from etax.knowledge.articles import Article, Citation
from etax.knowledge.repository import KnowledgeRepository
from etax.knowledge.review import Reason
from etax.knowledge.search import documents_of
from etax.regulations.model import Act, Change, amended
from etax.regulations.repository import RegulationRepository, version_item
from etax.regulations.seeds import corpus
from tests.functional.conftest import LambdaContext, call, load_handler, sample_event

BUCKET = "search-indexes"
TODAY = date(2026, 12, 4)
ARTICLES = [
    Article("iit-reconciliation-window", "iit", "个人所得税综合所得年度汇算的时间是什么时候？", (),
            "综合所得年度汇算的时间为取得所得的次年3月1日至6月30日。",
            (Citation("iit-law", "1"),), (), ("natural_person",), date(2024, 1, 1)),
    Article("small-scale-levy", "vat", "小规模纳税人的征收率是多少？", (),
            "增值税小规模纳税人适用3%征收率的应税销售收入，减按1%征收率征收。",
            (Citation("vat-small-scale-2023-19", "2"),), (), ("small_scale",), date(2023, 1, 1)),
]


@pytest.fixture
def bucket(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SEARCH_BUCKET", BUCKET)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    RegulationRepository(boto3.client("dynamodb")).seed(corpus(), "2026-12-01T00:00:00Z")
    return s3


@pytest.fixture
def indexer(bucket: Any) -> Any:
    module = load_handler("knowledge_indexer")
    module.builder.articles = lambda day: [a for a in ARTICLES if a.current_on(day)]
    return module


@pytest.fixture
def search(bucket: Any) -> Any:
    return load_handler("knowledge_search")


def get(module: Any, path: str, query: dict[str, str] | None) -> dict[str, Any]:
    event = sample_event("knowledge_search/regulations_search.json")
    event["path"] = event["resource"] = path
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    return call(module, event)


def keys(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_the_indexer_writes_an_artefact_and_the_pointer_once_per_corpus(
        indexer: Any, bucket: Any) -> None:
    first = indexer.handler({}, LambdaContext())
    assert first["written"] is True
    day = date.fromisoformat(first["day"])
    assert first["documents"] == len(documents_of(corpus(), ARTICLES, day))
    assert keys(bucket) == sorted([first["key"], "indexes/current.json"])
    assert first["key"].startswith("indexes/")
    assert first["key"].endswith(".idx")
    assert first["digest"][:16] in first["key"]
    pointer = json.loads(bucket.get_object(Bucket=BUCKET, Key="indexes/current.json")["Body"]
                         .read())
    assert pointer["key"] == first["key"]
    assert pointer["digest"] == first["digest"]
    again = indexer.handler({}, LambdaContext())  # the same corpus: nothing new written
    assert again["written"] is False
    assert again["key"] == first["key"]
    assert keys(bucket) == sorted([first["key"], "indexes/current.json"])


def test_a_published_batch_builds_once_and_reports_no_failure(indexer: Any,
                                                              bucket: Any) -> None:
    event = sample_event("knowledge_indexer/version_published.json")
    event["Records"].append({**event["Records"][0], "messageId": "second"})
    answer = indexer.handler(event, LambdaContext())
    assert answer == {"batchItemFailures": []}
    assert len([k for k in keys(bucket) if k.endswith(".idx")]) == 1


def test_an_unreadable_message_fails_alone(indexer: Any) -> None:
    event = sample_event("knowledge_indexer/version_published.json")
    event["Records"].append({**event["Records"][0], "messageId": "bad", "body": "not json"})
    assert indexer.handler(event, LambdaContext()) == {
        "batchItemFailures": [{"itemIdentifier": "bad"}]}


def test_search_before_any_index_is_unavailable(search: Any) -> None:
    answer = get(search, "/v1/regulations/search", {"q": "个税"})
    assert answer["statusCode"] == 503
    assert answer["headers"]["Content-Type"] == "application/problem+json"


def test_regulations_search_finds_a_provision_by_a_synonym(indexer: Any, search: Any) -> None:
    indexer.handler({}, LambdaContext())
    answer = get(search, "/v1/regulations/search", {"q": "个税", "k": "3"})
    assert answer["statusCode"] == 200, answer["json"]
    body = answer["json"]
    assert body["query"] == "个税"
    assert body["k"] == 3
    assert len(body["hits"]) == 3
    top = body["hits"][0]
    assert top["work_id"].startswith("iit-")
    assert top["id"] == f"{top['work_id']}#{top['provision']}"
    assert top["link"] == f"/v1/regulations/works/{top['work_id']}"
    assert list(top)[:5] == ["id", "title", "score", "highlights", "link"]
    assert any("<em>个人所得税</em>" in h for hit in body["hits"] for h in hit["highlights"])
    filtered = get(search, "/v1/regulations/search",
                   {"q": "退税", "issuer": "财政部", "from": "2015-01-01", "to": "2015-12-31"})
    assert filtered["statusCode"] == 200, filtered["json"]
    assert filtered["json"]["hits"]
    assert {h["work_id"] for h in filtered["json"]["hits"]} == {"departure-refund-2015-3"}


def test_kb_search_finds_an_article_with_its_link(indexer: Any, search: Any) -> None:
    indexer.handler({}, LambdaContext())
    answer = get(search, "/v1/kb/search", {"q": "IIT 汇算 deadline"})
    assert answer["statusCode"] == 200, answer["json"]
    top = answer["json"]["hits"][0]
    assert top["id"] == "iit-reconciliation-window"
    assert top["link"] == "/v1/kb/articles/iit-reconciliation-window"
    assert top["topic"] == "iit"
    assert top["taxpayer_types"] == ["natural_person"]
    small = get(search, "/v1/kb/search", {"q": "征收率", "taxpayer_type": "small_scale"})
    assert [h["id"] for h in small["json"]["hits"]] == ["small-scale-levy"]


def test_the_indexer_reads_the_knowledge_table_and_leaves_out_articles_under_review(
        bucket: Any, search: Any) -> None:
    db = boto3.client("dynamodb")
    KnowledgeRepository(db).seed(ARTICLES, "2026-12-01T00:00:00Z")
    indexer = load_handler("knowledge_indexer")  # its own source: the knowledge table
    indexer.handler({}, LambdaContext())
    found = get(search, "/v1/kb/search", {"q": "个税汇算什么时候"})["json"]["hits"]
    assert [h["id"] for h in found][:1] == ["iit-reconciliation-window"]
    reason = Reason("iit-law", "1", "第1条", "amended", 3, "2027-01-01", "修改决定",
                    "主席令第一号", "2026-12-04T00:00:00Z")
    assert KnowledgeRepository(db).flag("iit-reconciliation-window", "iit-law", 3, (reason,))
    event = sample_event("knowledge_indexer/version_published.json")  # as the flag's event would
    assert indexer.handler(event, LambdaContext()) == {"batchItemFailures": []}
    search.cache.checked = None  # the pointer is read again (at most once a minute)
    found = get(search, "/v1/kb/search", {"q": "个税汇算什么时候"})["json"]["hits"]
    assert "iit-reconciliation-window" not in [h["id"] for h in found]


def test_a_published_amendment_becomes_searchable(indexer: Any, search: Any,
                                                  bucket: Any) -> None:
    indexer.handler({}, LambdaContext())
    assert get(search, "/v1/regulations/search", {"q": "游艇"})["json"]["hits"] == []
    work = next(w for w in corpus() if w.id == "vehicle-vessel-tax-law")
    change = Change("amend", 1, "游艇的所有人为车船税的纳税人（示例）。")
    version = amended(work.versions[-1], [change],
                      Act("修正（示例）", "示例令第1号", date(2026, 11, 1)), date(2026, 12, 1))
    db = boto3.client("dynamodb")
    db.put_item(TableName="regulations", Item=version_item(
        work.id, version, by="officer-fz-0001", at="2026-12-01T00:00:00Z", draft="d-1"))
    db.update_item(TableName="regulations",
                   Key={"pk": {"S": f"work#{work.id}"}, "sk": {"S": "work"}},
                   UpdateExpression="SET latest = :n",
                   ExpressionAttributeValues={":n": {"N": str(version.number)}})
    assert replace(work, versions=(*work.versions, version)).status_on(TODAY) == "已修改"
    built = indexer.handler(sample_event("knowledge_indexer/version_published.json"),
                            LambdaContext())
    assert built == {"batchItemFailures": []}
    search.cache.recheck = 0  # past the minute between two readings of the pointer
    hits = get(search, "/v1/regulations/search", {"q": "游艇"})["json"]["hits"]
    assert [h["id"] for h in hits] == ["vehicle-vessel-tax-law#1"]
    assert "<em>游艇</em>" in hits[0]["highlights"][0]


@pytest.mark.parametrize(("path", "query", "field"), [
    ("/v1/regulations/search", {}, "q"),
    ("/v1/regulations/search", {"q": "   "}, "q"),
    ("/v1/regulations/search", {"q": "税" * 201}, "q"),
    ("/v1/regulations/search", {"q": "个税", "k": "0"}, "k"),
    ("/v1/regulations/search", {"q": "个税", "k": "51"}, "k"),
    ("/v1/regulations/search", {"q": "个税", "k": "ten"}, "k"),
    ("/v1/regulations/search", {"q": "个税", "type": "poem"}, "type"),
    ("/v1/regulations/search", {"q": "个税", "status": "valid"}, "status"),
    ("/v1/regulations/search", {"q": "个税", "issuer": "某某局"}, "issuer"),
    ("/v1/regulations/search", {"q": "个税", "from": "2026-02-30"}, "from"),
    ("/v1/regulations/search", {"q": "个税", "from": "2026-02-01", "to": "2026-01-01"}, "from"),
    ("/v1/kb/search", {"q": "个税", "topic": "weather"}, "topic"),
    ("/v1/kb/search", {"q": "个税", "taxpayer_type": "alien"}, "taxpayer_type"),
    ("/v1/kb/search", {"q": ""}, "q"),
])
def test_bad_input_is_a_problem_naming_the_field(indexer: Any, search: Any, path: str,
                                                 query: dict[str, str], field: str) -> None:
    indexer.handler({}, LambdaContext())
    answer = get(search, path, query or None)
    assert 400 <= answer["statusCode"] < 500, answer["json"]
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert answer["json"]["field"] == field
