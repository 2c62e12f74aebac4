"""The public paths' classes and the figures that protect them, in one table
(docs/decisions/0016-edge-protection.md).

Every route served without sign-in (and the lottery scan, the busiest signed-in public path)
belongs to one class below. Each class gets, from :mod:`infra.platform.api`:

* a per-method throttle on the stage (``rate`` requests per second steady, ``burst``) for each
  of its routes, so that a flood on one class is refused at its own limit, before it takes the
  account's API Gateway quota from signed-in filing and payment (every other method keeps the
  stage default, ``THROTTLE_RATE``/``THROTTLE_BURST``);
* outside ``local``, a WAF rate-based rule counting each client IP's requests to the class's
  routes over five minutes (``per_ip``; :mod:`infra.platform.waf`); partners have none: a bank
  or a message gateway calls from a few addresses at volume, and is limited per API key instead;
* on ``local``, which has no WAF, the same ``per_ip`` counted by the functions serving the class
  (:mod:`infra.platform.limits`, :mod:`etax.platform.limits`), and for a class with
  ``per_identity`` (the lottery scan) each signed-in subject's requests too; outside ``local``
  WAF counts ``per_identity`` per bearer token (the ``Authorization`` header), which names one
  subject;
* outside ``local``, the API Gateway cache for its GET routes when ``cache_seconds`` is set
  (answers that do not depend on the caller, keyed by the path parameters);
* outside ``local``, when ``partners`` is set, a usage plan with one API key per partner
  (``x-api-key``) required on its routes, throttled per key (``partner_rate``/``partner_burst``);
  API Gateway accepts any of the stage's keys on any key-requiring route, so the routes' own
  signatures, not the key, decide who may confirm what (ADR 0016).

The figures are assumptions stated here, not measured in a region: docs/benchmarks.md measures
each public route's cost (a verification is one DynamoDB call and 20 ms in-process, a lottery
scan six calls and 55 ms, a credit-code check one GetItem), and LocalStack's requests per
second are not a region's. What the figures keep true, and tests/infra/test_edge_protection.py
checks: all public methods at their limits together use at most ``PUBLIC_SHARE`` of the
account's regional API Gateway quota (``ACCOUNT_RPS``, AWS's default), which leaves the rest
to signed-in callers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etax.platform.limits import Limit

ACCOUNT_RPS = 10_000  # API Gateway's default steady-state quota per account and region
PUBLIC_SHARE = 0.6  # what every public method at its limit may use of it, together
WINDOW_SECONDS = 300  # the five minutes ``per_ip`` and ``per_identity`` count over


@dataclass(frozen=True, slots=True)
class RouteClass:
    name: str  # also the WAF rule's and its metric's name: letters only
    routes: tuple[str, ...]  # "METHOD /path" exactly as the boards route them
    rate: int  # per method, requests per second (steady)
    burst: int  # per method
    per_ip: int | None  # WAF: requests per client IP per five minutes, all routes of the class
    per_identity: int | None = None  # requests per signed-in caller per five minutes
    cache_seconds: int = 0  # API Gateway cache TTL of its GET routes (0: not cached)
    partners: tuple[str, ...] = ()  # one API key each (usage plan), required on its routes
    partner_rate: int = 0  # per API key, requests per second
    partner_burst: int = 0


ROUTE_CLASSES: tuple[RouteClass, ...] = (
    # C10 and certificates: one DynamoDB call a check; people and offices checking invoices
    # (720 a second per method: 60 went to the tax school's sessions, 60 to the app square,
    # 40 to the school's courses and library)
    RouteClass("Verification",
               ("POST /v1/invoices/verify", "POST /v1/invoices/qr/parse",
                "GET /v1/certificates/{number}/verify"),
               rate=720, burst=1440, per_ip=300),
    # C11: six DynamoDB calls a scan (one transaction); signed-in, but everyone's
    RouteClass("LotteryScan", ("POST /v1/lottery/scan",), rate=500, burst=1000, per_ip=300,
               per_identity=300),
    # A3: pure computation, no DynamoDB (80 a second per method: 60 went to open data, 60
    # to the guide)
    RouteClass("Calculators",
               ("POST /v1/tools/iit/withholding", "POST /v1/tools/iit/annual",
                "POST /v1/tools/iit/bonus", "POST /v1/tools/vat",
                "POST /v1/tools/vehicle-vessel", "POST /v1/tools/departure-refund"),
               rate=80, burst=160, per_ip=600),
    # A3: the service guide, data and filing's calendar in memory (no DynamoDB); not cached:
    # its deadlines and figures depend on the day
    RouteClass("Guide", ("GET /v1/guide",), rate=60, burst=120, per_ip=600),
    # B4: the public credit-code check, one GetItem
    RouteClass("Registration", ("GET /v1/registration/verify/{credit_code}",),
               rate=300, burst=600, per_ip=300),
    # published, caller-independent answers (keys, specification, catalogue, campaigns, the
    # API's contract, the open data sets' releases); cached five minutes, so 40 a second per
    # method is many clients, and the share it frees is what the knowledge boards' public
    # routes take
    RouteClass("Reference",
               ("GET /v1/keys", "GET /v1/invoices/spec", "GET /v1/applications/items",
                "GET /v1/lottery/campaigns/{campaign_id}", "GET /v1/openapi.json",
                "GET /v1/docs", "GET /v1/open-data/datasets",
                "GET /v1/open-data/datasets/{dataset_id}",
                "GET /v1/open-data/datasets/{dataset_id}/releases/{month}"),
               rate=40, burst=80, per_ip=1500, cache_seconds=300),
    # the lottery's period export and liveness: public, not cached (an export changes when
    # its period closes; liveness must be live); a period's export is read by a few
    # auditors, liveness by monitors
    RouteClass("Consultation",
               ("GET /v1/lottery/campaigns/{campaign_id}/periods/{index}/export",
                "GET /v1/health"),
               rate=40, burst=80, per_ip=1500),
    # E18: a field document checked by the taxpayer an inspector shows it to (two GetItems
    # and the signature checked); one check an inspection, so few: the 20 req/s the
    # Consultation class gave up
    RouteClass("FieldDocuments", ("GET /v1/field-documents/{number}/verify",),
               rate=20, burst=40, per_ip=300),
    # D13: the regulations library, read by anyone (a Query or two a read); not cached: an
    # answer depends on its as_of and on versions published since
    RouteClass("Regulations",
               ("GET /v1/regulations/works", "GET /v1/regulations/works/{work_id}"),
               rate=100, burst=200, per_ip=1500),
    # E16: a knowledge-base article, read by anyone (a GetItem and a Query per cited work);
    # not cached: a flag or a review changes it at once
    RouteClass("KnowledgeArticles", ("GET /v1/kb/articles/{id}",),
               rate=100, burst=200, per_ip=1500),
    # D13/E16: Chinese search, an in-memory index (no DynamoDB) but the heaviest computation
    # of a public read; not cached: an answer changes when the index is rebuilt
    RouteClass("Search", ("GET /v1/regulations/search", "GET /v1/kb/search"),
               rate=100, burst=200, per_ip=600),
    # E16: 12366 consultation, asked by anyone (a handful of DynamoDB writes a question, the
    # answer from an in-process index); feedback, hot questions and figures
    RouteClass("Questions",
               ("POST /v1/consult/ask", "POST /v1/consult/answers/{answer_id}/feedback",
                "GET /v1/consult/hot", "GET /v1/consult/figures"),
               rate=50, burst=100, per_ip=300),
    # A1: crowd help's questions, read by anyone (a Query, or a Query and a BatchGetItem)
    RouteClass("Crowd",
               ("GET /v1/crowd/questions", "GET /v1/crowd/questions/{question_id}"),
               rate=70, burst=140, per_ip=1500),
    # A2: the idea space, read by anyone (a Query of its listing, or a GetItem and a Query);
    # the 60 req/s the crowd's reads gave up
    RouteClass("Ideas",
               ("GET /v1/ideas", "GET /v1/ideas/similar", "GET /v1/ideas/{idea_id}"),
               rate=20, burst=40, per_ip=1500),
    # E17: the tax school's schedule, a session's seats, a completion certificate checked
    # (a Query, a GetItem, or a GetItem and the signature checked)
    RouteClass("School",
               ("GET /v1/school/sessions", "GET /v1/school/sessions/{session_id}",
                "GET /v1/school/certificates/{number}/verify"),
               rate=20, burst=40, per_ip=1500),
    # E17: the school's courses (a Query, or a GetItem and a Query), the library searched (a
    # GetItem and an in-memory index) and read, a document's download link (an UpdateItem
    # counting it, a presigned GET)
    RouteClass("SchoolCourses",
               ("GET /v1/school/courses", "GET /v1/school/courses/{course_id}",
                "GET /v1/school/library", "GET /v1/school/library/{document_id}",
                "POST /v1/school/library/{document_id}/downloads"),
               rate=24, burst=48, per_ip=600),
    # A3: the app square's public list and apps (a Query or two; the search filters the
    # listing in memory), and a download link (a transaction counting it, a presigned GET)
    RouteClass("Apps",
               ("GET /v1/apps", "GET /v1/apps/{app_id}",
                "POST /v1/apps/{app_id}/versions/{version}/downloads"),
               rate=20, burst=40, per_ip=600),
    # D12: the serious violators list and the audit-case announcements, read by anyone (one
    # Query of a sparse index, or one GetItem); not cached: a removed entry leaves at once
    RouteClass("Violators",
               ("GET /v1/credit/violators", "GET /v1/credit/violators/{case_id}",
                "GET /v1/violators/announcements"),
               rate=15, burst=30, per_ip=1500),
    # D12: anonymous reports, filed and followed by tracking code and secret (a GetItem and
    # an scrypt hash a follow; a PutItem a report); few, and a flood is spam: a low rate
    RouteClass("Reports",
               ("POST /v1/reports", "GET /v1/reports/{tracking_code}",
                "POST /v1/reports/{tracking_code}/rating"),
               rate=5, burst=10, per_ip=60),
    # D12: the public A-list of a year's credit ratings, one Query on a sparse index a page
    RouteClass("CreditList", ("GET /v1/credit/a-list",), rate=30, burst=60, per_ip=1500),
    # D12: the service ratings' published aggregates (one Query per kind of service); read
    # by the curious, not by machines: the last 10 req/s of the public share
    RouteClass("FeedbackResults", ("GET /v1/feedback/results",), rate=10, burst=20,
               per_ip=1500),
    # B5: payment providers' signed callbacks, one partner per payment method
    RouteClass("PaymentCallbacks", ("POST /v1/filing/callbacks/{method}",),
               rate=200, burst=400, per_ip=None,
               partners=("bank_transfer", "pos", "online_banking", "mobile_banking",
                         "third_party"),
               partner_rate=50, partner_burst=100),
    # C10 and E16: the WeChat-style and SMS-style message platforms' webhooks (signed by their
    # token), verification's and consultation's; per method one key's rate
    RouteClass("MessageChannels",
               ("GET /v1/channels/wechat", "POST /v1/channels/wechat", "POST /v1/channels/sms",
                "GET /v1/consult/channels/wechat", "POST /v1/consult/channels/wechat",
                "POST /v1/consult/channels/sms"),
               rate=100, burst=200, per_ip=None,
               partners=("wechat", "sms"), partner_rate=100, partner_burst=200),
)


def route_class(method: str, path: str) -> RouteClass | None:
    """The class of ``METHOD /path``, if it has one."""
    route = f"{method} {path}"
    return next((c for c in ROUTE_CLASSES if route in c.routes), None)


def limit_of(route_class: RouteClass) -> Limit:
    """The figures the functions count for a class where no WAF does (``local``)."""
    assert route_class.per_ip is not None, f"{route_class.name} has no per-IP limit"
    return Limit(route_class.name, route_class.routes, route_class.per_ip, WINDOW_SECONDS,
                 route_class.per_identity)


def path_pattern(path: str) -> str:
    """A regular expression for the URI path WAF sees for ``path`` (``{param}``: one segment),
    behind the stage's name (``/api``) or a custom domain's base path, or none."""
    parts = re.split(r"\{[^}]+\}", path)
    return "^(/[^/]+)?" + "[^/]+".join(re.escape(p) for p in parts) + "/?$"


def public_rps() -> int:
    """Every classified method at its per-method limit, together (requests per second)."""
    return sum(c.rate * len(c.routes) for c in ROUTE_CLASSES)
