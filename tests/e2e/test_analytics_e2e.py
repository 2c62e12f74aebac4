"""The analytical store on the local stack: an invoice issued, a return filed and a payment
confirmed through the API reach the raw archive from the bus; the compactor writes them into
the Parquet tables (a natural person buyer only as a pseudonym); the revenue report grows by
exactly the payment, for the administrator and for the office's officer, and not for another
office's; a redelivered event and a late one change nothing twice (docs/analytics.md)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pytest
import requests

from etax.analytics.archive import day_of
from etax.rules import uscc
from tests.e2e.test_filing_e2e import master, open_obligation, post, provider_confirms
from tests.e2e.test_lottery_e2e import issue, wait_for
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["master"]  # the filing module's fixture, used here

FUZHOU = "13501000000"
XIAMEN = "13502000000"
SELLER = "91350100M000100Y43"
BUYER_ID = "350102199003071234"


def fresh_taxpayer() -> str:
    """A credit code no other test uses (Fuzhou's region), so its obligation is new."""
    body = "".join(random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return uscc.complete(f"91350100{body}")


def revenue(api: str, who: dict[str, str], month: str, by: str = "tax") -> dict[str, Any]:
    answer = requests.get(f"{api}/v1/analytics/revenue", headers=who, timeout=60,
                          params={"from": month, "to": month, "by": by})
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def vat_of(report: dict[str, Any]) -> int:
    return sum(int(r["amount_fen"]) for r in report["rows"] if r["key"] == "vat")


def compact(aws: Callable[[str], Any], stack: dict[str, Any],
            days: list[str] | None = None) -> dict[str, Any]:
    answer = aws("lambda").invoke(FunctionName=stack["AnalyticsCompactorFunctionName"],
                                  Payload=json.dumps({"days": days} if days else {}).encode())
    payload: dict[str, Any] = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, payload
    return payload


def archived(aws: Callable[[str], Any], stack: dict[str, Any], day: str, *needles: str) -> bool:
    """Whether the raw archive of ``day`` holds every one of ``needles``."""
    s3, bucket = aws("s3"), stack["AnalyticsBucketName"]
    found = ""
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                             Prefix=f"raw/date={day}/"):
        for item in page.get("Contents", []):
            found += s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode()
    return all(n in found for n in needles)


def through_the_archive(aws: Callable[[str], Any], stack: dict[str, Any],
                        events: list[dict[str, Any]]) -> list[str]:
    """Send bus envelopes to the archive's queue as the bus's rule would, wait until each is
    in the raw archive of its day, compact those days; the days."""
    queue = stack["AnalyticsArchiveQueueUrl"]
    for start in range(0, len(events), 10):
        aws("sqs").send_message_batch(QueueUrl=queue, Entries=[
            {"Id": str(n), "MessageBody": json.dumps(e, ensure_ascii=False)}
            for n, e in enumerate(events[start:start + 10])])
    days = sorted({e["time"][:10] for e in events})
    wait_for("every fact archived", lambda: all(
        archived(aws, stack, day, *[e["id"] for e in events if e["time"][:10] == day])
        for day in days) or None, timeout=120)
    compact(aws, stack, days)
    return days


GOODS_CODE = "1060512990000000000"  # a goods code (19 digits, the first 1: goods)


def table_rows(aws: Callable[[str], Any], stack: dict[str, Any], table: str, day: str,
               tmp_path: Any) -> tuple[list[dict[str, Any]], bytes]:
    """The rows of a table's partitions of ``day`` (read with DuckDB, as a tester would; the
    province from the file's partition), and the files' bytes."""
    s3, bucket = aws("s3"), stack["AnalyticsBucketName"]
    rows: list[dict[str, Any]] = []
    raw = b""
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"tables/{table}/v1/date={day}/")
    connection = duckdb.connect()
    for n, item in enumerate(listed.get("Contents", [])):
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        raw += body
        path = tmp_path / f"{table}-{n}.parquet"
        path.write_bytes(body)
        cursor = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [d[0] for d in cursor.description]
        province = item["Key"].split("/province=")[1].split("/")[0]
        rows += [{**dict(zip(names, row, strict=True)), "province": province}
                 for row in cursor.fetchall()]
    return rows, raw


