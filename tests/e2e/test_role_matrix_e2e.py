"""Every cell of the role matrix (tests/role_matrix.py) against the local stack over HTTP.

Once per module a record of each kind is made, owned by a company registered for the test
(taxpayer A, Fuzhou office) or by a natural person registered for the test (P, Fuzhou): an
application with a confirmed document, an issued invoice, a lottery draw, a filing obligation
with its return and a confirmed payment, a refund case, an invoice-supply application, a
certificate, an inbox item. Then, for each route, every role's token sends the route's request
about that record; an ``own`` cell is sent again by another party of the same role (taxpayer
B, person Q), which must be refused. A route's cells that differ are reported together, as a
table; every 4xx answer must be application/problem+json."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from etax.analytics.cases import case_of
from etax.analytics.repository import RiskCases
from etax.analytics.risk import Warning
from etax.platform.dynamo import to_item
from etax.rules import uscc
from etax.rules.dates import business_date, utc_stamp
from tests.e2e.test_acceptance_e2e import PDF, add_document, confirm, person_id, post_form
from tests.e2e.test_apps_e2e import declare as declare_version
from tests.e2e.test_apps_e2e import package, published_version, uploaded_version
from tests.e2e.test_apps_e2e import register as register_app
from tests.e2e.test_filing_e2e import master, provider_confirms
from tests.e2e.test_lottery_e2e import campaign_body, issue, register_seller, scan, wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_refunds_e2e import account, filed_iit, register
from tests.e2e.test_school_courses_e2e import course as school_course
from tests.e2e.test_school_courses_e2e import file_body, published_courseware, shelved, slides
from tests.role_matrix import MATRIX, ROLES

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

__all__ = ["master"]  # the payment callback's key (a fixture of test_filing_e2e)

A = uscc.complete("91350100MA2R7M8X1")   # registered here (Fuzhou), with an issuing quota
B = uscc.complete("91350100MA2R7M8Y1")   # another enterprise of the office, for ``own``
P, Q = person_id(901), person_id(902)    # Fuzhou residents; P registers here
FUZHOU, XIAMEN = "13501000000", "13502000000"
IDENTITIES: dict[str, tuple[str, str, str | None] | None] = {
    "public": None,
    "taxpayer": ("taxpayer", A, None),
    "person": ("taxpayer", P, None),
    "officer": ("officer", "officer-fz-0001", FUZHOU),
    "other_office": ("officer", "officer-xm-0001", XIAMEN),
    "partner": ("partner", "bank-minjiang-demo", None),
    "developer": ("developer", "dev-appsquare-0001", None),
    "admin": ("admin", "admin-0001", None),
}
OTHERS = {"taxpayer": ("taxpayer", B, None), "person": ("taxpayer", Q, None)}
DELIVERY = {"recipient": "林晓明", "phone": "13800000000", "address": "福建省福州市鼓楼区五四路1号"}
REGULATION = "iit-annual-bonus-2023-30"  # a seeded work of the regulations library
C = uscc.complete("91350100MA2R7M8W1")   # crowd help: an asker and answerer of no column
V = uscc.complete("91350100MA2R7M8T1")   # the violators list: a party of no column (Fuzhou)
CROWD_QUESTION = {"body": "角色矩阵示例问题的正文。", "topic": "iit", "post_anyway": True}
COMPLAINT = {"kind": "service_attitude", "title": "角色矩阵示例投诉",
             "facts": "角色矩阵示例：办税服务厅窗口未按规定一次性告知所需资料。"}
SURVEY = {"title": "角色矩阵示例调查", "closes_on": "2099-12-31", "questions": [
    {"id": "overall", "kind": "scale", "prompt": "总体满意度", "min": 1, "max": 5}]}
RISK_MONTH = "2024-02"  # the watch-list's case of the matrix (no test runs this month)
OK_REFUSALS = {400, 409, 422}  # "ok": the route's logic answered about the request or state


def post(api: str, path: str, who: dict[str, str], body: Any) -> dict[str, Any]:
    answer = requests.post(f"{api}{path}", json=body, timeout=60,
                           headers={**who, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code in (200, 201, 202), (path, answer.text)
    shown: dict[str, Any] = answer.json()
    return shown


@pytest.fixture(scope="module")
def records(api: str, aws: Any, stack: dict[str, Any], master: bytes) -> dict[str, Any]:
    """One record of each kind, made once: ids by name, and the invoice for bodies."""
    register_seller(aws, stack, A, "福州角色矩阵示例有限公司")
    register_seller(aws, stack, B, "福州角色矩阵另一示例有限公司")
    a = bearer(token(api, "taxpayer", A))
    p = bearer(token(api, "taxpayer", P))
    admin = bearer(token(api, "admin", "admin-0001"))
    register(api, p, P, FUZHOU)
    notification = f"role-matrix:{uuid.uuid4().hex[:12]}"   # delivered while the rest is made
    post(api, "/v1/notifications", admin, {"id": notification, "recipient": A,
                                            "kind": "platform.welcome", "title": "欢迎",
                                            "body": "Welcome to e-tax."})

    application = post(api, "/v1/applications", a, {
        "item": "nonprofit_tax_exemption", "details": {"organisation_type": "社会团体"}})
    auth = a["Authorization"].removeprefix("Bearer ")
    document = add_document(api, auth, application["id"], "articles_of_association")
    assert post_form(document["upload"], PDF, "章程.pdf").status_code in (200, 201, 204)
    assert confirm(api, auth, application["id"], document["document"]["id"]).status_code == 200

    invoice = issue(api, a, P)
    drawn = scan(api, p, invoice, "wx-role-matrix-0001")
    assert drawn.status_code == 201, drawn.text

    obligation = post(api, "/v1/filing/obligations", a,
                      {"taxpayer": A, "tax_type": "vat", "period": "2025-06"})
    oid = obligation["obligation_id"]
    filed = post(api, f"/v1/filing/obligations/{oid}/return", a, {
        "kind": "vat_general",
        "data": {"sales": [{"amount": "100000", "rate": "0.13"}], "input_tax": "1000"}})
    payment = post(api, f"/v1/filing/obligations/{oid}/payments", a,
                   {"method": "pos", "amount": filed["liability"]["outstanding"]})
    assert provider_confirms(api, master, payment).status_code == 200

    # filed and paid long after the deadline: a fault of the year, corrected, to repair
    repair = post(api, "/v1/credit/repairs", a, {"year": 2025,
                                                 "indicator": "FILING_LATE",
                                                 "record": f"filing:{oid}"})
    run = post(api, "/v1/credit/evaluations", admin, {"year": 2025, "segments": 1})
    filed_iit(api, p, P)
    case = post(api, "/v1/refunds", p, {"kind": "iit_annual", "year": 2025, "account": account()})
    supply = post(api, "/v1/invoice-supplies", a, {
        "kind": "paper", "invoice_type": "04", "quantity": 10, "delivery": DELIVERY})
    certificate = post(api, "/v1/certificates", a, {
        "kind": "tax_residency", "year": 2025, "country": "SG", "purpose": "享受中新税收协定待遇"})
    drafter = bearer(token(api, "officer", "officer-fz-0002", FUZHOU))  # not a column's officer
    regulation = post(api, f"/v1/regulations/works/{REGULATION}/drafts", drafter, {
        "act": {"title": "关于修改示例公告的公告", "document_number": "角色矩阵示例2026年第1号",
                "issued": "2026-11-01"},
        "changes": [{"action": "amend", "article": 1, "text": "角色矩阵示例文本",
                     "summary": True}]})
    handed = post(api, "/v1/me/consult/ask", p, {"question": "我的退税到哪一步了"})
    assert handed["outcome"] == "handed_off", handed
    crowd = crowd_records(api, a, bearer(token(api, "taxpayer", C)))
    for subscriber in (a, p):  # the columns' own subscriptions, read by GET /v1/me/…
        assert requests.post(f"{api}/v1/subscriptions", json={"topics": ["vat"]}, timeout=60,
                             headers=subscriber).status_code == 200
    fuzhou = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    mailing = post(api, "/v1/mailings", fuzhou, {**MAILING, "title": "角色矩阵示例推送"})
    warning = post(api, "/v1/risk-warnings", fuzhou, {**WARNING, "taxpayer": A})
    violators = violator_records(api, aws, stack, drafter)
    complaint = post(api, "/v1/complaints", a, {**COMPLAINT, "office": FUZHOU})
    report = post(api, "/v1/reports", {}, {**COMPLAINT, "kind": "violation", "reported": A})
    survey = post(api, "/v1/surveys", fuzhou, SURVEY)
    consent = post(api, "/v1/consents", a, consent_terms())  # to the partner column's bank
    risk_case = open_risk_case(aws, stack)
    office = office_records(api, aws, stack, drafter, fuzhou, admin)
    ideas = idea_records(api, a, bearer(token(api, "taxpayer", C)), drafter)
    school = {**school_records(api, fuzhou), **course_records(api, fuzhou, a)}
    apps = app_records(api, drafter)
    wait_for("the inbox item", lambda: entries_with(api, a, notification) or None)
    return {**crowd, **violators, **office, **ideas, **school, **apps,
        "credit_code": A, "resident_id": P, "application_id": application["id"],
        "document_id": document["document"]["id"], "invoice": invoice,
        "campaign_id": stack["DemoLotteryCampaign"], "obligation_id": oid,
        "payment_id": payment["payment_id"], "method": "pos", "case_id": case["id"],
        "supply_id": supply["id"], "certificate": certificate["number"],
        "notification": notification, "draft_id": regulation["id"],
        "answer_id": handed["answer_id"], "handoff_id": handed["handoff_id"],
        "mailing_id": mailing["id"], "warning_id": warning["id"],
        "complaint_id": complaint["id"], "tracking_code": report["tracking_code"],
        "report_secret": report["secret"], "survey_id": survey["id"],
        "repair_id": repair["id"], "run_id": run["id"], "consent_id": consent["consent_id"],
        "risk_case": risk_case,
    }


def open_risk_case(aws: Any, stack: dict[str, Any]) -> str:
    """A case of A on the watch-list (Fuzhou), written as a month's run writes it: the run
    itself is the risk test's (tests/e2e/test_risk_e2e.py); the matrix is about who reaches
    the case."""
    found = Warning("zero-return-while-invoicing", A, RISK_MONTH, "零售业", FUZHOU,
                    {"declared_sales_fen": 0, "tax_due_fen": 0, "invoiced_fen": 100_000,
                     "invoices": 1}, {"returns": [f"{A}#vat#{RISK_MONTH}"]})
    case = case_of(found, datetime.now(UTC).isoformat(timespec="seconds"))
    RiskCases(stack["AnalyticsTableName"], aws("dynamodb")).open(case)
    return str(case["id"])


def office_records(api: str, aws: Any, stack: dict[str, Any], drafter: dict[str, str],
                   fuzhou: dict[str, str], admin: dict[str, str]) -> dict[str, str]:
    """A field document for A, drafted by another officer and countersigned by the column's;
    a shift to come (for an officer of no column) to remove; an alert sent to the column's
    officer, written as the alerts' consumer writes one (the alarm's path is the office
    test's: tests/e2e/test_office_e2e.py); an approval for the column's officer to review,
    and one of its own waiting for the other officer."""
    drafted = post(api, "/v1/office/field-documents", drafter, {
        "kind": "inspection_notice", "taxpayer": A, "matters": "角色矩阵示例检查事项",
        "period": {"from": "2025-01", "to": "2025-06"}})
    issued = post(api, f"/v1/office/field-documents/{drafted['id']}/countersign", fuzhou, None)
    later = today() + timedelta(hours=1)
    shift = post(api, "/v1/office/duty", admin, {
        "officer": "officer-fz-0003", "starts_at": later.isoformat(),
        "ends_at": (later + timedelta(hours=1)).isoformat()})
    alert_id = f"{today():%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:12]}"
    aws("dynamodb").put_item(TableName=stack["OfficeTableName"], Item=to_item({
        "pk": "alerts", "sk": alert_id, "alarm": "etax-local-RoleMatrixExample",
        "state": "ALARM", "old_state": "OK", "reason": "角色矩阵示例", "description": "",
        "changed_at": utc_stamp(today()),
        "recipients": ["officer-fz-0001"]}))
    to_review = post(api, "/v1/office/approvals", drafter, {
        "category": "document", "title": "角色矩阵示例请示", "body": "角色矩阵示例正文",
        "reviewers": ["officer-fz-0001"]})
    submitted = post(api, "/v1/office/approvals", fuzhou, {
        "category": "leave", "title": "角色矩阵示例请假", "body": "角色矩阵示例正文",
        "reviewers": ["officer-fz-0002"]})
    return {"field_document": drafted["id"], "field_number": issued["number"],
            "shift_id": shift["shift_id"], "alert_id": alert_id,
            "approval_to_review": to_review["id"], "approval_submitted": submitted["id"]}


def idea_records(api: str, a: dict[str, str], c: dict[str, str],
                 drafter: dict[str, str]) -> dict[str, str]:
    """The idea space: C's idea (to support, comment, decide, merge into), another of C's to
    hide, an officer's to merge, and the taxpayer column's own (to withdraw)."""
    def idea(who: dict[str, str], title: str) -> str:
        made = post(api, "/v1/ideas", who, {"title": title, "body": "角色矩阵示例创意的正文内容。",
                                            "category": "service"})
        return str(made["idea"]["id"])

    return {"idea": idea(c, "角色矩阵示例：办税大厅叫号提醒"),
            "idea_to_hide": idea(c, "角色矩阵示例：待隐藏的创意"),
            "idea_to_merge": idea(drafter, "角色矩阵示例：待合并的创意"),
            "own_idea": idea(a, "角色矩阵示例：纳税人自己的创意")}


SCHOOL_SESSION = {"title": "角色矩阵示例课程", "audience": "all", "place": "福州市税务局纳税人学堂",
                  "capacity": 30}


def school_records(api: str, fuzhou: dict[str, str]) -> dict[str, str]:
    """A session of the Fuzhou office a month ahead, open to all, with a place held by each
    learner column (taxpayer A, person P and the two officers: each gives its own up)."""
    starts = datetime.now(UTC) + timedelta(days=30)
    session = post(api, "/v1/school/sessions", fuzhou, {
        **SCHOOL_SESSION, "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat()})
    for role, subject, office in (("taxpayer", A, None), ("taxpayer", P, None),
                                  ("officer", "officer-fz-0001", FUZHOU),
                                  ("officer", "officer-xm-0001", XIAMEN)):
        post(api, f"/v1/school/sessions/{session['id']}/enrolments",
             bearer(token(api, role, subject, office)), None)
    return {"school_session": str(session["id"])}


def course_records(api: str, fuzhou: dict[str, str], a: dict[str, str]) -> dict[str, str]:
    """A course of the Fuzhou office open to all, with courseware 1 published (to download)
    and 2 declared (to publish: nothing uploaded); two of A's questions under it (one to
    answer, one to hide); a library document published (to read and download) and one
    declared (to publish)."""
    course_id = school_course(api, fuzhou, "角色矩阵示例课程", audience="all")
    published_courseware(api, fuzhou, course_id, slides("role matrix"))
    post(api, f"/v1/school/courses/{course_id}/courseware", fuzhou,
         file_body(slides("declared"), "lesson-1.pdf"))
    made = {"school_course": course_id}
    for name in ("school_question", "school_question_hide"):
        made[name] = post(api, f"/v1/school/courses/{course_id}/questions", a,
                          {"title": f"角色矩阵示例问题 {name}"})["id"]
    made["library_document"] = shelved(api, fuzhou, "角色矩阵示例资料",
                                       "角色矩阵示例资料的摘要文字。", slides("library"))
    made["library_declared"] = post(api, "/v1/school/library", fuzhou, {
        **file_body(slides("declared"), "guide.pdf", title="角色矩阵示例待发布资料"),
        "summary": "角色矩阵示例资料的摘要文字。", "category": "other"})["document"]["id"]
    return made


def app_records(api: str, drafter: dict[str, str]) -> dict[str, str]:
    """The developer column's app with 1.0.0 published (to read and download), 1.0.2
    published (to withdraw), 1.0.1 in review (to decide) and 9.9.9 declared (to submit:
    nothing uploaded); the reviewer is an officer of no column."""
    developer = bearer(token(api, "developer", "dev-appsquare-0001"))
    app_id = register_app(api, developer, "角色矩阵示例应用")
    for version in ("1.0.0", "1.0.2"):
        published_version(api, developer, drafter, app_id, version)
    assert uploaded_version(api, developer, app_id, "1.0.1").status_code == 200
    declared = declare_version(api, developer, app_id, "9.9.9", package("9.9.9"))
    assert declared.status_code == 201, declared.text
    return {"app_id": app_id}


def crowd_records(api: str, a: dict[str, str], c: dict[str, str]) -> dict[str, str]:
    """Crowd help: C's question with C's answer (votes, verification), another to hide with
    its answer, and A's question answered by C (A accepts)."""
    made: dict[str, str] = {}
    for name, asker in (("crowd", c), ("crowd_hide", c), ("crowd_own", a)):
        run = uuid.uuid4().hex[:8]
        question = post(api, "/v1/crowd/questions", asker,
                        {**CROWD_QUESTION, "title": f"角色矩阵示例问题 {name} {run}"})
        made[f"{name}_question"] = question["question"]["id"]
        made[f"{name}_answer"] = post(
            api, f"/v1/crowd/questions/{question['question']['id']}/answers", c,
            {"body": "角色矩阵示例回答。"})["id"]
    return made


