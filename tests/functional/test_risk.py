"""Risk warnings over moto's S3 (docs/risk.md): registrations, invoices and VAT returns
compacted into the analytical store's tables, then ``GET /v1/analytics/risk-warnings`` read
through the analytics handler — each indicator's warning with its figures, an officer seeing
its own office's taxpayers only, bad parameters named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from etax.analytics.store import Store
from etax.rules import uscc
from tests.functional.conftest import call, load_handler
from tests.functional.test_analytics import compacted
from tests.functional.test_invoices import request

FUZHOU, XIAMEN = "13501000000", "13502000000"
MONTH = "2026-11"


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Store]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "ANALYTICS_BUCKET": "store"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("etax.analytics.parties._key", lambda: b"functional-key")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="store")
        yield Store("store", s3, tmp_path / "cache")


def code(n: int) -> str:
    return uscc.complete(f"91350100MA{n:07d}")


def registered(n: int, office: str = FUZHOU, industry: str = "零售业") -> dict[str, Any]:
    return {"id": f"r{n}", "source": "tax.registration", "detail-type": "RegistrationChanged",
            "time": "2026-06-01T01:00:00Z",
            "detail": {"credit_code": code(n), "status": "active", "revision": 1,
                       "tax_office_code": office, "taxpayer_type": "general",
                       "industry": industry}}


def invoice(n: int, seller: int, day: str, total_fen: int, kind: str = "InvoiceIssued"
            ) -> dict[str, Any]:
    return {"id": f"i{n}-{kind}", "source": "tax.invoices", "detail-type": kind,
            "time": f"{day}T02:00:00Z",
            "detail": {"number": f"2635{n:016d}", "type": "81", "issue_date": day,
                       "seller_credit_code": code(seller), "buyer_id": None,
                       "total_fen": total_fen, "channel": "web"}}


def filed(seller: int, sales_fen: int, tax_due_fen: int) -> dict[str, Any]:
    obligation = f"{code(seller)}#vat#{MONTH}"
    return {"id": f"f{seller}", "source": "tax.filing", "detail-type": "ReturnFiled",
            "time": "2026-12-10T02:00:00Z",
            "detail": {"obligation_id": obligation, "taxpayer": code(seller),
                       "tax_type": "vat", "period": MONTH, "kind": "vat_general",
                       "filed_at": "2026-12-10T02:00:00Z", "tax_due_fen": tax_due_fen,
                       "sales_fen": sales_fen, "office": FUZHOU}}


def fill(store: Store) -> None:
    """Six retailers of Fuzhou: 1 files a nil return while invoicing, 2 invoices ten times its
    usual month, 3 pays a burden far below the others'; 9 is in Xiamen (a nil return too)."""
    events = [registered(n) for n in range(1, 7)] + [registered(9, XIAMEN)]
    events += [invoice(1, 1, "2026-11-03", 226_000), invoice(2, 1, "2026-11-04", 113_000)]
    events += [invoice(10 + m, 2, f"2026-{m:02d}-05", 4_000_000) for m in (8, 9, 10)]
    events += [invoice(40, 2, "2026-11-05", 40_000_000)]
    events += [invoice(30, 9, "2026-11-06", 50_000), invoice(31, 1, "2026-11-07", 99_000),
               invoice(31, 1, "2026-11-08", 99_000, "InvoiceVoided")]
    events += [filed(1, 0, 0), filed(9, 0, 0)]
    events += [filed(n, 1_000_000, 30_000) for n in (2, 4, 5, 6)] + [filed(3, 1_000_000, 5_000)]
    compacted(store, events)


def warnings(who: tuple[str, ...], **query: str) -> dict[str, Any]:
    event = request("GET", "/v1/analytics/risk-warnings", who=who)
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    return call(load_handler("analytics"), event)


def test_each_indicator_warns_with_its_figures_and_an_office_sees_its_own(store: Store) -> None:
    fill(store)
    answer = warnings(("officer", "officer-fz", FUZHOU), month=MONTH)
    assert answer["statusCode"] == 200, answer
    body = answer["json"]
    assert (body["month"], body["office"]) == (MONTH, FUZHOU)
    shown = {(w["indicator"], w["taxpayer"]): w for w in body["warnings"]}
    assert set(shown) == {("zero-return-while-invoicing", code(1)),
                          ("invoicing-spike", code(2)), ("burden-below-industry", code(3))}
    nil = shown[("zero-return-while-invoicing", code(1))]
    assert nil["figures"] == {"declared_sales_fen": 0, "tax_due_fen": 0,
                              "invoiced_fen": 339_000, "invoices": 2}  # the voided one left out
    assert nil["records"] == {"returns": [f"{code(1)}#vat#{MONTH}"]}
    assert (nil["industry"], nil["office"]) == ("零售业", FUZHOU)
    spike = shown[("invoicing-spike", code(2))]["figures"]
    assert (spike["growth"], spike["mean_before_fen"]) == ("10.0000", 4_000_000)
    low = shown[("burden-below-industry", code(3))]["figures"]
    assert (low["burden"], low["industry_mean"], low["peers"]) == ("0.0050", "0.0250", 5)
    counts = {i["id"]: i["warnings"] for i in body["indicators"]}
    assert counts == {"zero-return-while-invoicing": 1, "invoicing-spike": 1,
                      "burden-below-industry": 1}
    assert all(i["formula"] and i["threshold"] and i["source"] for i in body["indicators"])

    xiamen = warnings(("officer", "officer-xm", XIAMEN), month=MONTH)["json"]
    assert [(w["indicator"], w["taxpayer"]) for w in xiamen["warnings"]] == [
        ("zero-return-while-invoicing", code(9))]
    everyone = warnings(("admin", "admin-1"), month=MONTH, indicator="invoicing-spike")["json"]
    assert everyone["office"] == "all"
    assert [w["taxpayer"] for w in everyone["warnings"]] == [code(2)]
    assert [i["id"] for i in everyone["indicators"]] == ["invoicing-spike"]
    quiet = warnings(("officer", "officer-fz", FUZHOU), month="2026-10")["json"]
    assert quiet["warnings"] == []


@pytest.mark.parametrize(("who", "query", "status", "field"), [
    (("officer", "o", FUZHOU), {}, 422, "month"),
    (("officer", "o", FUZHOU), {"month": "2026-13"}, 422, "month"),
    (("officer", "o", FUZHOU), {"month": MONTH, "indicator": "nope"}, 422, "indicator"),
    (("taxpayer", code(1)), {"month": MONTH}, 403, None),
    (None, {"month": MONTH}, 401, None),
])
def test_bad_reads_name_the_parameter_and_taxpayers_read_none(
        store: Store, who: tuple[str, ...] | None, query: dict[str, str], status: int,
        field: str | None) -> None:
    event = request("GET", "/v1/analytics/risk-warnings", who=who)
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    answer = call(load_handler("analytics"), event)
    assert answer["statusCode"] == status, answer
    if field:
        assert answer["json"]["field"] == field
