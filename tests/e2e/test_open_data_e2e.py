"""Open data on the local stack (docs/open-data.md): a closed month's registrations, invoices
and payments reach the analytical store through its archive queue (as the bus delivers
them); the publisher releases the month; anyone lists the data sets, reads the dictionary
and the month's cells through the API and the CSV from the public bucket; small cells and
their complements are withheld and no withheld cell can be solved from the totals; a planted
lone enterprise's sales are not in the release; the release is never rewritten."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from etax.analytics.disclosure import TOTAL, Cell
from etax.rules import uscc
from tests.e2e.test_analytics_e2e import through_the_archive
from tests.unit.test_open_data import solvable

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

SOFTWARE, RETAIL, AIRLINES = "软件和信息技术服务业", "零售业", "航空运输业"


def closed_month(today: date) -> str:
    """Three months back: closed whatever the day (released from the 6th of the next), and
    not the demo month the seed released (two months back: scripts/demo_data.py)."""
    first = today.replace(day=1)
    return (first - timedelta(days=63)).replace(day=1).isoformat()[:7]


def company(region: str) -> str:
    body = "".join(random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return uscc.complete(f"91{region}{body}")


def envelope(source: str, kind: str, at: datetime, detail: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "source": source, "detail-type": kind,
            "time": at.isoformat().replace("+00:00", "Z"), "detail": detail}


def facts(month: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The month's events, and what the release must show: sellers by (province, industry)
    with their invoices (a planted lone airline among them), payers of VAT by province."""
    chooser = random.Random()
    first = date.fromisoformat(f"{month}-01")
    groups = [("35", "350100", SOFTWARE, 14), ("35", "350100", RETAIL, 12),
              ("44", "440100", RETAIL, 13), ("44", "440100", SOFTWARE, 15),
              ("11", "110100", SOFTWARE, 16), ("11", "110100", RETAIL, 15),
              ("35", "350100", AIRLINES, 1)]
    events: list[dict[str, Any]] = []
    expected: dict[str, Any] = {"cells": {}, "planted": None, "payers": 0, "paid": 0}
    for province, region, industry, sellers in groups:
        invoices = amount = 0
        for _ in range(sellers):
            code = company(region)
            registered = datetime(first.year, first.month, 2, 1, tzinfo=UTC)
            events.append(envelope("tax.registration", "RegistrationChanged", registered, {
                "credit_code": code, "status": "active", "tax_office_code": f"1{region}0000",
                "taxpayer_type": "general", "industry": industry, "revision": 1}))
            issued = chooser.randint(1, 3)
            for n in range(issued):
                day = first + timedelta(days=chooser.randint(2, 20))
                total = chooser.randint(10_000, 900_000) * (1_000 if industry == AIRLINES else 1)
                events.append(envelope("tax.invoices", "InvoiceIssued",
                                       datetime(day.year, day.month, day.day, 3, n, tzinfo=UTC), {
                    "number": f"{chooser.randint(10**19, 10**20 - 1)}", "type": "81",
                    "issue_date": day.isoformat(), "seller_credit_code": code,
                    "buyer_id": None, "total_fen": total, "channel": "web"}))
                invoices, amount = invoices + 1, amount + total
            if industry == AIRLINES:
                expected["planted"] = amount
            paid_at = datetime(first.year, first.month, 15, 2, tzinfo=UTC)
            paid = chooser.randint(1_000, 50_000)
            events.append(envelope("tax.filing", "PaymentConfirmed", paid_at, {
                "payment_id": str(uuid.uuid4()), "obligation_id": str(uuid.uuid4()),
                "taxpayer": code, "tax_type": "vat", "period": month, "amount_fen": paid,
                "method": "bank_transfer", "confirmed_at": paid_at.isoformat(),
                "office": f"1{region}0000"}))
            expected["payers"] += 1
            expected["paid"] += paid
        expected["cells"][(province, industry)] = (sellers, invoices, amount)
    return events, expected


def get(api: str, path: str, **params: str) -> requests.Response:
    return requests.get(f"{api}{path}", params=params, timeout=60)


def publisher(aws: Callable[[str], Any], stack: dict[str, Any],
              payload: dict[str, Any]) -> dict[str, Any]:
    answer = aws("lambda").invoke(FunctionName=stack["OpenDataPublisherFunctionName"],
                                  Payload=json.dumps(payload).encode())
    result: dict[str, Any] = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, result
    return result


