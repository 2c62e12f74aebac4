"""Risk warnings over moto's S3 (docs/risk.md): registrations, invoices and VAT returns
compacted into the analytical store's tables, then ``GET /v1/analytics/risk-warnings`` read
through the analytics handler — each indicator's warning with its figures, an officer seeing
its own office's taxpayers only, bad parameters named."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest

from etax.analytics.store import Store
from etax.rules import uscc
from tests.functional.conftest import LambdaContext, call, load_handler
from tests.functional.test_analytics import compacted
from tests.functional.test_invoices import request

FUZHOU, XIAMEN = "13501000000", "13502000000"
MONTH = "2026-11"


@pytest.fixture
def store(aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Store:
    """The store's bucket beside every table (moto, ``aws``); the functions' file cache in the
    test's own folder (another worker's test has a bucket of the same name and other files)."""
    monkeypatch.setenv("ANALYTICS_BUCKET", "store")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr("etax.analytics.parties._key", lambda: b"functional-key")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="store")
    return Store("store", s3, tmp_path / "cache")


def code(n: int) -> str:
    return uscc.complete(f"91350100MA{n:07d}")


def registered(n: int, office: str = FUZHOU, industry: str = "零售业",
               kind: str = "general") -> dict[str, Any]:
    return {"id": f"r{n}", "source": "tax.registration", "detail-type": "RegistrationChanged",
            "time": "2025-06-01T01:00:00Z",
            "detail": {"credit_code": code(n), "status": "active", "revision": 1,
                       "tax_office_code": office, "taxpayer_type": kind,
                       "industry": industry}}


def invoice(n: int, seller: int, day: str, total_fen: int, kind: str = "InvoiceIssued",
            buyer: str | None = None, amount_fen: int | None = None,
            lines: Sequence[tuple[str, int]] = ()) -> dict[str, Any]:
    """An invoice's event; ``lines``: (tax classification code, amount without tax)."""
    classified = [{"line": i + 1, "tax_code": tax_code, "amount_fen": fen}
                  for i, (tax_code, fen) in enumerate(lines)]
    return {"id": f"i{n}-{kind}", "source": "tax.invoices", "detail-type": kind,
            "time": f"{day}T02:00:00Z",
            "detail": {"number": f"2635{n:016d}", "type": "81", "issue_date": day,
                       "seller_credit_code": code(seller), "buyer_id": buyer,
                       "total_fen": total_fen, "channel": "web",
                       **({} if amount_fen is None else {"amount_fen": amount_fen}),
                       **({"lines": classified} if classified else {})}}


