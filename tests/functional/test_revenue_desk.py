"""The revenue desk over moto (docs/analytics.md#the-revenue-desk): payments and registrations
compacted into the store, then read through the analytics handler — revenue by industry, a
month's movements and the taxpayers behind them, the yearly plans and their progress against
the time progress, the charts as SVG, and the daily briefing to the officers subscribed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest

from etax.analytics.desk import RevenueDesk
from etax.analytics.profile import Profiles
from etax.analytics.store import Store
from etax.errors import Invalid
from tests.functional.conftest import LambdaContext, load_handler
from tests.functional.test_analytics import compacted
from tests.functional.test_risk import api, code, registered, store

__all__ = ["store"]  # the risk tests' fixture, used here

FUZHOU, XIAMEN = "13501000000", "13502000000"
PERSON = "350102199003071234"
ADMIN = ("admin", "admin-1")
FZ = ("officer", "officer-fz", FUZHOU)
XM = ("officer", "officer-xm", XIAMEN)
TODAY = date(2026, 12, 1)  # day 335 of 365


def payment(n: int, taxpayer: str, fen: int, day: str, *, tax: str = "vat",
            office: str = FUZHOU) -> dict[str, Any]:
    at = f"{day}T03:00:00Z"
    return {"id": f"pay{n}", "source": "tax.filing", "detail-type": "PaymentConfirmed",
            "time": at, "detail": {
                "payment_id": f"p{n}", "obligation_id": f"ob{n}", "taxpayer": taxpayer,
                "tax_type": tax, "period": day[:7], "amount_fen": fen,
                "method": "bank_transfer", "confirmed_at": at, "office": office}}


def fill(store: Store) -> None:
    compacted(store, [
        registered(1, FUZHOU, "零售业"), registered(2, FUZHOU, "软件和信息技术服务业"),
        registered(3, XIAMEN, "零售业"),
        payment(1, code(1), 100_000, "2026-10-15"), payment(2, code(2), 50_000, "2026-10-15"),
        payment(3, code(1), 300_000, "2026-11-20"), payment(4, code(2), 20_000, "2026-11-20"),
        payment(5, code(3), 70_000, "2026-11-20", office=XIAMEN),
        payment(6, PERSON, 9_000, "2026-11-21", tax="iit_annual"),
    ])


def ok(answer: dict[str, Any], status: int = 200) -> dict[str, Any]:
    assert answer["statusCode"] == status, answer
    shown: dict[str, Any] = answer.get("json") or {}
    return shown


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's and the 360° view's day: :data:`TODAY` (Asia/Shanghai)."""
    monkeypatch.setattr(RevenueDesk, "today", lambda self: TODAY)
    monkeypatch.setattr(Profiles, "today", lambda self: TODAY)


def test_revenue_by_industry_takes_each_payer_s_registered_industry(store: Store) -> None:
    fill(store)
    shown = ok(api("GET", "/v1/analytics/revenue", ADMIN,
                   query={"from": "2026-11", "to": "2026-11", "by": "industry"}))
    assert {r["key"]: r["amount_fen"] for r in shown["rows"]} == {
        "零售业": 370_000, "软件和信息技术服务业": 20_000, "unknown": 9_000}
    fuzhou = ok(api("GET", "/v1/analytics/revenue", FZ,
                    query={"from": "2026-11", "to": "2026-11", "by": "industry"}))
    assert {r["key"]: r["amount_fen"] for r in fuzhou["rows"]}["零售业"] == 300_000


def test_a_month_s_movement_is_explained_by_its_taxpayers(store: Store) -> None:
    fill(store)
    shown = ok(api("GET", "/v1/analytics/revenue/movements", FZ, query={"month": "2026-11"}))
    assert (shown["month"], shown["against_month"], shown["office"]) == ("2026-11", "2026-10",
                                                                         FUZHOU)
    assert (shown["before_fen"], shown["after_fen"], shown["change_fen"]) == (150_000, 329_000,
                                                                              179_000)
    assert shown["change_bp"] == 11_933
    movers = [(m["taxpayer"], m["change_fen"], m["change_bp"]) for m in shown["movers"]]
    assert movers[:2] == [(code(1), 200_000, 20_000), (code(2), -30_000, -6000)]
    [(person, change, bp)] = movers[2:]
    assert person.startswith("p:")
    assert PERSON not in person
    assert (change, bp) == (9_000, None)  # nothing paid before: no ratio
    top = ok(api("GET", "/v1/analytics/revenue/movements", FZ,
                 query={"month": "2026-11", "top": "1"}))
    assert [m["taxpayer"] for m in top["movers"]] == [code(1)]
    national = ok(api("GET", "/v1/analytics/revenue/movements", ADMIN,
                      query={"month": "2026-11", "against": "previous-year"}))
    assert (national["against_month"], national["before_fen"], national["after_fen"]) == (
        "2025-11", 0, 399_000)
    xiamen = ok(api("GET", "/v1/analytics/revenue/movements", XM, query={"month": "2026-11"}))
    assert [m["taxpayer"] for m in xiamen["movers"]] == [code(3)]


