"""The analytical store over moto's S3 and DynamoDB: events archived, days compacted into
Parquet, the revenue read back — a redelivered batch, a fact announced twice and a late event
counted once, a day marked while it was compacted compacted again."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
from moto import mock_aws

from etax.analytics.archive import event_of
from etax.analytics.repository import DirtyDays
from etax.analytics.schemas import Event
from etax.analytics.service import archive, compact_day, compact_pending, revenue
from etax.analytics.store import Store
from etax.analytics.tables import ANALYTICS
from tests.functional.conftest import LambdaContext, load_handler
from tests.tables import create_table

COMPANY = "91350100M000100Y43"
PERSON = "350102199003071234"
FUZHOU = "13501000000"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Store, DirtyDays]]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    # the functions' file cache in the test's own folder (not shared with another worker)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr("etax.analytics.parties._key", lambda: b"functional-key")
    with mock_aws():
        s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")
        s3.create_bucket(Bucket="store")
        if "analytics" not in dynamodb.list_tables()["TableNames"]:  # every table's fixture
            create_table(dynamodb, ANALYTICS, "analytics")
        yield Store("store", s3, tmp_path / "cache"), DirtyDays("analytics", dynamodb)


def paid(event_id: str, payment_id: str, amount: int, *, time: str = "2026-12-04T03:00:00Z",
         taxpayer: str = COMPANY, office: str = FUZHOU) -> Event:
    return event_of({"id": event_id, "source": "tax.filing", "detail-type": "PaymentConfirmed",
                     "time": time, "detail": {
                         "payment_id": payment_id, "obligation_id": f"ob-{payment_id}",
                         "taxpayer": taxpayer, "tax_type": "vat", "period": "2026-11",
                         "amount_fen": amount, "method": "bank_transfer",
                         "confirmed_at": time, "office": office}})


def vat(store: Store, *, office: str | None = None, by: str = "tax") -> list[Any]:
    connection = duckdb.connect()
    lines, _ = revenue(connection, store, first="2026-12", last="2026-12", by=by,
                       office=office)
    return [(line.key, line.payments, line.amount_fen) for line in lines]


def compacted(store: Store, envelopes: list[dict[str, Any]]) -> None:
    """Bus envelopes written to the raw archive of their days, one object a day, and each day
    compacted (what the archive's and the compactor's functions do, without their queues)."""
    by_day: dict[str, list[dict[str, Any]]] = {}
    for envelope in envelopes:
        by_day.setdefault(envelope["time"][:10], []).append(envelope)
    for day, batch in by_day.items():
        store.put(f"raw/date={day}/batch.jsonl",
                  "\n".join(json.dumps(e, ensure_ascii=False) for e in batch).encode(),
                  "application/x-ndjson")
        compact_day(day, store, duckdb.connect())


def test_archived_compacted_and_read_once_per_fact(aws: tuple[Store, DirtyDays]) -> None:
    store, days = aws
    batch = [paid("e1", "p1", 150_000), paid("e2", "p2", 5_000, taxpayer=PERSON)]
    archive(batch, store, days)
    archive(batch, store, days)  # the same batch delivered again: the same object
    archive([paid("e3", "p1", 150_000, time="2026-12-04T03:05:00Z")], store, days)  # again
    raw = [key for key, _ in store.keys("raw/")]
    assert len(raw) == 2
    assert days.pending() == [("2026-12-04", 3)]

    done = compact_pending(store, days, duckdb.connect())
    assert [(d.day, d.events, d.rows["payments"], d.duplicates) for d in done] == [
        ("2026-12-04", 3, 2, 1)]  # three events (the batch's object written once); e3 is p1
    assert days.pending() == []
    assert vat(store) == [("vat", 2, 155_000)]
    assert vat(store, office="13502000000") == []
    # a person's payment is there under a pseudonym only
    for key, _ in store.keys("tables/payments/"):
        assert PERSON.encode() not in store.get(key)

    # a late copy of p2, on the next day: its day is compacted, the revenue does not move
    archive([paid("e4", "p2", 5_000, time="2026-12-05T01:00:00Z", taxpayer=PERSON)], store,
            days)
    compact_pending(store, days, duckdb.connect())
    assert vat(store) == [("vat", 2, 155_000)]
    assert vat(store, by="province") == [("35", 2, 155_000)]


def test_a_day_marked_during_its_compaction_stays_dirty(aws: tuple[Store, DirtyDays]) -> None:
    store, days = aws
    archive([paid("e1", "p1", 100)], store, days)
    [(day, marks)] = days.pending()
    compact_day(day, store, duckdb.connect())
    archive([paid("e2", "p2", 200)], store, days)  # arrives while the day was compacted
    assert days.clear(day, marks) is False
    assert days.pending() == [(day, 2)]
    compact_pending(store, days, duckdb.connect())
    assert days.pending() == []
    assert vat(store) == [("vat", 2, 300)]


def test_an_event_that_does_not_fit_is_left_out_and_named(aws: tuple[Store, DirtyDays]) -> None:
    store, days = aws
    bad = event_of({"id": "bad", "source": "tax.filing", "detail-type": "PaymentConfirmed",
                    "time": "2026-12-04T03:00:00Z", "detail": {"payment_id": "p9"}})
    archive([paid("e1", "p1", 100), bad], store, days)
    [done] = compact_pending(store, days, duckdb.connect())
    assert done.refused == {"payments": ["bad"]}
    assert done.rows["events"] == 2  # it is still an event of the day
    assert vat(store) == [("vat", 1, 100)]


def test_the_archive_handler_writes_a_batch_and_refuses_what_is_not_an_event(
        aws: tuple[Store, DirtyDays], monkeypatch: pytest.MonkeyPatch) -> None:
    _, days = aws
    monkeypatch.setenv("ANALYTICS_BUCKET", "store")
    monkeypatch.setenv(ANALYTICS.variable, "analytics")
    module = load_handler("analytics_archive")
    good = {"id": "e1", "source": "tax.filing", "detail-type": "PaymentConfirmed",
            "time": "2026-12-04T03:00:00Z", "detail": {"payment_id": "p1"}}
    answer = module.handler({"Records": [
        {"messageId": "m1", "body": json.dumps(good)},
        {"messageId": "m2", "body": "not json"},
        {"messageId": "m3", "body": json.dumps({**good, "source": "aws.s3"})},
    ]}, LambdaContext())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"},
                                            {"itemIdentifier": "m3"}]}
    assert days.pending() == [("2026-12-04", 1)]
