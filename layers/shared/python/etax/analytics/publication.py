"""Releasing the open data sets (docs/open-data.md): a closed month's cells read from the
analytical store with DuckDB, protected (:mod:`etax.analytics.disclosure`), and written to the
public bucket once; the catalogue rebuilt from what the bucket holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from etax.analytics.archive import CHINA
from etax.analytics.open_data import (
    BY_ID,
    CATALOGUE_KEY,
    CLOSING_DAYS,
    DATASETS,
    PREFIX,
    Dataset,
    cells_of,
    cells_query,
    dictionary_key,
    month_days,
    release,
    release_key,
)
from etax.analytics.results import DatasetSummary, OpenDataset, OpenDatasets, ReleaseEntry
from etax.analytics.schemas import FIRST_DAY, TAXPAYERS
from etax.analytics.service import checked_month, load_views, month_bounds, utc_naive
from etax.analytics.store import Store
from etax.errors import NotFound


@dataclass(frozen=True, slots=True)
class Released:
    dataset: str
    month: str
    cells: int
    suppressed: int
    new: bool  # False: the month was released before, and is left as it was


def _parameters(dataset: Dataset, month: str) -> list[Any]:
    """The month's bounds: its days, or its instants in UTC as the store keeps them."""
    if dataset.bounds == "day":
        return list(month_days(month))
    return [utc_naive(moment) for moment in month_bounds(month, month)]


def _load(connection: Any, store: Store, dataset: Dataset, month: str, today: date) -> None:
    """The views the data set's query reads: its fact tables over the month's days and the
    closing days after (a fact announced late lands in the day it was announced), the
    registry over every day."""
    first, following = month_days(month)
    last = following + timedelta(days=CLOSING_DAYS)
    facts = tuple(t for t in dataset.tables if t is not TAXPAYERS)
    load_views(connection, store, first.isoformat(), last.isoformat(), facts)
    if TAXPAYERS in dataset.tables:
        load_views(connection, store, FIRST_DAY, today.isoformat(), (TAXPAYERS,))


def publish(connection: Any, store: Store, public: Store, month: str,
            now: datetime) -> list[Released]:
    """Release ``month`` of every data set not released yet; rebuild the catalogue."""
    done = []
    published_at = now.isoformat(timespec="seconds")
    for dataset in DATASETS:
        key = release_key(dataset.id, month, "json")
        if public.exists(key):
            done.append(Released(dataset.id, month, 0, 0, new=False))
            continue
        _load(connection, store, dataset, month, now.astimezone(CHINA).date())
        rows = connection.execute(cells_query(dataset), _parameters(dataset, month)).fetchall()
        made = release(dataset, month, cells_of(rows, dataset), published_at)
        public.put(dictionary_key(dataset.id),
                   json.dumps(dataset.dictionary(), ensure_ascii=False, indent=1).encode(),
                   "application/json")
        public.put(release_key(dataset.id, month, "csv"), made.csv().encode(),
                   "text/csv; charset=utf-8")
        # the JSON last and only if absent: its presence is the release, never rewritten
        written = public.put_new(key, json.dumps(made.document(), ensure_ascii=False).encode(),
                                 "application/json",
                                 {"cells": str(len(made.rows)),
                                  "suppressed": str(made.suppressed),
                                  "published-at": published_at})
        done.append(Released(dataset.id, month, len(made.rows), made.suppressed, new=written))
    if any(r.new for r in done) or not public.exists(CATALOGUE_KEY):
        public.put(CATALOGUE_KEY, json.dumps(catalogue(public, published_at),
                                             ensure_ascii=False, indent=1).encode(),
                   "application/json")
    return done


def releases(public: Store) -> dict[str, list[dict[str, Any]]]:
    """Each data set's releases in the bucket, by month, with their figures."""
    found: dict[str, list[dict[str, Any]]] = {d.id: [] for d in DATASETS}
    for key, _ in public.keys(PREFIX):
        name = key[len(PREFIX):]
        if name.count("/") != 1 or not name.endswith(".json") or name.endswith("/dictionary.json"):
            continue
        dataset, file = name.split("/")
        if dataset not in found:
            continue
        meta = public.metadata(key) or {}
        found[dataset].append({
            "month": file.removesuffix(".json"), "published_at": meta.get("published-at", ""),
            "cells": int(meta.get("cells", "0")), "suppressed": int(meta.get("suppressed", "0")),
            "json": key, "csv": key.removesuffix(".json") + ".csv"})
    return found


def catalogue(public: Store, updated_at: str) -> dict[str, Any]:
    """The public catalogue: every data set, its dictionary's key and its releases."""
    held = releases(public)
    return {"updated_at": updated_at, "datasets": [
        {"id": d.id, "title": d.title, "description": d.description,
         "dictionary": dictionary_key(d.id), "releases": held[d.id]} for d in DATASETS]}


class OpenDataReader:
    """What the public open-data routes answer, read from the public bucket."""

    def __init__(self, public: Store) -> None:
        self.public = public

    def datasets(self) -> OpenDatasets:
        held = self._released()
        return OpenDatasets([_summary(d, held.get(d.id, [])) for d in DATASETS])

    def dataset(self, dataset_id: str) -> OpenDataset:
        dataset = _dataset(dataset_id)
        summary = _summary(dataset, self._released().get(dataset.id, []))
        return OpenDataset(summary, dataset.dictionary())

    def _released(self) -> dict[str, list[dict[str, Any]]]:
        """Each data set's releases, from the catalogue the publisher keeps (one read);
        none before the first release."""
        body = self.public.find(CATALOGUE_KEY)
        if body is None:
            return {}
        return {d["id"]: d["releases"] for d in json.loads(body)["datasets"]}

    def release(self, dataset_id: str, month: str) -> dict[str, Any]:
        dataset = _dataset(dataset_id)
        checked_month(month, "month")
        body = self.public.find(release_key(dataset.id, month, "json"))
        if body is None:
            raise NotFound("that month of the data set is not released")
        document: dict[str, Any] = json.loads(body)
        return document


def _dataset(dataset_id: str) -> Dataset:
    dataset = BY_ID.get(dataset_id)
    if dataset is None:
        raise NotFound("no such open data set")
    return dataset


def _summary(dataset: Dataset, held: list[dict[str, Any]]) -> DatasetSummary:
    return DatasetSummary(
        dataset.id, dataset.title, dataset.description, dataset.contributor,
        [f.name for f in dataset.dimensions], [f.name for f in dataset.measures],
        dictionary_key(dataset.id),
        [ReleaseEntry(r["month"], r["published_at"], r["cells"], r["suppressed"], r["json"],
                      r["csv"]) for r in sorted(held, key=lambda r: r["month"])])