@pytest.mark.parametrize(("query", "field"), [
    ({}, "month"), ({"month": "2026-13"}, "month"),
    ({"month": "2026-11", "against": "last-week"}, "against"),
    ({"month": "2026-11", "top": "0"}, "top"), ({"month": "2026-11", "top": "51"}, "top"),
    ({"month": "2026-11", "top": "９"}, "top"), ({"month": "2026-11", "top": "9" * 400}, "top"),
])
def test_bad_movement_parameters_name_the_field(store: Store, query: dict[str, str],
                                                field: str) -> None:
    answer = api("GET", "/v1/analytics/revenue/movements", ADMIN, query=query)
    assert answer["statusCode"] == 422, answer
    assert answer["json"]["field"] == field


PLAN = "/v1/analytics/revenue-plans/{year}/{office}"


def set_plan(who: tuple[str, ...] | None, body: Any, key: str, year: str = "2026",
             office: str = FUZHOU) -> dict[str, Any]:
    return api("PUT", f"/v1/analytics/revenue-plans/{year}/{office}", who, body=body, key=key,
               resource=PLAN, params={"year": year, "office": office})


def test_a_plan_s_progress_is_measured_against_the_time_progress(store: Store,
                                                                  clock: None) -> None:
    fill(store)
    first = ok(set_plan(ADMIN, {"taxes": {"vat": "9000.00", "iit_annual": "1000"},
                                "reason": "年初下达"}, "k1"))
    assert (first["revision"], first["plan_fen"], first["taxes"]) == (
        1, 1_000_000, {"iit_annual": 100_000, "vat": 900_000})
    again = ok(set_plan(ADMIN, {"taxes": {"vat": "9000.00", "iit_annual": "1000"},
                                "reason": "年初下达"}, "k1"))
    assert again == first  # the same key: the first answer, nothing written twice
    second = ok(set_plan(ADMIN, {"taxes": {"vat": "10000.00", "iit_annual": "1000.00"},
                                 "reason": "年中调整"}, "k2"))
    assert (second["revision"], second["plan_fen"]) == (2, 1_100_000)

    shown = ok(api("GET", "/v1/analytics/revenue-plans/2026", FZ, resource=
                   "/v1/analytics/revenue-plans/{year}", params={"year": "2026"}))
    assert (shown["as_of"], shown["elapsed_days"], shown["days"],
            shown["time_progress_bp"]) == ("2026-12-01", 335, 365, 9178)
    [office] = shown["offices"]
    assert office["office"] == FUZHOU
    assert (office["plan_fen"], office["collected_fen"], office["progress_bp"]) == (
        1_100_000, 479_000, 4355)
    assert office["expected_fen"] == 1_100_000 * 335 // 365
    assert office["gap_fen"] == 479_000 - 1_100_000 * 335 // 365
    assert office["plan_revision"] == 2
    assert {t["tax"]: t["progress_bp"] for t in office["taxes"]} == {"iit_annual": 900,
                                                                     "vat": 4700}

    national = ok(api("GET", "/v1/analytics/revenue-plans/2026", ADMIN, resource=
                      "/v1/analytics/revenue-plans/{year}", params={"year": "2026"}))
    by_office = {o["office"]: o for o in national["offices"]}
    assert (by_office[XIAMEN]["plan_fen"], by_office[XIAMEN]["collected_fen"]) == (None,
                                                                                    70_000)
    history = ok(api("GET", f"/v1/analytics/revenue-plans/2026/{FUZHOU}", FZ, resource=PLAN,
                     params={"year": "2026", "office": FUZHOU}))
    assert [(r["revision"], r["reason"], r["set_by"]) for r in history["revisions"]] == [
        (1, "年初下达", "admin-1"), (2, "年中调整", "admin-1")]
    other = api("GET", f"/v1/analytics/revenue-plans/2026/{FUZHOU}", XM, resource=PLAN,
                params={"year": "2026", "office": FUZHOU})
    assert other["statusCode"] == 404  # another office's plan is not shown, nor said to exist