MAILING = {"segment": {"topics": ["vat"], "provinces": ["35"], "taxpayer_types": ["general"]},
           "kind": "guide", "title": "角色矩阵示例", "body": "角色矩阵示例正文。"}

WARNING = {"topic": "invoice", "title": "角色矩阵示例风险提示", "detail": "角色矩阵示例。"}
def violator_case(served_on: str) -> dict[str, Any]:
    return {"credit_code": V, "decision_number": "角色矩阵示例〔2026〕1号",
            "served_on": served_on,
            "responsible": {"name": "王五", "resident_id": "350102199003071234"},
            "facts": {"false_special_invoices": 1}, "summary": "虚开增值税专用发票。",
            "legal_basis": "《中华人民共和国发票管理办法》第二十一条", "penalty": "处罚款"}


def violator_records(api: str, aws: Any, stack: dict[str, Any],
                     recorder: dict[str, str]) -> dict[str, str]:
    """The violators list: V's cases recorded by an officer of no column, one left pending (the
    column's officer approves it), two published by a third officer (one stays, one is
    removed)."""
    register_seller(aws, stack, V, "福州角色矩阵违法失信示例有限公司")
    approver = bearer(token(api, "officer", "officer-fz-0003", FUZHOU))
    served = business_date(today()).isoformat()
    made: dict[str, str] = {}
    for name in ("violator_pending", "violator_listed", "violator_removable"):
        made[name] = post(api, "/v1/violators/cases", recorder, violator_case(served))["id"]
        if name != "violator_pending":
            post(api, f"/v1/violators/cases/{made[name]}/approval", approver, {})
    return made


