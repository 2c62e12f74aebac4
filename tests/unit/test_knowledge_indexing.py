"""The index builder and the search function's cache (ADR 0022) over an in-memory store: one
artefact per corpus, the pointer moved after it, nothing written for the same corpus; the
pointer read again at most once a minute, the index reloaded only when it names another
artefact, and an index already loaded kept when the store fails."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from etax.errors import Unavailable
from etax.knowledge import indexing
from etax.knowledge.articles import Article, Citation
from etax.knowledge.indexing import POINTER, IndexBuilder, IndexCache, Pointer, current_articles
from etax.regulations.seeds import corpus

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
ARTICLE = Article("iit-window", "iit", "个税汇算什么时候？", (), "次年3月1日至6月30日。",
                  (Citation("iit-law", "1"),), (), ("natural_person",), date(2024, 1, 1))


class Memory:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.reads = 0
        self.failing = False

    def pointer(self) -> Pointer | None:
        self.reads += 1
        if self.failing:
            raise ConnectionError("the store is away")
        raw = self.objects.get(POINTER)
        return Pointer.of(raw) if raw else None

    def artefact(self, key: str) -> bytes:
        return self.objects[key]

    def put_artefact(self, key: str, data: bytes) -> None:
        assert key not in self.objects, "an artefact is written once"
        self.objects[key] = data

    def point(self, pointer: Pointer) -> None:
        assert pointer.key in self.objects, "the pointer never dangles"
        self.objects[POINTER] = pointer.json()


def builder(store: Memory, articles: list[Article]) -> IndexBuilder:
    return IndexBuilder(corpus, store, lambda day: articles, now=lambda: NOW)


def test_one_artefact_per_corpus_and_the_pointer_after_it() -> None:
    store = Memory()
    first = builder(store, [ARTICLE]).build()
    assert first.written
    assert first.key == f"indexes/20261204T020000Z-{first.digest[:16]}.idx"
    assert first.day == "2026-12-04"
    again = builder(store, [ARTICLE]).build()
    assert not again.written
    assert again.key == first.key
    changed = IndexBuilder(corpus, store, lambda day: [], now=lambda: NOW.replace(hour=3)).build()
    assert changed.written
    assert changed.digest != first.digest
    assert Pointer.of(store.objects[POINTER]).key == changed.key
    assert len([k for k in store.objects if k.endswith(".idx")]) == 2


def test_the_cache_rechecks_the_pointer_at_most_once_a_minute() -> None:
    store = Memory()
    clock = [0.0]
    cache = IndexCache(store, clock=lambda: clock[0])
    with pytest.raises(Unavailable):
        cache.current()  # nothing built yet
    builder(store, [ARTICLE]).build()
    clock[0] = 61.0
    first = cache.current()
    assert first.search("个税", kind="article")[0].id == "iit-window"
    reads = store.reads
    clock[0] = 100.0
    assert cache.current() is first
    assert store.reads == reads  # within the minute: the pointer is not read
    IndexBuilder(corpus, store, lambda day: [], now=lambda: NOW.replace(hour=3)).build()
    clock[0] = 122.0
    second = cache.current()
    assert second is not first
    assert second.search("个税", kind="article") == []
    clock[0] = 183.0
    assert cache.current() is second  # same pointer: not loaded again


def test_an_index_loaded_is_kept_when_the_store_fails() -> None:
    store = Memory()
    builder(store, [ARTICLE]).build()
    clock = [0.0]
    cache = IndexCache(store, clock=lambda: clock[0])
    loaded = cache.current()
    store.failing = True
    clock[0] = 61.0
    assert cache.current() is loaded
    fresh = IndexCache(store, clock=lambda: clock[0])
    with pytest.raises(ConnectionError):
        fresh.current()


def test_the_seam_serves_the_seeded_base_current_on_the_day() -> None:
    day = date(2026, 12, 4)
    assert all(a.current_on(day) for a in current_articles(day))


def test_the_recheck_interval_is_a_setting_of_the_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEARCH_RECHECK_SECONDS", raising=False)
    assert indexing.recheck_seconds() == 60
    monkeypatch.setenv("SEARCH_RECHECK_SECONDS", "5")
    assert indexing.recheck_seconds() == 5
    for wrong in ("0", "-1", "1.5", "soon"):
        monkeypatch.setenv("SEARCH_RECHECK_SECONDS", wrong)
        with pytest.raises(RuntimeError, match="SEARCH_RECHECK_SECONDS"):
            indexing.recheck_seconds()