@pytest.mark.parametrize(("who", "year", "office", "body", "status", "field"), [
    (FZ, "2026", FUZHOU, {"taxes": {"vat": "1.00"}}, 403, None),
    (ADMIN, "1999", FUZHOU, {"taxes": {"vat": "1.00"}}, 422, "year"),
    (ADMIN, "2026", "1350100000", {"taxes": {"vat": "1.00"}}, 422, "office"),
    (ADMIN, "2026", FUZHOU, {"taxes": {"gst": "1.00"}}, 422, "taxes.gst"),
    (ADMIN, "2026", FUZHOU, {"taxes": {"vat": "1.234"}}, 422, "taxes.vat"),
    (ADMIN, "2026", FUZHOU, {"taxes": {"vat": 1.5}}, 422, "taxes.vat"),
    (ADMIN, "2026", FUZHOU, {"taxes": {"vat": "-5"}}, 422, "taxes.vat"),
    (ADMIN, "2026", FUZHOU, {"taxes": {}}, 422, "taxes"),
    (ADMIN, "2026", FUZHOU, {"taxes": {"vat": "1"}, "owner": "x"}, 422, "owner"),
])
def test_a_bad_plan_is_refused_naming_the_field(store: Store, who: tuple[str, ...], year: str,
                                                office: str, body: Any, status: int,
                                                field: str | None) -> None:
    answer = set_plan(who, body, "k-bad", year, office)
    assert answer["statusCode"] == status, answer
    if field:
        assert answer["json"]["field"] == field


def _svg(answer: dict[str, Any]) -> ET.Element:
    assert answer["statusCode"] == 200, answer
    assert answer["headers"]["Content-Type"] == "image/svg+xml"
    return ET.fromstring(answer["body"])  # noqa: S314 (our own answer, in a test)


def test_the_charts_are_svg_of_the_same_figures(store: Store, clock: None) -> None:
    fill(store)
    ok(set_plan(ADMIN, {"taxes": {"vat": "10000.00"}}, "k-chart"))
    drawn = _svg(api("GET", "/v1/analytics/charts/revenue", ADMIN,
                     query={"from": "2026-11", "to": "2026-11", "by": "industry"}))
    texts = [t.text for t in drawn.iter("{http://www.w3.org/2000/svg}text")]
    assert "零售业" in texts
    assert "3700.00" in texts
    assert "unknown" in texts
    plan = _svg(api("GET", "/v1/analytics/charts/plan", FZ, query={"year": "2026"}))
    texts = [t.text for t in plan.iter("{http://www.w3.org/2000/svg}text")]
    assert "序时进度 91.78%" in texts
    assert any(t == "47.00% of 10000.00" for t in texts)  # vat 4,700.00 of 10,000.00
    refused = api("GET", "/v1/analytics/charts/plan", FZ, query={"year": "later"})
    assert (refused["statusCode"], refused["json"]["field"]) == (422, "year")
    taxpayer = api("GET", "/v1/analytics/charts/revenue", ("taxpayer", code(1)),
                   query={"from": "2026-11", "to": "2026-11"})
    assert taxpayer["statusCode"] == 403