@dataclass(frozen=True)
class Request:
    """What a route is sent: its path's parameters and a minimal valid body."""

    params: dict[str, str]
    body: Any = None
    query: dict[str, str] | None = None
    headers: dict[str, str] | None = None


def today() -> datetime:
    return datetime.now(UTC)


def _invoice_query(r: dict[str, Any]) -> dict[str, str]:
    invoice = r["invoice"]
    return {"number": invoice["number"], "issue_date": invoice["issue_date"],
            "total": invoice["total"]}


def _temporary(_: dict[str, Any]) -> dict[str, Any]:
    start = business_date(today())
    return {"name": "陈小明（展会临时经营）", "business_address": "福州海峡国际会展中心",
            "business_scope": "茶叶展销", "tax_office_code": FUZHOU,
            "valid_from": start.isoformat(),
            "valid_until": (start + timedelta(days=10)).isoformat(),
            "contact_phone": "13800138000"}


def _application(r: dict[str, Any]) -> dict[str, str]:
    return {"application_id": r["application_id"]}


def _document(r: dict[str, Any]) -> dict[str, str]:
    return {"application_id": r["application_id"], "document_id": r["document_id"]}


def _number(r: dict[str, Any]) -> dict[str, str]:
    return {"number": r["invoice"]["number"]}


def _obligation(r: dict[str, Any]) -> dict[str, str]:
    return {"obligation_id": r["obligation_id"]}


def _payment(r: dict[str, Any]) -> dict[str, str]:
    return {"payment_id": r["payment_id"]}


def _case(r: dict[str, Any]) -> dict[str, str]:
    return {"case_id": r["case_id"]}


def _supply(r: dict[str, Any]) -> dict[str, str]:
    return {"application_id": r["supply_id"]}


def _certificate(r: dict[str, Any]) -> dict[str, str]:
    return {"number": r["certificate"]}


def _work(_: dict[str, Any]) -> dict[str, str]:
    return {"work_id": REGULATION}


def _draft(r: dict[str, Any]) -> dict[str, str]:
    return {"work_id": REGULATION, "draft_id": r["draft_id"]}


def _article(_: dict[str, Any]) -> dict[str, str]:
    """A seeded article of the knowledge base (the stack seeds base()); while the base is
    empty, an id of the wrong form, which the route's logic refuses with a 400."""
    from etax.knowledge.articles import base

    return {"id": base()[0].id if base() else "No-Article-Seeded"}