def test_facts_reach_the_store_and_the_revenue_exactly_once(
        api: str, aws: Callable[[str], Any], stack: dict[str, Any], master: bytes,
        tmp_path: Any) -> None:
    now = datetime.now(UTC)
    day, month = day_of(now.isoformat()), day_of(now.isoformat())[:7]
    admin = bearer(token(api, "admin", "admin-analytics-e2e"))
    fuzhou = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    xiamen = bearer(token(api, "officer", "officer-xm-0001", XIAMEN))
    compact(aws, stack)  # what earlier tests left, so the figures before are complete
    before = {"admin": vat_of(revenue(api, admin, month)),
              "fuzhou": vat_of(revenue(api, fuzhou, month)),
              "xiamen": vat_of(revenue(api, xiamen, month))}

    # an invoice to a natural person, a return filed and a payment confirmed
    seller = bearer(token(api, "taxpayer", SELLER))
    invoice = issue(api, seller, BUYER_ID)
    # and one whose first line carries its goods' tax classification code
    classified = requests.post(f"{api}/v1/invoices", timeout=60, json={
        "buyer": {"name": "陈小明", "id_number": BUYER_ID}, "channel": "api",
        "items": [{"name": "示例商品", "quantity": "2", "unit_price": "100.00",
                   "tax_rate": "0.13", "tax_code": GOODS_CODE},
                  {"name": "示例服务", "quantity": "1", "unit_price": "50.00",
                   "tax_rate": "0.06"}]},
        headers={**seller, "Idempotency-Key": str(uuid.uuid4())})
    assert classified.status_code == 201, classified.text
    envelope = requests.get(f"{api}/v1/invoices/{classified.json()['number']}", timeout=60,
                            headers=seller).json()
    assert [i.get("tax_code") for i in envelope["document"]["items"]] == [GOODS_CODE, None]
    code = fresh_taxpayer()
    taxpayer = bearer(token(api, "taxpayer", code))
    opener = bearer(token(api, "admin", "admin-analytics-e2e"))
    filed = open_obligation(api, taxpayer, code, month, "150000.00", opened_by=opener)
    oid = filed["obligation_id"]
    payment = post(api, f"/v1/filing/obligations/{oid}/payments", taxpayer,
                   {"method": "bank_transfer", "amount": "1500.00"})
    assert payment.status_code == 201, payment.text
    assert provider_confirms(api, master, payment.json()).status_code == 200

    wait_for("the facts in the raw archive", lambda: archived(
        aws, stack, day, invoice["number"], classified.json()["number"], oid,
        payment.json()["payment_id"]) or None)
    compacted = compact(aws, stack)
    assert day in [d["day"] for d in compacted["days"]], compacted

    # the tables: the invoice with its buyer pseudonymized, the return, the payment
    invoices, invoice_bytes = table_rows(aws, stack, "invoices", day, tmp_path)
    [row] = [r for r in invoices if r["number"] == invoice["number"]]
    assert row["kind"] == "issued"
    assert row["seller"] == SELLER
    assert str(row["buyer"]).startswith("p:")
    assert BUYER_ID.encode() not in invoice_bytes
    number = classified.json()["number"]
    [with_lines] = [r for r in invoices if r["number"] == number]
    assert (with_lines["amount_fen"], with_lines["total_fen"]) == (25_000, 27_900)
    lines, _ = table_rows(aws, stack, "invoice_lines", day, tmp_path)
    assert [(r["line"], r["tax_code"], r["amount_fen"]) for r in lines
            if r["number"] == number] == [(1, GOODS_CODE, 20_000)]  # the second unclassified
    returns, _ = table_rows(aws, stack, "returns", day, tmp_path)
    [filed_row] = [r for r in returns if r["obligation_id"] == oid]
    assert (filed_row["taxpayer"], filed_row["tax_due_fen"]) == (code, 150_000)
    payments, _ = table_rows(aws, stack, "payments", day, tmp_path)
    [paid] = [r for r in payments if r["obligation_id"] == oid]
    assert (paid["amount_fen"], paid["office"], paid["province"]) == (150_000, FUZHOU, "35")

    # the revenue grew by exactly the payment, for the country and Fuzhou, not Xiamen
    assert vat_of(revenue(api, admin, month)) == before["admin"] + 150_000
    assert vat_of(revenue(api, fuzhou, month)) == before["fuzhou"] + 150_000
    assert vat_of(revenue(api, xiamen, month)) == before["xiamen"]
    by_office = revenue(api, admin, month, by="office")
    assert FUZHOU in [r["key"] for r in by_office["rows"]]

    # the payment's event delivered again, and again a day late: counted once
    envelope = next(json.loads(line) for line in _raw_lines(aws, stack, day)
                    if payment.json()["payment_id"] in line
                    and '"PaymentConfirmed"' in line)
    queue = stack["AnalyticsArchiveQueueUrl"]
    aws("sqs").send_message(QueueUrl=queue, MessageBody=json.dumps(envelope))
    late = {**envelope, "id": str(uuid.uuid4()),
            "time": (now + timedelta(days=1)).isoformat().replace("+00:00", "Z")}
    aws("sqs").send_message(QueueUrl=queue, MessageBody=json.dumps(late))
    next_day = day_of(late["time"])
    wait_for("the late copy archived", lambda: archived(aws, stack, next_day, late["id"]) or None)
    compact(aws, stack)
    assert vat_of(revenue(api, admin, month)) == before["admin"] + 150_000


