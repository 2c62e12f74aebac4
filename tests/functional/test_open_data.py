"""Open data over moto (docs/open-data.md): a month's facts compacted into the store, the
publisher's handler releases the month (the dictionary, the CSV, the JSON, the catalogue),
a second run and a month not closed change nothing, and the public routes read it back;
an unknown data set is 404, a month that is not one 422 naming ``month``."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from etax.analytics.open_data import closed
from etax.analytics.store import Store
from etax.rules import uscc
from tests.functional.conftest import LambdaContext, call, load_handler
from tests.functional.test_analytics import compacted
from tests.functional.test_invoices import request

MONTH = "2026-10"


@pytest.fixture
def buckets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "ANALYTICS_BUCKET": "store",
                        "OPEN_DATA_BUCKET": "public"}.items():
        monkeypatch.setenv(name, value)
    # the functions' file cache in the test's own folder (not shared with another worker)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr("etax.analytics.parties._key", lambda: b"functional-key")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="store")
        s3.create_bucket(Bucket="public")
        yield Store("store", s3, tmp_path / "cache"), Store("public", s3, tmp_path / "public")


def seller(n: int) -> str:
    return uscc.complete(f"91350100MA{n:07d}")


def events(sellers: int, industry: str, first: int) -> list[dict[str, Any]]:
    """Each seller registered in ``industry``, with one invoice of 1,000 yuan."""
    found = []
    for n in range(first, first + sellers):
        code = seller(n)
        found.append({"id": f"r{n}", "source": "tax.registration",
                      "detail-type": "RegistrationChanged", "time": "2026-10-02T01:00:00Z",
                      "detail": {"credit_code": code, "status": "active", "revision": 1,
                                 "tax_office_code": "13501000000", "taxpayer_type": "general",
                                 "industry": industry}})
        found.append({"id": f"i{n}", "source": "tax.invoices", "detail-type": "InvoiceIssued",
                      "time": "2026-10-10T01:00:00Z",
                      "detail": {"number": f"2635{n:016d}", "type": "81",
                                 "issue_date": "2026-10-10", "seller_credit_code": code,
                                 "buyer_id": None, "total_fen": 100_000, "channel": "web"}})
    return found


def fill(store: Store) -> None:
    compacted(store, events(12, "零售业", 0) + events(3, "航空运输业", 100)
              + events(15, "批发业", 200))


def get(module: Any, path: str, resource: str, params: dict[str, str]) -> dict[str, Any]:
    return call(module, request("GET", path, resource=resource, params=params))


def test_a_month_released_once_and_read_by_anyone(buckets: tuple[Store, Store]) -> None:
    store, public = buckets
    fill(store)
    publisher = load_handler("open_data_publisher")
    answer = publisher.handler({"month": MONTH}, LambdaContext())
    assert [(r["dataset"], r["new"]) for r in answer["releases"]] == [
        ("invoices-by-industry", True), ("revenue-by-tax", True)]
    document = json.loads(public.get(f"open-data/invoices-by-industry/{MONTH}.json"))
    rows = {(r["province"], r["industry"]): r for r in document["rows"]}
    wholesale = rows[("35", "批发业")]
    assert (wholesale["contributors"], wholesale["invoices"], wholesale["amount_fen"]) == (
        15, 15, 1_500_000)
    # the three airlines withheld, and retail (the row's next fewest sellers) with them, so
    # the province's total gives neither away; each column's total goes with its one cell
    withheld = {k for k, r in rows.items() if r["suppressed"]}
    assert withheld == {("35", "航空运输业"), ("35", "零售业"), ("total", "航空运输业"),
                        ("total", "零售业")}
    assert rows[("35", "航空运输业")]["amount_fen"] is None
    assert rows[("35", "total")]["amount_fen"] == 3_000_000
    csv_text = public.get(f"open-data/invoices-by-industry/{MONTH}.csv").decode()
    assert csv_text.splitlines()[0].startswith("month,province,industry,contributors")
    assert seller(0) not in csv_text
    assert json.loads(public.get("open-data/catalogue.json"))["datasets"][0]["releases"][0][
        "month"] == MONTH
    # an empty data set's month is still released, with no cells
    revenue = json.loads(public.get(f"open-data/revenue-by-tax/{MONTH}.json"))
    assert revenue["rows"] == []

    # released once: a second run writes nothing; a month not closed is refused
    before = public.get(f"open-data/invoices-by-industry/{MONTH}.json")
    again = publisher.handler({"month": MONTH}, LambdaContext())
    assert {r["new"] for r in again["releases"]} == {False}
    assert public.get(f"open-data/invoices-by-industry/{MONTH}.json") == before
    today = datetime.now(UTC).date()
    assert not closed(today.isoformat()[:7], today)
    refused = publisher.handler({"month": today.isoformat()[:7]}, LambdaContext())
    assert "not closed" in refused["refused"]
    assert "refused" in publisher.handler({"month": "2026-13"}, LambdaContext())

    # the public routes
    api = load_handler("open_data")
    listed = get(api, "/v1/open-data/datasets", "/v1/open-data/datasets", {})
    assert listed["statusCode"] == 200
    [entry] = listed["json"]["datasets"][0]["releases"]
    assert (entry["month"], entry["csv"]) == (MONTH, f"open-data/invoices-by-industry/{MONTH}.csv")
    assert entry["cells"] == len(rows)
    detail = get(api, "/v1/open-data/datasets/invoices-by-industry",
                 "/v1/open-data/datasets/{dataset_id}", {"dataset_id": "invoices-by-industry"})
    assert detail["json"]["data_dictionary"]["disclosure_control"]["min_contributors"] == 11
    shown = get(api, f"/v1/open-data/datasets/invoices-by-industry/releases/{MONTH}",
                "/v1/open-data/datasets/{dataset_id}/releases/{month}",
                {"dataset_id": "invoices-by-industry", "month": MONTH})
    assert shown["json"] == json.loads(before)


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"dataset_id": "nope"}, 404, None),
    ({"dataset_id": "../catalogue"}, 404, None),
    ({"dataset_id": "revenue-by-tax", "month": "2026-13"}, 422, "month"),
    ({"dataset_id": "revenue-by-tax", "month": "2026-01"}, 404, None),
])
def test_unknown_sets_and_months(buckets: tuple[Store, Store], params: dict[str, str],
                                 status: int, field: str | None) -> None:
    api = load_handler("open_data")
    resource = ("/v1/open-data/datasets/{dataset_id}/releases/{month}" if "month" in params
                else "/v1/open-data/datasets/{dataset_id}")
    path = resource.format(**params)
    answer = get(api, path, resource, params)
    assert answer["statusCode"] == status, answer
    assert (answer["json"] or {}).get("field") == field


def test_before_the_first_release_the_sets_are_listed_without_releases(
        buckets: tuple[Store, Store]) -> None:
    api = load_handler("open_data")
    listed = get(api, "/v1/open-data/datasets", "/v1/open-data/datasets", {})
    assert listed["statusCode"] == 200
    assert [(d["id"], d["releases"]) for d in listed["json"]["datasets"]] == [
        ("invoices-by-industry", []), ("revenue-by-tax", [])]