def filed(seller: int, sales_fen: int, tax_due_fen: int, period: str = MONTH,
          kind: str = "vat_general") -> dict[str, Any]:
    obligation = f"{code(seller)}#vat#{period}"
    return {"id": f"f{seller}-{period}", "source": "tax.filing", "detail-type": "ReturnFiled",
            "time": "2026-12-10T02:00:00Z" if period == MONTH else "2027-01-12T02:00:00Z",
            "detail": {"obligation_id": obligation, "taxpayer": code(seller),
                       "tax_type": "vat", "period": period, "kind": kind,
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
    assert nil["figures"] == {"period": MONTH, "declared_sales_fen": 0, "tax_due_fen": 0,
                              "invoiced_fen": 339_000, "invoices": 2}  # the voided one left out
    assert nil["records"] == {"returns": [f"{code(1)}#vat#{MONTH}"]}
    assert (nil["industry"], nil["office"]) == ("零售业", FUZHOU)
    spike = shown[("invoicing-spike", code(2))]["figures"]
    assert (spike["growth"], spike["mean_before_fen"]) == ("10.0000", 4_000_000)
    low = shown[("burden-below-industry", code(3))]["figures"]
    assert (low["burden"], low["industry_mean"], low["peers"]) == ("0.0050", "0.0250", 5)
    counts = {i["id"]: i["warnings"] for i in body["indicators"]}
    assert counts == {"zero-return-while-invoicing": 1, "invoicing-spike": 1,
                      "burden-below-industry": 1, "invoicing-at-quota": 0,
                      "small-scale-over-threshold": 0, "goods-sold-never-bought": 0,
                      "circular-invoicing": 0}
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


def test_a_ring_of_invoices_among_three_enterprises_warns_each(store: Store) -> None:
    """21 invoices 22, 22 invoices 23, 23 invoices 21, each ¥100,000 or more in the month (a
    red-letter invoice deducted, a voided one left out); 24 invoices 21 but nobody invoices 24;
    a natural person's purchase is no link."""
    events = [registered(n) for n in (21, 22, 23, 24)]
    events += [invoice(60, 21, "2026-11-02", 12_000_000, buyer=code(22)),
               invoice(61, 22, "2026-11-09", 11_000_000, buyer=code(23)),
               invoice(62, 23, "2026-11-16", 10_000_000, buyer=code(21)),
               invoice(63, 23, "2026-11-17", 500_000, buyer=code(21)),
               invoice(64, 23, "2026-11-18", 9_000_000, buyer=code(24)),
               invoice(65, 24, "2026-11-19", 20_000_000, buyer=code(21)),
               invoice(66, 21, "2026-11-20", 30_000_000, buyer="350102199003071234")]
    compacted(store, events)
    body = warnings(("officer", "officer-fz", FUZHOU), month=MONTH,
                    indicator="circular-invoicing")["json"]
    shown = {w["taxpayer"]: w for w in body["warnings"]}
    assert set(shown) == {code(21), code(22), code(23)}
    mine = shown[code(21)]
    assert mine["figures"] == {"enterprises": 3, "chains": 1, "invoiced_fen": 12_000_000,
                               "received_fen": 10_500_000}
    assert mine["records"] == {"chains": [[code(21), code(22), code(23)]]}
    assert body["indicators"][0]["warnings"] == 3


def test_invoicing_at_the_top_of_the_quota_reads_the_sellers_quotas(store: Store) -> None:
    """31 used 96 % of its monthly quota, 32 half of it, 33 has none."""
    quotas = boto3.client("dynamodb")
    for seller, fen in ((31, 10_000_000), (32, 10_000_000)):
        quotas.put_item(TableName="quotas", Item={"key": {"S": f"quota#{code(seller)}"},
                                                  "monthly_fen": {"N": str(fen)}})
    compacted(store, [registered(n) for n in (31, 32, 33)] + [
        invoice(70, 31, "2026-11-03", 6_000_000), invoice(71, 31, "2026-11-20", 3_600_000),
        invoice(72, 32, "2026-11-03", 5_000_000), invoice(73, 33, "2026-11-03", 50_000_000)])
    body = warnings(("officer", "officer-fz", FUZHOU), month=MONTH,
                    indicator="invoicing-at-quota")["json"]
    assert [(w["taxpayer"], w["figures"]) for w in body["warnings"]] == [
        (code(31), {"invoiced_fen": 9_600_000, "invoices": 2, "quota_fen": 10_000_000,
                    "share": "0.9600"})]


@pytest.mark.parametrize(("who", "query", "status", "field"), [
    (("officer", "o", FUZHOU), {}, 422, "month"),
    (("officer", "o", FUZHOU), {"month": "2026-13"}, 422, "month"),
    (("officer", "o", FUZHOU), {"month": "0001-01"}, 422, "month"),  # no months before it
    (("officer", "o", FUZHOU), {"month": "9999-12"}, 422, "month"),  # nor after
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


# -- the watch-list: a month's run, the taxpayers warned, the officers' verdicts ------------

ADMIN = ("admin", "admin-1")
FZ_OFFICER = ("officer", "officer-fz", FUZHOU)


def api(method: str, path: str, who: tuple[str, ...] | None, *, body: Any = None,
        key: str | None = None, query: dict[str, str] | None = None,
        resource: str | None = None, params: dict[str, str] | None = None) -> dict[str, Any]:
    event = request(method, path, who=who, body=body, key=key, resource=resource,
                    params=params)
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    return call(load_handler("analytics"), event)


def run(month: str, key: str) -> dict[str, Any]:
    answer = api("POST", "/v1/analytics/risk-runs", ADMIN, body={"month": month}, key=key)
    assert answer["statusCode"] == 200, answer
    shown: dict[str, Any] = answer["json"]
    return shown


def cases(who: tuple[str, ...], **query: str) -> dict[str, Any]:
    answer = api("GET", "/v1/analytics/risk-cases", who, query={"month": MONTH, **query})
    assert answer["statusCode"] == 200, answer
    shown: dict[str, Any] = answer["json"]
    return shown


def on_case(method: str, case_id: str, who: tuple[str, ...], suffix: str = "",
            body: Any = None, key: str | None = None) -> dict[str, Any]:
    return api(method, f"/v1/analytics/risk-cases/{case_id}{suffix}", who, body=body, key=key,
               resource=f"/v1/analytics/risk-cases/{{case_id}}{suffix}",
               params={"case_id": case_id})


def test_a_run_opens_a_case_per_warning_once_and_each_office_lists_its_own(
        store: Store, published: list[Any]) -> None:
    fill(store)
    first = run(MONTH, "k-run-1")
    assert (first["month"], first["warnings"], first["opened"], first["announced"]) == (
        MONTH, 4, 4, 4)
    assert [e.detail_type for e in published] == ["RiskCaseOpened"] * 4
    said = {e.detail["taxpayer"]: e.detail for e in published}
    nil = said[code(1)]
    assert (nil["indicator"], nil["office"], nil["topic"]) == (
        "zero-return-while-invoicing", FUZHOU, "filing")
    assert nil["title"] == "风险提示：2026年11月申报销售额为零，但当月开具了发票"
    assert "申报销售额为0.00元，当月开具发票2张，金额合计3,390.00元" in nil["detail"]
    assert "是此前三个月月均40,000.00元的10.0000倍" in said[code(2)]["detail"]
    assert "税负率为0.50%" in said[code(3)]["detail"]
    assert "平均税负率为2.50%" in said[code(3)]["detail"]
    assert set(nil) == {"case_id", "warning_id", "indicator", "month", "taxpayer", "office",
                        "topic", "title", "detail"}  # nothing of the other taxpayers

    again = run(MONTH, "k-run-2")  # a second run opens and announces nothing
    assert (again["warnings"], again["opened"], again["announced"]) == (4, 0, 0)
    assert len(published) == 4

    fuzhou = cases(FZ_OFFICER)
    assert fuzhou["office"] == FUZHOU
    assert fuzhou["next"] is None
    assert sorted(c["taxpayer"] for c in fuzhou["items"]) == [code(1), code(2), code(3)]
    assert all(c["verdict"] is None and c["month"] == MONTH for c in fuzhou["items"])
    xiamen = cases(("officer", "officer-xm", XIAMEN))
    assert [c["taxpayer"] for c in xiamen["items"]] == [code(9)]
    spikes = cases(ADMIN, indicator="invoicing-spike")
    assert (spikes["office"], [c["taxpayer"] for c in spikes["items"]]) == ("all", [code(2)])
    case = on_case("GET", said[code(2)]["case_id"], FZ_OFFICER)["json"]
    assert case["figures"]["growth"] == "10.0000"
    assert case["warning_id"] == said[code(2)]["warning_id"]
    assert code(2) not in case["id"]  # the id names no taxpayer


def test_a_run_cut_short_is_finished_by_the_next(store: Store, published: list[Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases are opened but the announcements fail: the next run announces them."""
    fill(store)

    def fail(self: Any, events: Any) -> None:
        raise RuntimeError("the bus is away")

    monkeypatch.setattr("etax.platform.events.EventPublisher.publish", fail)
    broken = api("POST", "/v1/analytics/risk-runs", ADMIN, body={"month": MONTH}, key="k-1")
    assert broken["statusCode"] == 500
    monkeypatch.setattr("etax.platform.events.EventPublisher.publish",
                        lambda self, events: published.extend(events))
    done = run(MONTH, "k-2")
    assert (done["opened"], done["announced"]) == (3, 4)  # one opened before the failure
    assert len({e.detail["case_id"] for e in published}) == 4


def test_officers_judge_their_office_s_cases_once_and_the_precision_follows(
        store: Store, published: list[Any]) -> None:
    fill(store)
    run(MONTH, "k-run")
    ids = {e.detail["taxpayer"]: e.detail["case_id"] for e in published}

    def judge(case_id: str, verdict: str, who: tuple[str, ...] = FZ_OFFICER,
              key: str | None = None) -> dict[str, Any]:
        return on_case("POST", case_id, who, "/verdict",
                       {"verdict": verdict, "note": "核实：发票与申报不符，已约谈。"},
                       key or f"k-{case_id}-{verdict}-{who[1]}")

    confirmed = judge(ids[code(1)], "confirmed")
    assert confirmed["statusCode"] == 200, confirmed
    assert (confirmed["json"]["verdict"], confirmed["json"]["verdict_by"]) == (
        "confirmed", "officer:officer-fz")
    assert judge(ids[code(2)], "false_alarm")["statusCode"] == 200
    twice = judge(ids[code(1)], "false_alarm")
    assert (twice["statusCode"], twice["json"]["field"]) == (409, "verdict")
    other_office = judge(ids[code(3)], "confirmed", ("officer", "officer-xm", XIAMEN))
    assert other_office["statusCode"] == 403
    assert on_case("GET", ids[code(3)], ("officer", "officer-xm", XIAMEN))["statusCode"] == 403
    assert on_case("GET", ids[code(3)], ("taxpayer", code(3)))["statusCode"] == 403
    unknown = on_case("GET", f"{MONTH}.{FUZHOU}.{'0' * 16}", FZ_OFFICER)
    assert unknown["statusCode"] == 404
    assert on_case("GET", "not-a-case", FZ_OFFICER)["statusCode"] == 404
    bad = on_case("POST", ids[code(3)], FZ_OFFICER, "/verdict",
                  {"verdict": "maybe", "note": "？"}, "k-bad")
    assert (bad["statusCode"], bad["json"]["field"]) == (422, "verdict")

    still_open = cases(FZ_OFFICER, verdict="open")
    assert [c["taxpayer"] for c in still_open["items"]] == [code(3)]
    assert [c["taxpayer"] for c in cases(FZ_OFFICER, verdict="false_alarm")["items"]] == [
        code(2)]
    indicators = {i["id"]: i for i in warnings(FZ_OFFICER, month=MONTH)["json"]["indicators"]}
    assert indicators["zero-return-while-invoicing"]["verdicts"] == {"confirmed": 1,
                                                                     "false_alarm": 0}
    assert indicators["zero-return-while-invoicing"]["precision"] == "1.0000"
    assert indicators["invoicing-spike"]["precision"] == "0.0000"
    assert indicators["burden-below-industry"]["precision"] is None


@pytest.mark.parametrize(("who", "query", "status", "field"), [
    (FZ_OFFICER, {}, 422, "month"),
    (FZ_OFFICER, {"month": MONTH, "verdict": "maybe"}, 422, "verdict"),
    (FZ_OFFICER, {"month": MONTH, "indicator": "nope"}, 422, "indicator"),
    (FZ_OFFICER, {"month": MONTH, "cursor": "not-a-cursor"}, 400, "cursor"),
    (("taxpayer", code(1)), {"month": MONTH}, 403, None),
])
def test_bad_case_lists_name_the_parameter(store: Store, who: tuple[str, ...],
                                           query: dict[str, str], status: int,
                                           field: str | None) -> None:
    answer = api("GET", "/v1/analytics/risk-cases", who, query=query)
    assert answer["statusCode"] == status, answer
    if field:
        assert answer["json"]["field"] == field


def test_only_an_administrator_runs_a_month_and_the_month_is_checked(store: Store) -> None:
    officer = api("POST", "/v1/analytics/risk-runs", FZ_OFFICER, body={"month": MONTH},
                  key="k-o")
    assert officer["statusCode"] == 403
    bad = api("POST", "/v1/analytics/risk-runs", ADMIN, body={"month": "2026-13"}, key="k-b")
    assert (bad["statusCode"], bad["json"]["field"]) == (422, "month")


def test_the_watch_list_pages_with_its_cursor(store: Store, published: list[Any]) -> None:
    from etax.analytics.repository import RiskCases
    from etax.errors import Malformed

    fill(store)
    run(MONTH, "k-run")
    first, following = RiskCases().page(MONTH, FUZHOU, None, limit=2)
    assert len(first) == 2
    assert following
    rest, end = RiskCases().page(MONTH, FUZHOU, following, limit=2)
    assert len(rest) == 1
    assert end is None
    assert {c["id"] for c in first} | {c["id"] for c in rest} == {
        e.detail["case_id"] for e in published if e.detail["office"] == FUZHOU}
    xiamen_cursor = RiskCases().page(MONTH, None, None, limit=4)[0]  # every office's
    assert len(xiamen_cursor) == 4
    with pytest.raises(Malformed) as refused:  # Fuzhou's cursor on Xiamen's list
        RiskCases().page(MONTH, XIAMEN, following)
    assert refused.value.field == "cursor"


def test_the_schedule_runs_the_month_due_once(store: Store, published: list[Any]) -> None:
    from datetime import datetime

    from etax.analytics.archive import CHINA
    from etax.analytics.cases import due_month

    scheduled = load_handler("analytics_risk")
    first = scheduled.handler({}, LambdaContext())
    assert first["month"] == due_month(datetime.now(CHINA).date())
    assert scheduled.handler({}, LambdaContext()) == {"month": None}
    fill(store)
    named = scheduled.handler({"month": MONTH}, LambdaContext())  # an operator's month
    assert (named["month"], named["opened"]) == (MONTH, 4)


def test_a_case_becomes_the_taxpayer_s_risk_warning_once(store: Store,
                                                         published: list[Any]) -> None:
    """The outreach board's consumer turns the announcement into a risk warning to the
    taxpayer, issued by the indicator and notified; a redelivery warns nobody twice; the
    taxpayer answers it as an officer's warning."""
    from tests.functional.test_supply import sqs_message

    fill(store)
    run(MONTH, "k-run")
    announced = next(e for e in published if e.detail["taxpayer"] == code(1))
    published.clear()
    consumer = load_handler("outreach_indicators")
    message = sqs_message({"source": "tax.analytics", "detail-type": "RiskCaseOpened",
                           "detail": announced.detail}, "m-1")
    poisoned = sqs_message({"source": "tax.analytics", "detail-type": "RiskCaseOpened",
                            "detail": {**announced.detail, "warning_id": "x"}}, "m-2")
    answer = consumer.handler({"Records": [message, poisoned]}, LambdaContext())
    assert answer["batchItemFailures"] == [{"itemIdentifier": "m-2"}]
    assert consumer.handler({"Records": [message]}, LambdaContext()) == {
        "batchItemFailures": []}
    notices = [e.detail["notification"] for e in published]
    assert len(notices) == 2
    assert notices[0] == notices[1]
    assert (notices[0]["recipient"], notices[0]["kind"]) == (code(1), "risk.warning")

    warning_id = announced.detail["warning_id"]
    outreach = load_handler("outreach")
    shown = call(outreach, request("GET", f"/v1/risk-warnings/{warning_id}",
                                   who=("taxpayer", code(1)),
                                   resource="/v1/risk-warnings/{warning_id}",
                                   params={"warning_id": warning_id}))["json"]
    assert (shown["source"], shown["case_id"], shown["tax_office"]) == (
        "indicator", announced.detail["case_id"], FUZHOU)
    assert shown["trail"][0]["by"] == "indicator:zero-return-while-invoicing"
    answered = call(outreach, request(
        "POST", f"/v1/risk-warnings/{warning_id}/responses", who=("taxpayer", code(1)),
        body={"action": "correct", "text": "已更正申报。"}, key="k-answer",
        resource="/v1/risk-warnings/{warning_id}/responses",
        params={"warning_id": warning_id}))
    assert answered["json"]["state"] == "corrected"


def test_a_small_scale_taxpayer_over_the_standard_and_a_quarterly_nil_return_are_warned(
        store: Store) -> None:
    """41 (small-scale) invoices ¥460,000 without tax each month from 2026-01 to 2026-12:
    ¥5,520,000 in twelve months; 42 (general) the same; 43 (small-scale) files a nil return
    for 2026-Q4 while invoicing in October and November. An invoice announced before the
    store kept amounts (a file of 2026-01 without the column) counts for nothing."""
    events = [registered(41, kind="small_scale"), registered(42),
              registered(43, kind="small_scale")]
    for m in range(1, 13):
        for seller in (41, 42):
            events.append(invoice(100 * seller + m, seller, f"2026-{m:02d}-15", 51_980_000,
                                  amount_fen=46_000_000))
    events += [invoice(4301, 43, "2026-10-09", 30_900, amount_fen=30_000),
               invoice(4302, 43, "2026-11-09", 20_600, amount_fen=20_000)]
    events += [filed(43, 0, 0, "2026-Q4", "vat_small_scale")]
    compacted(store, events)
    body = warnings(("officer", "officer-fz", FUZHOU), month="2026-12")["json"]
    shown = {(w["indicator"], w["taxpayer"]): w["figures"] for w in body["warnings"]}
    assert set(shown) == {("small-scale-over-threshold", code(41)),
                          ("zero-return-while-invoicing", code(43))}
    over = shown[("small-scale-over-threshold", code(41))]
    assert (over["invoiced_amount_fen"], over["standard_fen"]) == (552_000_000, 500_000_000)
    assert over["first_month"] == "2026-01"
    assert over["months"]["2026-06"] == 46_000_000
    assert shown[("zero-return-while-invoicing", code(43))] == {
        "period": "2026-Q4", "declared_sales_fen": 0, "tax_due_fen": 0,
        "invoiced_fen": 51_500, "invoices": 2}

    # January's file written before the store kept amounts: read, its amounts NULL
    [(january, _)] = store.partitions("tables/invoices/v1/", "2026-01-15", "2026-01-15")
    with tempfile.TemporaryDirectory() as folder:
        old, new = Path(folder) / "old.parquet", Path(folder) / "new.parquet"
        old.write_bytes(store.get(january))
        duckdb.execute(f"COPY (SELECT * EXCLUDE (amount_fen) FROM read_parquet('{old}')) "  # noqa: S608
                       f"TO '{new}' (FORMAT parquet)")
        store.put(january, new.read_bytes(), "application/octet-stream")
    body = warnings(("officer", "officer-fz", FUZHOU), month="2026-12",
                    indicator="small-scale-over-threshold")["json"]
    [warning] = body["warnings"]
    assert warning["figures"]["invoiced_amount_fen"] == 506_000_000  # eleven months
    assert warning["figures"]["months"]["2026-01"] == 0


OIL, STEEL, PAPER = "1070101010100000000", "1080201000000000000", "1050101000000000000"


def test_goods_a_trader_sold_without_buying_them_are_warned_by_category(store: Store) -> None:
    """51, a wholesaler, sells oil (¥150,000) and steel (¥120,000) in November and bought steel
    from 52 in September: oil is warned, steel is not. 53, a retailer, bought the oil it sells
    in January; 54 makes metal goods (its inputs become other goods); 55 sells paper on an
    invoice then voided. Only 51 is warned."""
    events = [registered(51, industry="批发业"), registered(52, industry="批发业"),
              registered(53, industry="零售业"), registered(54, industry="金属制品业"),
              registered(55, industry="零售业")]
    events += [invoice(5101, 51, "2026-11-10", 16_950_000, buyer=code(60), amount_fen=15_000_000,
                       lines=[(OIL, 15_000_000)]),
               invoice(5102, 51, "2026-11-12", 13_560_000, buyer=code(60), amount_fen=12_000_000,
                       lines=[(STEEL, 12_000_000)]),
               invoice(5201, 52, "2026-09-03", 11_300_000, buyer=code(51), amount_fen=10_000_000,
                       lines=[(STEEL, 10_000_000)]),
               invoice(5202, 52, "2026-01-20", 2_260_000, buyer=code(53), amount_fen=2_000_000,
                       lines=[(OIL, 2_000_000)]),
               invoice(5301, 53, "2026-11-15", 22_600_000, buyer=code(60), amount_fen=20_000_000,
                       lines=[(OIL, 20_000_000)]),
               invoice(5401, 54, "2026-11-15", 22_600_000, buyer=code(60), amount_fen=20_000_000,
                       lines=[(STEEL, 20_000_000)]),
               invoice(5501, 55, "2026-11-16", 22_600_000, buyer=code(60), amount_fen=20_000_000,
                       lines=[(PAPER, 20_000_000)]),
               invoice(5501, 55, "2026-11-17", 22_600_000, "InvoiceVoided", buyer=code(60))]
    compacted(store, events)
    body = warnings(("officer", "officer-fz", FUZHOU), month=MONTH,
                    indicator="goods-sold-never-bought")["json"]
    [warning] = body["warnings"]
    assert warning["taxpayer"] == code(51)
    assert warning["figures"] == {"categories": [{"category": "10701", "sold_fen": 15_000_000}],
                                  "sold_fen": 15_000_000, "first_month": "2025-12"}