def _raw_lines(aws: Callable[[str], Any], stack: dict[str, Any], day: str) -> list[str]:
    s3, bucket = aws("s3"), stack["AnalyticsBucketName"]
    lines: list[str] = []
    for item in s3.list_objects_v2(Bucket=bucket, Prefix=f"raw/date={day}/").get("Contents", []):
        lines += s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode().splitlines()
    return lines


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-13", "to": "2026-12"}, "from"),
    ({"from": "2026-12", "to": "2026-11"}, "to"),
    ({"from": "2026-12"}, "to"),
    ({"from": "2020-01", "to": "2026-12"}, "to"),
    ({"from": "2026-12", "to": "2026-12", "by": "colour"}, "by"),
])
def test_bad_report_parameters_name_the_field(api: str, params: dict[str, str],
                                              field: str) -> None:
    admin = bearer(token(api, "admin", "admin-analytics-e2e"))
    answer = requests.get(f"{api}/v1/analytics/revenue", headers=admin, params=params,
                          timeout=60)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field


def test_the_revenue_is_for_officers_only(api: str) -> None:
    params = {"from": "2026-12", "to": "2026-12"}
    anonymous = requests.get(f"{api}/v1/analytics/revenue", params=params, timeout=60)
    assert anonymous.status_code == 401
    taxpayer = bearer(token(api, "taxpayer", SELLER))
    refused = requests.get(f"{api}/v1/analytics/revenue", headers=taxpayer, params=params,
                           timeout=60)
    assert refused.status_code == 403


