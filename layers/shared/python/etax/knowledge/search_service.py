"""The search routes' logic: ``GET /v1/regulations/search`` and ``GET /v1/kb/search``
(ADR 0022). Reads the query's parameters strictly (a bad one is a 400 naming it), searches
the current index and answers typed hits with a link to what each one is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from etax.errors import Malformed
from etax.knowledge.articles import TAXPAYER_TYPES, TOPICS
from etax.knowledge.search import MULTI, Hit, SearchIndex
from etax.platform.results import optional
from etax.regulations.model import KINDS, STATUSES, parse_date

MAX_QUERY: Final = 200  # characters of q
MAX_K: Final = 50
DEFAULT_K: Final = 10
REGULATION_FILTERS: Final = ("type", "status", "issuer", "from", "to")
KB_FILTERS: Final = ("topic", "taxpayer_type")


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    score: float
    highlights: list[str]
    link: str
    work_id: str | None = optional()
    provision: str | None = optional()
    label: str | None = optional()
    document_number: str | None = optional()
    type: str | None = optional()
    status: str | None = optional()
    issuers: list[str] | None = optional()
    topic: str | None = optional()
    taxpayer_types: list[str] | None = optional()


@dataclass(frozen=True)
class SearchAnswer:
    query: str
    k: int
    index: str  # the index's corpus digest (its first 16 characters)
    hits: list[SearchHit]


def _query(params: Mapping[str, str | None]) -> tuple[str, int]:
    q = (params.get("q") or "").strip()
    if not q:
        raise Malformed("q is the text to search for", field="q")
    if len(q) > MAX_QUERY:
        raise Malformed(f"q is at most {MAX_QUERY} characters", field="q")
    raw_k = params.get("k")
    if raw_k is None:
        return q, DEFAULT_K
    if not raw_k.isascii() or not raw_k.isdigit() or not 1 <= int(raw_k) <= MAX_K:
        raise Malformed(f"k is a whole number from 1 to {MAX_K}", field="k")
    return q, int(raw_k)


def _one_of(name: str, value: str, allowed: Mapping[str, str] | frozenset[str] | tuple[str, ...]
            ) -> str:
    if value not in allowed:
        shown = ", ".join(sorted(allowed))
        raise Malformed(f"{name} is one of: {shown}"[:300], field=name)
    return value


def _provision_hit(hit: Hit) -> SearchHit:
    f = hit.facets
    return SearchHit(hit.id, hit.title, hit.score, list(hit.highlights),
                     f"/v1/regulations/works/{f['work_id']}", work_id=f["work_id"],
                     provision=f.get("provision"), label=f.get("label"),
                     document_number=f.get("document_number"), type=f.get("type"),
                     status=f.get("status"), issuers=f.get("issuer", "").split(MULTI))


def _article_hit(hit: Hit) -> SearchHit:
    f = hit.facets
    return SearchHit(hit.id, hit.title, hit.score, list(hit.highlights),
                     f"/v1/kb/articles/{hit.id}", topic=f.get("topic"),
                     taxpayer_types=f.get("taxpayer_type", "").split(MULTI))


class SearchService:
    def __init__(self, index: Callable[[], SearchIndex]) -> None:
        self.index = index

    def regulations(self, params: Mapping[str, str | None]) -> SearchAnswer:
        q, k = _query(params)
        index = self.index()
        filters: dict[str, str] = {}
        for name in REGULATION_FILTERS:
            value = params.get(name)
            if value is None:
                continue
            if name == "type":
                filters[name] = _one_of(name, value, KINDS)
            elif name == "status":
                filters[name] = _one_of(name, value, STATUSES)
            elif name == "issuer":
                filters[name] = _one_of(name, value, index.values("issuer", "provision"))
            else:
                filters[name] = parse_date(value, name).isoformat()
        if "from" in filters and "to" in filters and filters["from"] > filters["to"]:
            raise Malformed("from is a day on or before to", field="from")
        hits = index.search(q, kind="provision", k=k, filters=filters)
        return SearchAnswer(q, k, index.digest[:16], [_provision_hit(h) for h in hits])

    def kb(self, params: Mapping[str, str | None]) -> SearchAnswer:
        q, k = _query(params)
        index = self.index()
        filters: dict[str, str] = {}
        for name, allowed in (("topic", TOPICS), ("taxpayer_type", TAXPAYER_TYPES)):
            value = params.get(name)
            if value is not None:
                filters[name] = _one_of(name, value, allowed)
        hits = index.search(q, kind="article", k=k, filters=filters)
        return SearchAnswer(q, k, index.digest[:16], [_article_hit(h) for h in hits])