def test_a_closed_month_is_released_protected_and_public(
        api: str, aws: Callable[[str], Any], stack: dict[str, Any]) -> None:
    month = closed_month(datetime.now(UTC).date())
    events, expected = facts(month)
    through_the_archive(aws, stack, events)

    released = publisher(aws, stack, {"month": month})["releases"]
    assert {(r["dataset"], r["new"]) for r in released} == {
        ("invoices-by-industry", True), ("revenue-by-tax", True)}

    # anyone lists the data sets and their releases, and reads the dictionary
    listed = get(api, "/v1/open-data/datasets")
    assert listed.status_code == 200, listed.text
    by_id = {d["id"]: d for d in listed.json()["datasets"]}
    assert month in [r["month"] for r in by_id["invoices-by-industry"]["releases"]]
    detail = get(api, "/v1/open-data/datasets/invoices-by-industry").json()
    columns = [c["name"] for c in detail["data_dictionary"]["columns"]]
    assert detail["data_dictionary"]["disclosure_control"]["min_contributors"] == 11

    answer = get(api, f"/v1/open-data/datasets/invoices-by-industry/releases/{month}")
    assert answer.status_code == 200, answer.text
    rows = {(r["province"], r["industry"]): r for r in answer.json()["rows"]}
    for key, (sellers, invoices, amount) in expected["cells"].items():
        row = rows[key]
        if sellers >= 11 and not row["suppressed"]:
            assert (row["contributors"], row["invoices"], row["amount_fen"]) == (
                sellers, invoices, amount)
    # the lone airline: withheld, with a complement in its province's row and in its
    # industry's column (here the column's total), and nothing solvable
    assert rows[("35", AIRLINES)]["suppressed"]
    assert rows[("35", AIRLINES)]["amount_fen"] is None
    assert rows[(TOTAL, AIRLINES)]["suppressed"]
    assert sum(r["suppressed"] for k, r in rows.items() if k[0] == "35") >= 2
    # which complements are chosen depends on the figures; Beijing's cells, far from the
    # airline's row and column, stay shown (checked against the figures above)
    assert not rows[("11", SOFTWARE)]["suppressed"]
    assert not rows[("11", RETAIL)]["suppressed"]
    cells = {k: Cell(k, 1, {"amount_fen": 0}) for k in rows}
    hidden = frozenset(k for k, r in rows.items() if r["suppressed"])
    assert solvable(cells, hidden) == set()
    shown = {r["amount_fen"] for r in rows.values() if r["amount_fen"] is not None}
    assert expected["planted"] not in shown
    assert expected["planted"] not in {b - a for a in shown for b in shown}

    # the public bucket: the CSV anyone downloads, without a single credit code
    public = requests.get(f"{stack['OpenDataUrl']}open-data/invoices-by-industry/{month}.csv",
                          timeout=60)
    assert public.status_code == 200, public.text
    parsed = list(csv.DictReader(io.StringIO(public.content.decode("utf-8"))))
    assert list(parsed[0]) == columns
    assert len(parsed) == len(rows)
    codes = {e["detail"].get("credit_code") for e in events} - {None}
    assert not any(code in public.text for code in codes)

    # revenue by tax: the VAT paid in the month, all provinces together
    revenue = get(api, f"/v1/open-data/datasets/revenue-by-tax/releases/{month}").json()
    [grand] = [r for r in revenue["rows"] if r["province"] == TOTAL and r["tax_type"] == TOTAL]
    assert (grand["contributors"], grand["amount_fen"]) == (expected["payers"],
                                                            expected["paid"])

    # released once: a second run leaves the month as it was, a month not closed is refused
    before = answer.json()
    again = publisher(aws, stack, {"month": month})["releases"]
    assert {r["new"] for r in again} == {False}
    assert get(api, f"/v1/open-data/datasets/invoices-by-industry/releases/{month}"
               ).json() == before
    current = datetime.now(UTC).date().isoformat()[:7]
    assert "not closed" in publisher(aws, stack, {"month": current})["refused"]


@pytest.mark.parametrize(("path", "status"), [
    ("/v1/open-data/datasets/no-such-set", 404),
    ("/v1/open-data/datasets/NO%20SUCH", 404),
    ("/v1/open-data/datasets/revenue-by-tax/releases/2026-13", 422),
    ("/v1/open-data/datasets/revenue-by-tax/releases/1999-01", 404),
])
def test_unknown_sets_and_bad_months_are_refused(api: str, path: str, status: int) -> None:
    answer = requests.get(f"{api}{path}", timeout=60)
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    if status == 422:
        assert answer.json()["field"] == "month"
