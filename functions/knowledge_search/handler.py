"""Chinese search over the regulations library and the 12366 knowledge base (plan actions D13
and E16; ADR 0022): the current index, loaded from S3 on cold start and rechecked at most
once a minute (every few seconds on the local stack), answers the two public search routes."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths

from etax.knowledge.indexing import IndexCache, IndexStore, recheck_seconds
from etax.knowledge.search_service import SearchAnswer, SearchService
from etax.knowledge.text import tokenizer
from etax.platform.api import declares, make_resolver
from etax.platform.observability import instrument

app = make_resolver()
cache = IndexCache(IndexStore(), recheck=recheck_seconds())
service = SearchService(cache.current)
tokenizer()  # jieba's dictionary, read during the function's initialisation, not a request

QUERY = {"q": "the words to search for, Chinese or English (1-200 characters)",
         "k": "how many hits, 1-50 (10 if absent)"}


def _params(*names: str) -> dict[str, str | None]:
    event = app.current_event
    return {name: event.get_query_string_value(name) for name in ("q", "k", *names)}


@app.get("/v1/regulations/search")
@declares(query={**QUERY,
                 "type": "only provisions of works of this kind (law, sat_announcement, …)",
                 "status": "only provisions of works of this validity today (现行有效, …)",
                 "issuer": "only provisions of works issued by this body (国家税务总局, …)",
                 "from": "only works issued on or after this day (YYYY-MM-DD)",
                 "to": "only works issued on or before this day (YYYY-MM-DD)"})
def regulations() -> SearchAnswer:
    return service.regulations(_params("type", "status", "issuer", "from", "to"))


@app.get("/v1/kb/search")
@declares(query={**QUERY,
                 "topic": "only articles of this topic (iit, vat, invoice, …)",
                 "taxpayer_type": "only articles for this taxpayer type (natural_person, …)"})
def kb() -> SearchAnswer:
    return service.kb(_params("topic", "taxpayer_type"))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