def test_the_revenue_desk_and_the_daily_briefing_on_the_stack(
        api: str, aws: Callable[[str], Any], stack: dict[str, Any]) -> None:
    """An office of the test's own (its figures are the test's alone): payments and
    registrations through the archive; revenue by industry, the month's movement and its
    taxpayers, the plan's progress and its chart; the briefing of the day reaches the
    subscribed officer's inbox (docs/analytics.md#the-revenue-desk)."""
    from etax.analytics.archive import CHINA
    from tests.e2e.test_notifications_e2e import inbox

    office = f"1359{random.randrange(10 ** 7):07d}"
    officer = f"officer-desk-{uuid.uuid4().hex[:6]}"
    mine = bearer(token(api, "officer", officer, office))
    admin = bearer(token(api, "admin", "admin-analytics-e2e"))
    yesterday = datetime.now(CHINA).date() - timedelta(days=1)
    earlier = (yesterday.replace(day=1) - timedelta(days=1)).replace(day=15)
    month, before_month, year = f"{yesterday:%Y-%m}", f"{earlier:%Y-%m}", yesterday.year
    retail, software = fresh_taxpayer(), fresh_taxpayer()
    run = uuid.uuid4().hex[:8]

    def envelope(n: int, kind: str, day: Any, detail: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"desk-{run}-{n}", "source": "tax.filing" if kind.startswith("Pay")
                else "tax.registration", "detail-type": kind,
                "time": f"{day.isoformat()}T02:00:00Z", "detail": detail}

    def paid(n: int, taxpayer: str, fen: int, day: Any) -> dict[str, Any]:
        return envelope(n, "PaymentConfirmed", day, {
            "payment_id": f"desk-{run}-{n}", "obligation_id": f"desk-{run}-ob{n}",
            "taxpayer": taxpayer, "tax_type": "vat", "period": f"{day:%Y-%m}",
            "amount_fen": fen, "method": "bank_transfer",
            "confirmed_at": f"{day.isoformat()}T02:00:00Z", "office": office})

    def registered(n: int, code: str, industry: str) -> dict[str, Any]:
        return envelope(n, "RegistrationChanged", earlier, {
            "credit_code": code, "status": "active", "revision": 1,
            "tax_office_code": office, "taxpayer_type": "general", "industry": industry})

    plan = requests.put(f"{api}/v1/analytics/revenue-plans/{year}/{office}", timeout=60,
                        headers={**admin, "Idempotency-Key": f"plan-{run}"},
                        json={"taxes": {"vat": "10000.00"}, "reason": "e2e"})
    assert plan.status_code == 200, plan.text
    subscribed = requests.put(f"{api}/v1/analytics/briefings/me", headers=mine, timeout=60)
    assert subscribed.status_code == 200, subscribed.text
    through_the_archive(aws, stack, [
        registered(1, retail, "零售业"), registered(2, software, "软件和信息技术服务业"),
        paid(3, retail, 50_000, earlier), paid(4, retail, 300_000, yesterday),
        paid(5, software, 20_000, yesterday)])

    by_industry = revenue(api, mine, month, by="industry")
    assert {r["key"]: r["amount_fen"] for r in by_industry["rows"]} == {
        "零售业": 300_000, "软件和信息技术服务业": 20_000}
    moved = requests.get(f"{api}/v1/analytics/revenue/movements", headers=mine, timeout=60,
                         params={"month": month})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["against_month"], moved.json()["before_fen"],
            moved.json()["after_fen"]) == (before_month, 50_000, 320_000)
    assert [(m["taxpayer"], m["change_fen"]) for m in moved.json()["movers"]] == [
        (retail, 250_000), (software, 20_000)]

    progress = requests.get(f"{api}/v1/analytics/revenue-plans/{year}", headers=mine,
                            timeout=60)
    assert progress.status_code == 200, progress.text
    [standing] = progress.json()["offices"]
    this_year = 320_000 + (50_000 if earlier.year == year else 0)
    assert (standing["office"], standing["plan_fen"], standing["collected_fen"]) == (
        office, 1_000_000, this_year)
    assert standing["progress_bp"] == this_year * 10_000 // 1_000_000
    chart = requests.get(f"{api}/v1/analytics/charts/plan", headers=mine, timeout=60,
                         params={"year": str(year)})
    assert chart.status_code == 200, chart.text
    assert chart.headers["Content-Type"].startswith("image/svg+xml")
    assert "序时进度" in chart.text
    assert chart.text.lstrip().startswith("<svg")

    answer = aws("lambda").invoke(FunctionName=stack["AnalyticsBriefingFunctionName"],
                                  Payload=json.dumps({"day": yesterday.isoformat()}).encode())
    summary = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, summary
    assert summary["day"] == yesterday.isoformat()
    entry = wait_for("the briefing in the officer's inbox", lambda: next(
        (e for e in inbox(api, mine, limit="100")["items"]
         if e["kind"] == "analytics.revenue_briefing" and office in e["title"]), None))
    assert f"{yesterday.month}月{yesterday.day}日入库 3200.00 元（2 笔）" in entry["body"]
    assert "年度计划 10000.00 元" in entry["body"]
    gone = requests.delete(f"{api}/v1/analytics/briefings/me", headers=mine, timeout=60)
    assert gone.status_code == 204, gone.text