def _consult_answer(r: dict[str, Any]) -> dict[str, str]:
    return {"answer_id": r["answer_id"]}


def _handoff(r: dict[str, Any]) -> dict[str, str]:
    return {"handoff_id": r["handoff_id"]}
def _question(r: dict[str, Any]) -> dict[str, str]:
    return {"question_id": r["crowd_question"]}


def _answer(r: dict[str, Any]) -> dict[str, str]:
    return {"answer_id": r["crowd_answer"]}


def _mailing(r: dict[str, Any]) -> dict[str, str]:
    return {"mailing_id": r["mailing_id"]}


def _warning(r: dict[str, Any]) -> dict[str, str]:
    return {"warning_id": r["warning_id"]}
def _complaint(r: dict[str, Any]) -> dict[str, str]:
    return {"complaint_id": r["complaint_id"]}


def _survey(r: dict[str, Any]) -> dict[str, str]:
    return {"survey_id": r["survey_id"]}


def _report(r: dict[str, Any]) -> Callable[[Any], Request]:
    return lambda body: Request({"tracking_code": r["tracking_code"]}, body,
                                headers={"X-Report-Secret": r["report_secret"]})
def _repair(r: dict[str, Any]) -> dict[str, str]:
    return {"repair_id": r["repair_id"]}


def _run(r: dict[str, Any]) -> dict[str, str]:
    return {"run_id": r["run_id"]}


def consent_terms() -> dict[str, Any]:
    """A's consent to the partner column's bank (its agreement: etax/sharing/data)."""
    return {"partner": "bank-minjiang-demo", "scopes": ["rating", "tax_paid"],
            "purpose": "loan_precheck", "expires_at": (today() + timedelta(days=30)).isoformat()}


def _risk_case(r: dict[str, Any]) -> dict[str, str]:
    return {"case_id": r["risk_case"]}


def _consent(r: dict[str, Any]) -> dict[str, str]:
    return {"consent_id": r["consent_id"]}


def _field_document(r: dict[str, Any]) -> dict[str, str]:
    return {"document_id": r["field_document"]}


def _alert(r: dict[str, Any]) -> dict[str, str]:
    return {"alert_id": r["alert_id"]}


def _to_review(r: dict[str, Any]) -> dict[str, str]:
    return {"approval_id": r["approval_to_review"]}


def _submitted(r: dict[str, Any]) -> dict[str, str]:
    return {"approval_id": r["approval_submitted"]}


def _none(_: dict[str, Any]) -> dict[str, str]:
    return {}


Build = Callable[[dict[str, Any]], Request]


def static(body: Any = None, params: Callable[[dict[str, Any]], dict[str, str]] = _none,
           query: dict[str, str] | None = None) -> Build:
    return lambda r: Request(params(r), body, query)


def _app(r: dict[str, Any]) -> Request:
    return Request({"app_id": r["app_id"]})


def _course(r: dict[str, Any]) -> Request:
    return Request({"course_id": r["school_course"]})


def _school(r: dict[str, Any]) -> Request:
    return Request({"session_id": r["school_session"]})