def test_the_daily_briefing_reaches_the_subscribed_officers_once_a_day(
        store: Store, published: list[Any], clock: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fill(store)
    ok(set_plan(ADMIN, {"taxes": {"vat": "10000.00"}}, "k-brief"))
    assert api("GET", "/v1/analytics/briefings/me", FZ)["statusCode"] == 404
    subscribed = ok(api("PUT", "/v1/analytics/briefings/me", FZ))
    assert (subscribed["officer"], subscribed["office"]) == ("officer-fz", FUZHOU)
    assert ok(api("PUT", "/v1/analytics/briefings/me", FZ)) == subscribed  # kept as it was
    assert ok(api("GET", "/v1/analytics/briefings/me", FZ)) == subscribed
    assert api("PUT", "/v1/analytics/briefings/me", ADMIN)["statusCode"] == 403

    briefing = load_handler("analytics_briefing")
    listed: list[str] = []  # the store's partitions listed: once, for the whole year
    partitions = Store.partitions

    def counted(self: Store, prefix: str, first_day: str, last_day: str) -> Any:
        listed.append(prefix)
        return partitions(self, prefix, first_day, last_day)

    monkeypatch.setattr(Store, "partitions", counted)
    done = briefing.handler({"day": "2026-11-20"}, LambdaContext())
    assert len(listed) == 1
    assert done == {"day": "2026-11-20", "offices": 1, "notifications": 1}
    [event] = published
    assert event.detail_type == "RevenueBriefing"
    assert (event.detail["day_fen"], event.detail["payments"], event.detail["month_fen"],
            event.detail["year_fen"], event.detail["plan_fen"]) == (320_000, 2, 320_000,
                                                                   470_000, 1_000_000)
    note = event.detail["notification"]
    assert (note["recipient"], note["id"]) == ("officer-fz",
                                               f"revenue-briefing:{FUZHOU}:2026-11-20")
    assert "11月20日入库 3200.00 元（2 笔）" in note["body"]
    assert "完成 47.00%" in note["body"]
    assert "序时进度 88.77%" in note["body"]

    assert ok(api("DELETE", "/v1/analytics/briefings/me", FZ), 204) == {}
    assert api("DELETE", "/v1/analytics/briefings/me", FZ)["statusCode"] == 404
    published.clear()
    assert briefing.handler({"day": "2026-11-21"}, LambdaContext())["notifications"] == 0
    assert published == []
    with pytest.raises(Invalid) as refused:
        briefing.handler({"day": "2026-02-30"}, LambdaContext())
    assert refused.value.field == "day"


# -- the 360° view and the key enterprises ----------------------------------------------------

def registry_record(credit_code: str, office: str = FUZHOU) -> None:
    from etax.acceptance.registration.records import RegistrationRecord, Status, TaxpayerType
    from etax.acceptance.registration.repository import RegistryRepository

    RegistryRepository().put_unless_stale(RegistrationRecord(
        credit_code=credit_code, name="福州示例零售有限公司", status=Status.ACTIVE,
        registration_date=date(2020, 1, 2), tax_office_code=office,
        tax_office_name="国家税务总局福州市税务局", taxpayer_type=TaxpayerType.GENERAL,
        legal_representative="张三", address="福州市鼓楼区", industry="零售业", revision=1,
        updated_at="2026-01-01T00:00:00+00:00"))


def invoice_event(n: int, seller: str, buyer: str, fen: int, day: str,
                  kind: str = "InvoiceIssued") -> dict[str, Any]:
    return {"id": f"inv{n}-{kind}", "source": "tax.invoices", "detail-type": kind,
            "time": f"{day}T02:00:00Z",
            "detail": {"number": f"2635{n:016d}", "type": "81", "issue_date": day,
                       "seller_credit_code": seller, "buyer_id": buyer,
                       "total_fen": fen, "channel": "web"}}


ENTERPRISE = "/v1/analytics/enterprises/{credit_code}"
KEY = "/v1/analytics/key-enterprises/{credit_code}"


def test_an_enterprise_seen_whole_by_its_office(store: Store, clock: None) -> None:
    from etax.analytics.cases import case_of
    from etax.analytics.repository import RiskCases
    from etax.analytics.risk import Warning
    from etax.credit.repository import CreditRepository
    from etax.credit.results import Rating

    fill(store)
    registry_record(code(1))
    compacted(store, [invoice_event(1, code(1), code(2), 113_000, "2026-11-03"),
                      invoice_event(2, code(1), code(2), -13_000, "2026-11-09", "InvoiceRedIssued"),
                      invoice_event(3, code(2), code(1), 50_000, "2026-10-12")])
    CreditRepository().put_rating(Rating(
        credit_code=code(1), name="福州示例零售有限公司", year=2025, level="A", score="95.0",
        start=100, provisional=False, as_of="2026-04-01", deductions=[], direct_d=[], no_a=[],
        evaluated_at="2026-04-01T00:00:00+00:00"), FUZHOU)
    case = case_of(Warning("invoicing-spike", code(1), "2026-11", "零售业", FUZHOU,
                           {"invoiced_fen": 100_000}, {}), "2026-12-01T00:00:00Z")
    assert RiskCases().open(case)

    shown = ok(api("GET", f"/v1/analytics/enterprises/{code(1)}", FZ, resource=ENTERPRISE,
                   params={"credit_code": code(1)}))
    assert shown["months"] == ["2026-01", "2026-12"]
    assert (shown["registration"]["name"], shown["registration"]["tax_office"]["code"]) == (
        "福州示例零售有限公司", FUZHOU)
    assert shown["rating"] == {"year": 2025, "level": "A", "score": "95.0", "provisional": False}
    months = {m["month"]: m for m in shown["invoicing"]}
    assert len(months) == 12
    assert (months["2026-11"]["issued"], months["2026-11"]["issued_fen"]) == (1, 100_000)
    assert (months["2026-10"]["received"], months["2026-10"]["received_fen"]) == (1, 50_000)
    assert [(p["period"], p["amount_fen"]) for p in shown["payments"]] == [
        ("2026-11", 300_000), ("2026-10", 100_000)]  # the newest first
    assert [(c["id"], c["indicator"]) for c in shown["risk_cases"]] == [
        (case["id"], "invoicing-spike")]
    assert shown["key_enterprise"] is None

    # kept among the office's key enterprises, with a note; listed; no longer
    marked = ok(api("PUT", f"/v1/analytics/key-enterprises/{code(1)}", FZ, resource=KEY,
                    params={"credit_code": code(1)}, body={"note": "年纳税千万元以上"}))
    assert (marked["office"], marked["marked_by"], marked["note"]) == (FUZHOU, "officer-fz",
                                                                      "年纳税千万元以上")
    again = ok(api("PUT", f"/v1/analytics/key-enterprises/{code(1)}", ADMIN, resource=KEY,
                   params={"credit_code": code(1)}, body={}))
    assert again == marked  # a mark already there is kept as it was
    listed = ok(api("GET", "/v1/analytics/key-enterprises", FZ))
    assert [(i["credit_code"], i["name"]) for i in listed["items"]] == [
        (code(1), "福州示例零售有限公司")]
    viewed = ok(api("GET", f"/v1/analytics/enterprises/{code(1)}", FZ, resource=ENTERPRISE,
                    params={"credit_code": code(1)}))
    assert viewed["key_enterprise"]["note"] == "年纳税千万元以上"
    assert ok(api("DELETE", f"/v1/analytics/key-enterprises/{code(1)}", FZ, resource=KEY,
                  params={"credit_code": code(1)}), 204) == {}
    assert ok(api("GET", "/v1/analytics/key-enterprises", FZ))["items"] == []


@pytest.mark.parametrize(("who", "credit_code", "status", "field"), [
    (XM, "registered", 404, None),  # another office's: as if it did not exist
    (FZ, "unregistered", 404, None),
    (FZ, "91350100M000100Y4X", 422, "credit_code"),  # a wrong check character
    (FZ, "９1350100M000100Y43", 422, "credit_code"),
    (("taxpayer", "registered"), "registered", 403, None),
    (None, "registered", 401, None),
])
def test_the_360_view_is_for_the_enterprise_s_office(store: Store, who: Any, credit_code: str,
                                                     status: int, field: str | None) -> None:
    registry_record(code(1))
    chosen = {"registered": code(1), "unregistered": code(9)}.get(credit_code, credit_code)
    caller = (who[0], code(1)) if who and who[1] == "registered" else who
    for method, path, resource in (("GET", f"/v1/analytics/enterprises/{chosen}", ENTERPRISE),
                                   ("PUT", f"/v1/analytics/key-enterprises/{chosen}", KEY),
                                   ("DELETE", f"/v1/analytics/key-enterprises/{chosen}", KEY)):
        answer = api(method, path, caller, resource=resource, params={"credit_code": chosen},
                     body={} if method == "PUT" else None)
        assert answer["statusCode"] == status, (method, answer)
        if field:
            assert answer["json"]["field"] == field


@pytest.mark.parametrize(("who", "query", "field"), [
    (ADMIN, {}, "office"), (ADMIN, {"office": "135"}, "office"),
    (FZ, {"office": XIAMEN}, "office"),
])
def test_a_key_enterprise_list_names_its_office(store: Store, who: Any, query: dict[str, str],
                                                field: str) -> None:
    answer = api("GET", "/v1/analytics/key-enterprises", who, query=query)
    assert (answer["statusCode"], answer["json"]["field"]) == (422, field)