def test_an_enterprise_seen_whole_and_kept_among_the_key_enterprises(
        api: str, aws: Callable[[str], Any], stack: dict[str, Any]) -> None:
    """The demo seller of Fuzhou seen whole by Fuzhou's officer (its registration, twelve
    months of invoicing with an invoice just issued, its payments), kept on the office's key
    enterprise list and taken off; Xiamen's officer is told it does not exist."""
    from etax.analytics.archive import CHINA

    fuzhou = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    xiamen = bearer(token(api, "officer", "officer-xm-0001", XIAMEN))
    this_month = f"{datetime.now(CHINA):%Y-%m}"

    def invoicing() -> dict[str, Any]:
        shown = requests.get(f"{api}/v1/analytics/enterprises/{SELLER}", headers=fuzhou,
                             timeout=60)
        assert shown.status_code == 200, shown.text
        view: dict[str, Any] = shown.json()
        assert view["registration"]["tax_office"]["code"] == FUZHOU
        assert view["months"][1] == this_month
        [month] = [m for m in view["invoicing"] if m["month"] == this_month]
        return {"view": view, **month}

    compact(aws, stack)  # what earlier tests left, so the figures before are complete
    before = invoicing()
    invoice = issue(api, bearer(token(api, "taxpayer", SELLER)), BUYER_ID)
    day = day_of(datetime.now(UTC).isoformat())
    wait_for("the invoice archived", lambda: archived(aws, stack, day, invoice["number"]) or None)
    compact(aws, stack)

    after = invoicing()
    assert after["issued"] == before["issued"] + 1
    assert after["issued_fen"] == before["issued_fen"] + invoice_total(invoice)
    assert after["view"]["registration"]["credit_code"] == SELLER
    assert requests.get(f"{api}/v1/analytics/enterprises/{SELLER}", headers=xiamen,
                        timeout=60).status_code == 404

    key = f"{api}/v1/analytics/key-enterprises/{SELLER}"
    marked = requests.put(key, headers=fuzhou, json={"note": "e2e 重点税源"}, timeout=60)
    assert marked.status_code == 200, marked.text
    listed = requests.get(f"{api}/v1/analytics/key-enterprises", headers=fuzhou, timeout=60)
    assert SELLER in [i["credit_code"] for i in listed.json()["items"]]
    assert requests.put(key, headers=xiamen, json={}, timeout=60).status_code == 404
    assert requests.delete(key, headers=fuzhou, timeout=60).status_code == 204
    listed = requests.get(f"{api}/v1/analytics/key-enterprises", headers=fuzhou, timeout=60)
    assert SELLER not in [i["credit_code"] for i in listed.json()["items"]]


def invoice_total(invoice: dict[str, Any]) -> int:
    """An issued invoice's total with tax in fen, as the API answered it (yuan text)."""
    from etax.rules.money import parse_yuan

    return parse_yuan(str(invoice["total"]))