REQUESTS: dict[str, Build] = {
    "GET /v1/health": static(),
    "GET /v1/me": static(),
    "POST /v1/auth/dev-token": static({"role": "developer", "subject": "dev-appsquare-0001"}),
    "GET /v1/auth/jwks.json": static(),
    "POST /v1/tools/iit/withholding": static({"monthly_gross": "30000"}),
    "POST /v1/tools/iit/annual": static({"income": "120000"}),
    "POST /v1/tools/iit/bonus": static({"bonus": "36000", "year": 2026}),
    "POST /v1/tools/vat": static({"taxpayer": "general", "input_tax": "20000",
                                  "sales": [{"amount": "100000", "rate": "0.13"}]}),
    "POST /v1/tools/vehicle-vessel": static({"province": "35", "vehicle_class": "passenger_car",
                                             "displacement_l": "1.998"}),
    "POST /v1/tools/departure-refund": static({"purchases": [
        {"amount": "1000", "vat_rate": "0.13", "store": "福州东街口百货", "date": "2026-11-20"}]}),
    "GET /v1/guide": static(query={"taxpayer_type": "small_scale",
                                   "matter": "vat-monthly-return"}),
    "GET /v1/registration/verify/{credit_code}": lambda r: Request({"credit_code": A}),
    "GET /v1/registration/records/{credit_code}": lambda r: Request({"credit_code": A}),
    "PATCH /v1/registration/records/{credit_code}": lambda r: Request(
        {"credit_code": A}, {"contact_phone": "0591-87654321"}),
    "POST /v1/registration/temporary": lambda r: Request({}, _temporary(r)),
    "POST /v1/registration/withholding-agents": static({
        "taxes": ["individual_income_tax"], "contact": {"name": "张会计", "phone": "13900139000"},
        "tax_office_code": FUZHOU}),
    "POST /v1/registration/natural-persons": static({
        "resident_id": P, "name": "陈小明", "bank_card": "622202020011003345",
        "phone": "13800138000", "tax_office_code": FUZHOU}),
    "GET /v1/registration/natural-persons/{resident_id}": lambda r: Request({"resident_id": P}),
    "GET /v1/applications/items": static(),
    "POST /v1/applications": static({"item": "rd_super_deduction"}),
    "GET /v1/applications": static(query={"state": "submitted"}),
    "GET /v1/applications/{application_id}": static(params=_application),
    "POST /v1/applications/{application_id}/documents": static(
        {"kind": "financial_statements", "filename": "报表.pdf",
         "content_type": "application/pdf"}, _application),
    "GET /v1/applications/{application_id}/documents/{document_id}": static(params=_document),
    "POST /v1/applications/{application_id}/documents/{document_id}/confirm":
        static(params=_document),
    "POST /v1/applications/{application_id}/submit": static(params=_application),
    "POST /v1/applications/{application_id}/decision": static({"decision": "approve"},
                                                               _application),
    "POST /v1/invoices": static({"buyer": {"name": "陈小明", "id_number": Q},
                                 "items": [{"name": "茶叶", "quantity": "1",
                                            "unit_price": "200.00", "tax_rate": "0.09"}],
                                 "channel": "mobile"}),
    "GET /v1/invoices": static(query={"direction": "received"}),
    "GET /v1/invoices/spec": static(),
    "GET /v1/keys": static(),
    "GET /v1/openapi.json": static(),
    "GET /v1/docs": static(),
    "GET /v1/invoices/{number}": static(params=_number),
    "GET /v1/invoices/{number}/document": static(params=_number),
    "POST /v1/invoices/{number}/red-letter": static({"reason": "开错"}, _number),
    "POST /v1/invoices/{number}/void": static(params=_number),
    "POST /v1/invoices/verify": lambda r: Request({}, _invoice_query(r)),
    "POST /v1/invoices/qr/parse": lambda r: Request({}, {"payload": r["invoice"]["qr"]}),
    "GET /v1/channels/wechat": static(query={"echostr": "hello"}),
    "POST /v1/channels/wechat": static("<xml><Content>HELP</Content></xml>"),
    "POST /v1/channels/sms": static({"from": "13800138000", "text": "HELP"}),
    "POST /v1/lottery/campaigns": lambda r: Request({}, campaign_body(
        f"role-matrix-{uuid.uuid4().hex[:6]}", "46", count=1, expected=10, daily=1)),
    "GET /v1/lottery/campaigns/{campaign_id}": lambda r: Request(
        {"campaign_id": r["campaign_id"]}),
    "GET /v1/lottery/campaigns/{campaign_id}/periods/{index}/export": lambda r: Request(
        {"campaign_id": r["campaign_id"], "index": "1"}),
    "POST /v1/lottery/scan": lambda r: Request({}, {
        **_invoice_query(r), "payout": {"method": "wechat", "account": "wx-role-matrix-0002"}}),
    "GET /v1/lottery/draws/{number}": static(params=_number),
    "POST /v1/filing/obligations": static({"taxpayer": A, "tax_type": "vat",
                                           "period": "2025-07"}),
    "GET /v1/filing/obligations": static(query={"taxpayer": A}),
    "GET /v1/filing/obligations/{obligation_id}": static(params=_obligation),
    "POST /v1/filing/obligations/{obligation_id}/return": static({
        "kind": "vat_general",
        "data": {"sales": [{"amount": "100000", "rate": "0.13"}], "input_tax": "1000"}},
        _obligation),
    "POST /v1/filing/obligations/{obligation_id}/payments": static(
        {"method": "pos", "amount": "1.00"}, _obligation),
    "GET /v1/filing/payments/{payment_id}": static(params=_payment),
    "GET /v1/filing/payments/{payment_id}/receipt": static(params=_payment),
    "POST /v1/filing/callbacks/{method}": lambda r: Request(
        {"method": r["method"]}, {"payment_id": r["payment_id"], "status": "success"}),
    "POST /v1/refunds": static({"kind": "iit_annual", "year": 2025,
                                "account": {"bank": "中国银行", "number": "6217000012345678"}}),
    "GET /v1/refunds": static(query={"tax_office": FUZHOU}),
    "GET /v1/refunds/{case_id}": static(params=_case),
    "POST /v1/refunds/{case_id}/approve": static({}, _case),
    "POST /v1/refunds/{case_id}/reject": static({"reason": "材料不全"}, _case),
    "POST /v1/invoice-supplies": static({"kind": "paper", "invoice_type": "04", "quantity": 10,
                                         "delivery": DELIVERY}),
    "GET /v1/invoice-supplies": static(query={"tax_office": FUZHOU}),
    "GET /v1/invoice-supplies/{application_id}": static(params=_supply),
    "POST /v1/invoice-supplies/{application_id}/decision": static(
        {"decision": "approve", "reason": "经营需要"}, _supply),
    "POST /v1/certificates": static({"kind": "tax_residency", "year": 2025, "country": "SG",
                                     "purpose": "享受中新税收协定待遇"}),
    "GET /v1/certificates/{number}": static(params=_certificate),
    "GET /v1/certificates/{number}/document": static(params=_certificate),
    "GET /v1/certificates/{number}/verify": static(params=_certificate),
    "GET /v1/me/inbox": static(),
    "POST /v1/me/inbox/read": lambda r: Request({}, {"ids": [r["notification"]]}),
    "GET /v1/me/notification-preferences": static(),
    "PUT /v1/me/notification-preferences": static({"channels": {}}),
    "POST /v1/notifications": lambda r: Request({}, {
        "id": f"role-matrix:{uuid.uuid4().hex[:12]}", "recipient": A,
        "kind": "platform.welcome", "title": "欢迎", "body": "Welcome to e-tax."}),
    "GET /v1/regulations/works": static(),
    "GET /v1/regulations/works/{work_id}": static(params=_work, query={"as_of": "2026-01-01"}),
    "GET /v1/regulations/search": static(query={"q": "个税"}),
    "GET /v1/kb/search": static(query={"q": "个税 汇算"}),
    "POST /v1/regulations/works/{work_id}/drafts": static({
        "act": {"title": "关于修改示例公告的公告", "document_number": "角色矩阵示例2026年第2号",
                "issued": "2026-11-01"},
        "changes": [{"action": "repeal", "article": 1}]}, _work),
    "GET /v1/regulations/works/{work_id}/drafts/{draft_id}": static(params=_draft),
    "POST /v1/regulations/works/{work_id}/drafts/{draft_id}/submit": static(params=_draft),
    "POST /v1/regulations/works/{work_id}/drafts/{draft_id}/approve": static(params=_draft),
    "POST /v1/regulations/works/{work_id}/drafts/{draft_id}/publish": static(
        {"valid_from": "2099-01-01"}, _draft),
    "GET /v1/kb/articles/{id}": static(params=_article),
    "GET /v1/kb/reviews": static(),
    # a current article: the officer's review is refused 409 (nothing to review)
    "POST /v1/kb/articles/{id}/review": static({"revision": 0, "decision": "confirm"},
                                               _article),
    "GET /v1/me/regulation-subscriptions": static(),
    "PUT /v1/me/regulation-subscriptions": static({"works": [REGULATION]}),
    "POST /v1/consult/ask": static({"question": "个税年度汇算什么时候截止？", "channel": "web"}),
    "POST /v1/consult/answers/{answer_id}/feedback": static({"helpful": True},
                                                           _consult_answer),
    "GET /v1/consult/hot": static(),
    "GET /v1/consult/figures": static(),
    "GET /v1/consult/channels/wechat": static(query={"echostr": "hello"}),
    "POST /v1/consult/channels/wechat": static("<xml><Content>个税</Content></xml>"),
    "POST /v1/consult/channels/sms": static({"from": "13800138000", "text": "个税"}),
    "POST /v1/me/consult/ask": static({"question": "个税年度汇算什么时候截止？"}),
    "GET /v1/consult/handoffs": static(),
    "GET /v1/consult/handoffs/{handoff_id}": static(params=_handoff),
    "POST /v1/consult/handoffs/{handoff_id}/claim": static(params=_handoff),
    "POST /v1/consult/handoffs/{handoff_id}/answer": static({"text": "已受理，请留意消息。"},
                                                            _handoff),
    "POST /v1/consult/handoffs/{handoff_id}/close": static(params=_handoff),
    "GET /v1/crowd/questions": static(query={"topic": "iit"}),
    "GET /v1/crowd/questions/{question_id}": static(params=_question),
    "POST /v1/crowd/questions": static({**CROWD_QUESTION, "title": "角色矩阵示例：提问"}),
    "POST /v1/crowd/questions/{question_id}/answers": static({"body": "角色矩阵示例回答"},
                                                             _question),
    "POST /v1/crowd/questions/{question_id}/votes": static({"value": 1}, _question),
    "POST /v1/crowd/answers/{answer_id}/votes": static({"value": 1}, _answer),
    "POST /v1/crowd/questions/{question_id}/accept": lambda r: Request(
        {"question_id": r["crowd_own_question"]}, {"answer_id": r["crowd_own_answer"]}),
    "GET /v1/crowd/me": static(),
    "POST /v1/crowd/questions/{question_id}/pin": static({"pinned": True}, _question),
    "POST /v1/crowd/questions/{question_id}/hide": lambda r: Request(
        {"question_id": r["crowd_hide_question"]}, {"reason": "角色矩阵示例"}),
    "POST /v1/crowd/answers/{answer_id}/hide": lambda r: Request(
        {"answer_id": r["crowd_hide_answer"]}, {"reason": "角色矩阵示例"}),
    "POST /v1/crowd/answers/{answer_id}/verify": static({}, _answer),
    "GET /v1/crowd/article-drafts": static(),
    "GET /v1/crowd/moderation": static(),
    "POST /v1/subscriptions": static({"topics": ["vat", "invoice"]}),
    "GET /v1/me/subscriptions": static(),
    "POST /v1/mailings/preview": static({"segment": MAILING["segment"]}),
    "POST /v1/mailings": static({**MAILING, "title": "角色矩阵示例：推送"}),
    "GET /v1/mailings/{mailing_id}": static(params=_mailing),
    "POST /v1/risk-warnings": lambda r: Request({}, {**WARNING, "taxpayer": r["credit_code"]}),
    "GET /v1/risk-warnings/{warning_id}": static(params=_warning),
    "POST /v1/risk-warnings/{warning_id}/responses": static(
        {"action": "explain", "text": "角色矩阵示例说明。"}, _warning),
    "POST /v1/risk-warnings/{warning_id}/close": static({"conclusion": "角色矩阵示例结论。"},
                                                        _warning),
    "GET /v1/me/risk-warnings": static(),
    "GET /v1/credit/violators": static(query={"office": FUZHOU}),
    "GET /v1/credit/violators/{case_id}": lambda r: Request({"case_id": r["violator_listed"]}),
    "GET /v1/violators/announcements": static(),
    "POST /v1/violators/cases": lambda r: Request({}, violator_case(
        business_date(today()).isoformat())),
    "GET /v1/violators/cases": static(),
    "GET /v1/violators/cases/{case_id}": lambda r: Request({"case_id": r["violator_listed"]}),
    "POST /v1/violators/cases/{case_id}/approval": lambda r: Request(
        {"case_id": r["violator_pending"]}, {}),
    "POST /v1/violators/cases/{case_id}/removal": lambda r: Request(
        {"case_id": r["violator_removable"]}, {"reason": "paid_in_full"}),
    "POST /v1/violators/announcements": lambda r: Request({}, {
        "case_id": r["violator_listed"], "title": "角色矩阵示例公告", "body": "角色矩阵示例。"}),
    "POST /v1/complaints": static({**COMPLAINT, "office": XIAMEN}),
    "GET /v1/complaints/{complaint_id}": static(params=_complaint),
    "GET /v1/me/complaints": static(),
    "POST /v1/complaints/{complaint_id}/rating": static({"rating": 5}, _complaint),
    "GET /v1/complaints": static(query={"state": "filed"}),
    "POST /v1/complaints/{complaint_id}/accept": static({}, _complaint),
    "POST /v1/complaints/{complaint_id}/refuse": static({"reason": "角色矩阵示例"}, _complaint),
    "POST /v1/complaints/{complaint_id}/answer": static(
        {"answer": "角色矩阵示例：已责令整改并告知。"}, _complaint),
    "POST /v1/reports": static({**COMPLAINT, "kind": "violation", "reported": A}),
    "GET /v1/reports/{tracking_code}": lambda r: _report(r)(None),
    "POST /v1/reports/{tracking_code}/rating": lambda r: _report(r)({"rating": 4}),
    "GET /v1/me/feedback": static(),
    # a score out of range: the invited roles reach the check (422), the others are refused
    "POST /v1/feedback/ratings": static({"invitation": "inv-none", "score": 0}),
    "GET /v1/feedback/results": static(query={"office": FUZHOU, "year": "2026"}),
    "POST /v1/surveys": static(SURVEY),
    "GET /v1/surveys": static(),
    "GET /v1/surveys/{survey_id}": static(params=_survey),
    "POST /v1/surveys/{survey_id}/responses": static({"answers": {"overall": 4}}, _survey),
    "GET /v1/credit/ratings/{credit_code}": lambda r: Request({"credit_code": A}),
    "GET /v1/credit/a-list": static(query={"year": "2025"}),
    "GET /v1/me/credit/preview": static(),
    "POST /v1/credit/repairs": static({"year": 2025, "indicator": "FILING_LATE",
                                       "record": "filing:none"}),
    "GET /v1/credit/repairs/{repair_id}": static(params=_repair),
    "POST /v1/credit/repairs/{repair_id}/decision": static(
        {"decision": "refuse", "reason": "角色矩阵示例"}, _repair),
    "POST /v1/credit/evaluations": static({"year": 2100}),
    "GET /v1/credit/evaluations/{run_id}": static(params=_run),
    "GET /v1/analytics/revenue": static(query={"from": "2026-12", "to": "2026-12"}),
    "GET /v1/analytics/risk-warnings": static(query={"month": "2026-11"}),
    # a month no test writes facts in: the run is real and opens nothing
    "POST /v1/analytics/risk-runs": static({"month": "2024-01"}),
    "GET /v1/analytics/risk-cases": static(query={"month": RISK_MONTH}),
    "GET /v1/analytics/risk-cases/{case_id}": static(params=_risk_case),
    # the column's officer judges it; the administrator after it is refused 409 (judged)
    "POST /v1/analytics/risk-cases/{case_id}/verdict": static(
        {"verdict": "false_alarm", "note": "角色矩阵示例。"}, _risk_case),
    "GET /v1/analytics/revenue/movements": static(query={"month": "2026-11"}),
    "GET /v1/analytics/revenue-plans/{year}": lambda r: Request({"year": "2025"}),
    # a year of the past no other test plans (the administrator's plan the next row reads)
    "PUT /v1/analytics/revenue-plans/{year}/{office}": lambda r: Request(
        {"year": "2025", "office": FUZHOU}, {"taxes": {"vat": "1000000.00"},
                                             "reason": "角色矩阵示例"}),
    "GET /v1/analytics/revenue-plans/{year}/{office}": lambda r: Request(
        {"year": "2025", "office": FUZHOU}),
    "GET /v1/analytics/charts/revenue": static(query={"from": "2026-11", "to": "2026-12"}),
    "GET /v1/analytics/charts/plan": static(query={"year": "2025"}),
    "PUT /v1/analytics/briefings/me": static(),
    "GET /v1/analytics/briefings/me": static(),
    "DELETE /v1/analytics/briefings/me": static(),
    "GET /v1/analytics/enterprises/{credit_code}": lambda r: Request({"credit_code": A}),
    "PUT /v1/analytics/key-enterprises/{credit_code}": lambda r: Request(
        {"credit_code": A}, {"note": "角色矩阵示例"}),
    # another office's officer names Fuzhou: 422 (an officer reads its own office's list)
    "GET /v1/analytics/key-enterprises": static(query={"office": FUZHOU}),
    "DELETE /v1/analytics/key-enterprises/{credit_code}": lambda r: Request({"credit_code": A}),
    "GET /v1/open-data/datasets": static(),
    "GET /v1/open-data/datasets/{dataset_id}": lambda r: Request(
        {"dataset_id": "revenue-by-tax"}),
    # a month that is not one: 422 for anyone (a released one is the open data test's)
    "GET /v1/open-data/datasets/{dataset_id}/releases/{month}": lambda r: Request(
        {"dataset_id": "revenue-by-tax", "month": "2026-13"}),
    "POST /v1/consents": lambda r: Request({}, consent_terms()),
    "GET /v1/me/consents": static(),
    "GET /v1/consents/{consent_id}": static(params=_consent),
    "GET /v1/consents/{consent_id}/reads": static(params=_consent),
    # authorised already: the owner's answer is refused 409
    "POST /v1/consents/{consent_id}/decision": static({"decision": "reject"}, _consent),
    "GET /v1/partner/taxpayers/{credit_code}/{scope}": lambda r: Request(
        {"credit_code": A, "scope": "rating"}),
    "POST /v1/partner/consents": lambda r: Request({}, {
        **{k: v for k, v in consent_terms().items() if k != "partner"}, "credit_code": B}),
    # a department's feed: the partner column is a bank, which has none (403)
    "GET /v1/partner/feed": static(),
    # last of the consent's rows: the owner revokes it
    "DELETE /v1/consents/{consent_id}": static(params=_consent),
    "POST /v1/office/field-documents": static({
        "kind": "inquiry_notice", "taxpayer": A, "matters": "角色矩阵示例询问事项",
        "appointment": {"at": (today() + timedelta(days=3)).isoformat(),
                        "place": "角色矩阵示例地点"}}),
    "GET /v1/office/field-documents/{document_id}": static(params=_field_document),
    "GET /v1/office/field-documents/{document_id}/document": static(params=_field_document),
    # countersigned already (by the column's officer): 409 for the officers of the office
    "POST /v1/office/field-documents/{document_id}/countersign": static(
        params=_field_document),
    "GET /v1/field-documents/{number}/verify": lambda r: Request(
        {"number": r["field_number"]}),
    "POST /v1/office/duty": static({
        "officer": "officer-fz-0004", "starts_at": (today() + timedelta(days=1)).isoformat(),
        "ends_at": (today() + timedelta(days=1, hours=8)).isoformat()}),
    "GET /v1/office/duty": static(),
    "GET /v1/office/alerts": static(),
    "GET /v1/office/alerts/{alert_id}": static(params=_alert),
    # the column's officer acknowledges it; the administrator after it is refused 409
    "POST /v1/office/alerts/{alert_id}/ack": static(params=_alert),
    # one of its inspectors withdraws it; the administrator after it is refused 409
    "POST /v1/office/field-documents/{document_id}/withdraw": static(
        {"reason": "角色矩阵示例撤回"}, _field_document),
    "DELETE /v1/office/duty/{shift_id}": lambda r: Request({"shift_id": r["shift_id"]}),
    "POST /v1/office/approvals": static({
        "category": "other", "title": "角色矩阵示例请示", "body": "角色矩阵示例正文",
        "reviewers": ["officer-fz-0002"]}),
    "GET /v1/office/approvals": static(query={"box": "to-review"}),
    "GET /v1/office/approvals/{approval_id}": static(params=_to_review),
    # the column's officer is its reviewer: approved, then 409 for whoever comes after
    "POST /v1/office/approvals/{approval_id}/decisions": static(
        {"decision": "approve"}, _to_review),
    # the column's officer's own approval, pending: 409 (only a returned one is resubmitted)
    "POST /v1/office/approvals/{approval_id}/resubmit": static({}, _submitted),
    "POST /v1/office/approvals/{approval_id}/withdraw": static(
        {"reason": "角色矩阵示例撤回"}, _submitted),
    "POST /v1/ideas": static({"title": "角色矩阵示例创意", "body": "角色矩阵示例创意的正文内容。",
                              "category": "other"}),
    "GET /v1/ideas": static(),
    "GET /v1/ideas/similar": static(query={"title": "角色矩阵示例创意"}),
    "GET /v1/ideas/hidden": static(),
    "GET /v1/ideas/{idea_id}": lambda r: Request({"idea_id": r["idea"]}),
    "GET /v1/me/ideas": static(),
    # C's idea: supported once a taxpayer (409 the second time), commented, decided (409: not
    # under review)
    "POST /v1/ideas/{idea_id}/supports": lambda r: Request({"idea_id": r["idea"]}),
    "POST /v1/ideas/{idea_id}/comments": lambda r: Request({"idea_id": r["idea"]},
                                                           {"body": "角色矩阵示例评论"}),
    "POST /v1/ideas/{idea_id}/decision": lambda r: Request({"idea_id": r["idea"]},
                                                           {"decision": "adopt"}),
    # hidden by the column's officer; 409 for the others after it
    "POST /v1/ideas/{idea_id}/hide": lambda r: Request({"idea_id": r["idea_to_hide"]},
                                                       {"reason": "角色矩阵示例隐藏"}),
    # merged into C's idea by the column's officer; 409 for the others after it
    "POST /v1/ideas/{idea_id}/merge": lambda r: Request({"idea_id": r["idea_to_merge"]},
                                                        {"into": r["idea"]}),
    # the taxpayer column's own idea
    "POST /v1/ideas/{idea_id}/withdraw": lambda r: Request({"idea_id": r["own_idea"]},
                                                           {"reason": "角色矩阵示例撤回"}),
    "POST /v1/school/sessions": lambda r: Request({}, {
        **SCHOOL_SESSION, "starts_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "ends_at": (datetime.now(UTC) + timedelta(days=30, hours=1)).isoformat()}),
    "GET /v1/school/sessions": static(),
    "GET /v1/school/sessions/{session_id}": _school,
    # each learner column holds a place (school_records): enrolling again is a 409, giving it
    # up a 200 (then enrolling a 201); the session has not started: attendance is a 409, an
    # evaluation too (no attendance), and nobody has a certificate yet
    "POST /v1/school/sessions/{session_id}/enrolments": _school,
    "DELETE /v1/school/sessions/{session_id}/enrolments/me": _school,
    "GET /v1/school/sessions/{session_id}/enrolments": _school,
    "POST /v1/school/sessions/{session_id}/attendance": lambda r: Request(
        {"session_id": r["school_session"]}, {"attended": [A]}),
    "POST /v1/school/sessions/{session_id}/evaluations": lambda r: Request(
        {"session_id": r["school_session"]}, {"score": 5}),
    "GET /v1/school/sessions/{session_id}/certificate": _school,
    "GET /v1/me/school": static(),
    "GET /v1/school/certificates/{number}/verify": static(
        params=lambda r: {"number": f"XT-{r['school_session']}-0001"}),
    "POST /v1/school/courses": static({
        "title": "角色矩阵示例课程二", "audience": "taxpayers",
        "summary": "角色矩阵示例课程的简介文字。",
        "lessons": [{"title": "第一讲", "minutes": 30}]}),
    "GET /v1/school/courses": static(),
    "GET /v1/school/courses/{course_id}": _course,
    # courseware 1 published (downloaded), 2 declared with nothing uploaded (publishing it is
    # a 409); a question of A's answered, another hidden by the column's officer (a 409 for
    # the administrator after it, or before it the other way round)
    "POST /v1/school/courses/{course_id}/courseware": lambda r: Request(
        {"course_id": r["school_course"]}, file_body(slides("again"), "lesson-1.pdf")),
    "POST /v1/school/courses/{course_id}/courseware/{number}/publish": lambda r: Request(
        {"course_id": r["school_course"], "number": "2"}),
    "POST /v1/school/courses/{course_id}/courseware/{number}/downloads": lambda r: Request(
        {"course_id": r["school_course"], "number": "1"}),
    "GET /v1/school/courses/{course_id}/questions": _course,
    "POST /v1/school/courses/{course_id}/questions": lambda r: Request(
        {"course_id": r["school_course"]}, {"title": "角色矩阵示例问题"}),
    "POST /v1/school/courses/{course_id}/questions/{question_id}/answers": lambda r: Request(
        {"course_id": r["school_course"], "question_id": r["school_question"]},
        {"body": "角色矩阵示例回答。"}),
    "POST /v1/school/courses/{course_id}/questions/{question_id}/hide": lambda r: Request(
        {"course_id": r["school_course"], "question_id": r["school_question_hide"]},
        {"reason": "角色矩阵示例隐藏"}),
    "GET /v1/school/library": static(query={"q": "角色矩阵"}),
    "POST /v1/school/library": static({
        **file_body(slides("another"), "guide.pdf", title="角色矩阵示例资料二"),
        "summary": "角色矩阵示例资料的摘要文字。", "category": "other"}),
    "GET /v1/school/library/{document_id}": lambda r: Request(
        {"document_id": r["library_document"]}),
    "POST /v1/school/library/{document_id}/publish": lambda r: Request(
        {"document_id": r["library_declared"]}),
    "POST /v1/school/library/{document_id}/downloads": lambda r: Request(
        {"document_id": r["library_document"]}),
    "POST /v1/apps": static({"name": "角色矩阵示例应用二", "category": "other",
                             "summary": "角色矩阵示例应用的简介文字。"}),
    "GET /v1/apps": static(query={"q": "角色矩阵"}),
    "GET /v1/apps/reviews": static(),
    "GET /v1/me/apps": static(),
    "GET /v1/apps/{app_id}": _app,
    # the developer column's own app (app_records): a version declared again (201), 9.9.9
    # submitted with nothing uploaded (409), 1.0.1 decided (200, then 409), 1.0.2 withdrawn
    # (200, then 409), 1.0.0 downloaded; rated once a taxpayer (then 409)
    "POST /v1/apps/{app_id}/versions": lambda r: Request({"app_id": r["app_id"]}, {
        "version": "9.9.9", "release_notes": "角色矩阵示例版本。", "filename": "ledger.zip",
        "content_type": "application/zip", "size": 100, "sha256": "a" * 64,
        "manifest": {"permissions": [], "apis": []}}),
    "POST /v1/apps/{app_id}/versions/{version}/submit": lambda r: Request(
        {"app_id": r["app_id"], "version": "9.9.9"}),
    "POST /v1/apps/{app_id}/versions/{version}/decision": lambda r: Request(
        {"app_id": r["app_id"], "version": "1.0.1"}, {"decision": "approve"}),
    "POST /v1/apps/{app_id}/versions/{version}/withdraw": lambda r: Request(
        {"app_id": r["app_id"], "version": "1.0.2"}, {"reason": "角色矩阵示例下架"}),
    "POST /v1/apps/{app_id}/versions/{version}/downloads": lambda r: Request(
        {"app_id": r["app_id"], "version": "1.0.0"}),
    "POST /v1/apps/{app_id}/ratings": lambda r: Request({"app_id": r["app_id"]}, {"score": 4}),
    "POST /v1/apps/{app_id}/reports": lambda r: Request({"app_id": r["app_id"]}, {
        "version": "1.0.0", "problem": "角色矩阵示例：导入发票时程序闪退。"}),
}


def test_every_route_of_the_matrix_has_its_request() -> None:
    assert list(REQUESTS) == list(MATRIX)


@pytest.fixture(scope="module")
def callers(api: str) -> dict[str, dict[str, str]]:
    """Each column's headers, and ``<role>:other`` for the other party of an ``own`` cell."""
    minted = {role: bearer(token(api, *identity)) if identity else {}
              for role, identity in IDENTITIES.items()}
    for role, identity in OTHERS.items():
        minted[f"{role}:other"] = bearer(token(api, *identity))
    return minted


def send(api: str, route: str, request: Request, who: dict[str, str]) -> requests.Response:
    method, path = route.split(" ", 1)
    for name, value in request.params.items():
        path = path.replace(f"{{{name}}}", value)
    assert "{" not in path, f"{route}: a parameter is not filled"
    body = request.body
    return requests.request(
        method, f"{api}{path}", params=request.query, timeout=60,
        headers={**who, **(request.headers or {}), "Idempotency-Key": str(uuid.uuid4())},
        **({"data": body.encode()} if isinstance(body, str) else {"json": body}))


def differs(expected: str, answer: requests.Response) -> str | None:
    """Why ``answer`` is not ``expected`` (an outcome of the matrix), or None."""
    status = answer.status_code
    if 400 <= status < 500 and answer.headers.get("Content-Type") != "application/problem+json":
        return f"a {status} that is not application/problem+json"
    if expected in ("ok", "own", "own-404"):
        return None if status < 400 or status in OK_REFUSALS else "not reached"
    return None if str(status) == expected else f"expected {expected}"


@pytest.mark.parametrize("route", list(MATRIX))
def test_every_cell_of_the_matrix_holds_on_the_stack(api: str, records: dict[str, Any],
                                                     callers: dict[str, dict[str, str]],
                                                     route: str) -> None:
    request = REQUESTS[route](records)
    cells: list[tuple[str, str, requests.Response, str]] = []
    for role in ROLES:
        expected = MATRIX[route][role]
        if expected == "n/a":
            continue
        answer = send(api, route, request, callers[role])
        cells.append((role, expected, answer, differs(expected, answer) or ""))
        if expected.startswith("own"):
            refused = "404" if expected == "own-404" else "403"
            other = send(api, route, request, callers[f"{role}:other"])
            cells.append((f"{role} (another's record)", refused, other,
                          differs(refused, other) or ""))
    wrong = [cell for cell in cells if cell[3]]
    assert not wrong, f"{route}: {len(wrong)} cell(s) differ from tests/role_matrix.txt\n" + (
        "\n".join(f"  {role:<28} expected {expected:<8} got {answer.status_code}  {why}: "
                  f"{answer.text[:160]}" for role, expected, answer, why in wrong))



def test_an_inbox_item_is_read_and_marked_by_its_recipient_alone(
        api: str, records: dict[str, Any], callers: dict[str, dict[str, str]]) -> None:
    """The inbox routes take no id in the path: each caller's own inbox answers, so another
    party's item is absent from it and unknown to its read marks (not a 403)."""
    nid = records["notification"]
    for role, who in callers.items():
        if role == "public":
            continue
        listed = requests.get(f"{api}/v1/me/inbox", params={"limit": "100"}, headers=who,
                              timeout=60)
        assert listed.status_code == 200, (role, listed.text)
        marked = requests.post(f"{api}/v1/me/inbox/read", json={"ids": [nid]}, headers=who,
                               timeout=60)
        assert marked.status_code == 200, (role, marked.text)
        mine = role == "taxpayer"
        assert (nid in [e["id"] for e in listed.json()["items"]]) is mine, role
        assert (marked.json()["unknown"] == [nid]) is not mine, (role, marked.json())
