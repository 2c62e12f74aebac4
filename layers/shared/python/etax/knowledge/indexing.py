"""Building the search index and keeping the search function's copy current (ADR 0022).

The **builder** (:class:`IndexBuilder`) reads the library's published works (the regulations
repository: seeds and every version officers published since) and the articles current on the
day (the knowledge base's table on the stack, :meth:`KnowledgeRepository.current_articles`;
the seeded base by default, :func:`current_articles`), builds
the index of the day (:func:`etax.knowledge.search.documents_of`) and, unless the pointer
already names an index of the same corpus digest, writes ``indexes/<timestamp>-<digest>.idx``
and then moves the pointer ``indexes/current.json`` to it. Running it twice on the same corpus
writes nothing the second time (a message delivered twice is harmless).

The **cache** (:class:`IndexCache`) is the search function's: the pointed index, loaded on first
use and kept; the pointer is read again at most once a :data:`RECHECK_SECONDS`, and the index
is loaded again only when the pointer names another artefact.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final, Protocol

from etax.errors import Unavailable
from etax.knowledge.articles import Article, base
from etax.knowledge.search import SearchIndex, documents_of
from etax.platform.aws import lazy
from etax.platform.observability import logger
from etax.platform.settings import required
from etax.regulations.model import Work
from etax.rules.dates import business_date

PREFIX: Final = "indexes/"
POINTER: Final = f"{PREFIX}current.json"
RECHECK_SECONDS: Final = 60


def recheck_seconds() -> float:
    """How often the index's readers look for a newer build: ``SEARCH_RECHECK_SECONDS`` (set
    by the infrastructure: every few seconds on the local stack), else once a minute."""
    raw = os.environ.get("SEARCH_RECHECK_SECONDS", "")
    if not raw:
        return RECHECK_SECONDS
    if not raw.isdigit() or int(raw) < 1:
        raise RuntimeError("SEARCH_RECHECK_SECONDS must be a whole number of seconds, at least 1"
                           " (infrastructure bug)")
    return int(raw)


def current_articles(day: date) -> list[Article]:
    """The seeded base's articles within their validity on ``day``
    (:func:`etax.knowledge.articles.base`): the builder's source where there is no table
    (benchmarks, tests); the indexer function reads the table, which leaves out the articles
    under review."""
    return [article for article in base() if article.current_on(day)]


@dataclass(frozen=True, slots=True)
class Pointer:
    """What ``indexes/current.json`` holds: the current artefact's key and what it indexes."""

    key: str
    digest: str
    built_at: str
    day: str
    documents: int
    size: int

    def json(self) -> bytes:
        return json.dumps({"key": self.key, "digest": self.digest, "built_at": self.built_at,
                           "day": self.day, "documents": self.documents, "size": self.size},
                          sort_keys=True).encode()

    @classmethod
    def of(cls, raw: bytes) -> Pointer:
        data = json.loads(raw)
        return cls(str(data["key"]), str(data["digest"]), str(data["built_at"]),
                   str(data["day"]), int(data["documents"]), int(data["size"]))


class Store(Protocol):
    def pointer(self) -> Pointer | None: ...
    def artefact(self, key: str) -> bytes: ...
    def put_artefact(self, key: str, data: bytes) -> None: ...
    def point(self, pointer: Pointer) -> None: ...


class IndexStore:
    """The artefacts' bucket (``SEARCH_BUCKET``, versioned): artefacts under ``indexes/``,
    each written once, and the pointer, overwritten by each build."""

    def __init__(self, client: Any | None = None, bucket: str | None = None) -> None:
        self.s3 = client if client is not None else lazy("s3")
        self.bucket = bucket or required("SEARCH_BUCKET")

    def pointer(self) -> Pointer | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=POINTER)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return Pointer.of(body)

    def artefact(self, key: str) -> bytes:
        data: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return data

    def put_artefact(self, key: str, data: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data,
                           ContentType="application/octet-stream")

    def point(self, pointer: Pointer) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=POINTER, Body=pointer.json(),
                           ContentType="application/json")


@dataclass(frozen=True, slots=True)
class Built:
    key: str
    digest: str
    day: str
    documents: int
    size: int
    written: bool  # False: the pointer already named an index of this corpus


def artefact_key(moment: datetime, digest: str) -> str:
    return f"{PREFIX}{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}-{digest[:16]}.idx"


class IndexBuilder:
    def __init__(self, works: Callable[[], Iterable[Work]], store: Store,
                 articles: Callable[[date], Iterable[Article]] = current_articles,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.works = works
        self.store = store
        self.articles = articles
        self.now = now

    def build(self, day: date | None = None) -> Built:
        moment = self.now()
        day = day or business_date(moment)
        index = SearchIndex.build(documents_of(self.works(), self.articles(day), day))
        current = self.store.pointer()
        if current is not None and current.digest == index.digest:
            return Built(current.key, current.digest, current.day, current.documents,
                         current.size, written=False)
        data = index.to_bytes()
        key = artefact_key(moment, index.digest)
        self.store.put_artefact(key, data)  # the artefact first: the pointer never dangles
        self.store.point(Pointer(key, index.digest, moment.astimezone(UTC).isoformat(
            timespec="seconds").replace("+00:00", "Z"), day.isoformat(), len(index), len(data)))
        return Built(key, index.digest, day.isoformat(), len(index), len(data), written=True)


class IndexCache:
    """The search function's index: the pointed artefact, rechecked at most every minute."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic,
                 recheck: float = RECHECK_SECONDS) -> None:
        self.store = store
        self.clock = clock
        self.recheck = recheck
        self.index: SearchIndex | None = None
        self.key: str | None = None
        self.checked: float | None = None

    def current(self) -> SearchIndex:
        now = self.clock()
        if self.index is None or self.checked is None or now - self.checked >= self.recheck:
            self.checked = now
            try:
                pointer = self.store.pointer()
                if pointer is not None and pointer.key != self.key:
                    self.index = SearchIndex.from_bytes(self.store.artefact(pointer.key))
                    self.key = pointer.key
            except Exception:
                if self.index is None:
                    raise
                # the index loaded before keeps answering; the next minute tries again
                logger.exception("search index not reloaded", extra={"key": self.key})
        if self.index is None:
            raise Unavailable("the search index is not built yet", retry_after=60)
        return self.index
