"""The app square (plan action A3; rules in :mod:`etax.apps.rules`): apps registered, versions
declared with their package uploaded and checked, reviewed, published, found, downloaded
through expiring links, withdrawn, and rated."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Any

from etax.apps import packages, rules
from etax.apps.repository import AppRepository
from etax.apps.requests import (
    AppRequest,
    DecisionRequest,
    RatingRequest,
    ReportRequest,
    VersionRequest,
    WithdrawRequest,
)
from etax.apps.results import (
    App,
    AppList,
    AppVersion,
    CheckResult,
    Rated,
    ReviewItem,
    ReviewQueue,
    VersionDeclared,
)
from etax.apps.scanning import Scanner
from etax.errors import Invalid, Malformed, NotFound, Refused, StateChanged
from etax.platform.auth import Principal
from etax.platform.events import DomainEvent, Publisher
from etax.platform.uploads import Download, Uploads
from etax.rules.dates import utc_stamp

APP_ID = re.compile(r"app-[0-9a-f]{16}")
MAX_RESULTS = 50


@cache
def platform_routes() -> frozenset[str]:
    """Every route of the platform's API (its OpenAPI document, in the layer)."""
    document = json.loads(resources.files("etax.platform").joinpath("openapi.json")
                          .read_text("utf-8"))
    return frozenset(f"{method.upper()} {path}" for path, operations in
                     document["paths"].items() for method in operations
                     if method in ("get", "post", "put", "patch", "delete"))


def incoming_key(app_id: str, version: str, filename: str) -> str:
    return f"incoming/{app_id}/{version}/{filename}"


def package_key(app_id: str, version: str, filename: str) -> str:
    return f"packages/{app_id}/{version}/{filename}"


def _mean(app: dict[str, Any]) -> str | None:
    count = int(app.get("ratings", 0))
    if not count:
        return None
    return str((Decimal(int(app["score_sum"])) / count).quantize(Decimal("0.1"),
                                                                  rounding=ROUND_HALF_UP))


@dataclass
class AppService:
    repository: AppRepository
    uploads: Uploads
    scanner: Scanner
    publisher: Publisher
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    routes: Callable[[], frozenset[str]] = platform_routes

    # -- publishers -------------------------------------------------------------------------

    def register(self, principal: Principal, request: AppRequest) -> App:
        rules.may_publish(principal)
        app_id = f"app-{secrets.token_hex(8)}"
        self.repository.put_app(app_id, {
            "id": app_id, "name": request.name, "name_lower": request.name.casefold(),
            "category": request.category, "summary": request.summary,
            "owner": principal.subject, "owner_role": principal.role,
            "owner_office": principal.tax_office, "created_at": utc_stamp(self.now())})
        return self._shown(self._app(app_id), public=False)

    def declare(self, principal: Principal, app_id: str,
                request: VersionRequest) -> VersionDeclared:
        """A version and the form its package is uploaded with (S3 holds the upload to the
        declared type and exact size)."""
        self._own(principal, app_id)
        rules.check_routes(request.manifest.apis, self.routes())
        values = {"app_id": app_id, "version": request.version,
                  "release_notes": request.release_notes, "filename": request.filename,
                  "content_type": request.content_type, "size": request.size,
                  "sha256": request.sha256, "manifest": request.manifest.model_dump(),
                  "state": rules.AWAITING_UPLOAD, "downloads": 0,
                  "declared_at": utc_stamp(self.now())}
        if not self.repository.declare(app_id, values):
            raise StateChanged(f"version {request.version} was submitted already: declare a "
                               "new number", field="version")
        form = self.uploads.form(incoming_key(app_id, request.version, request.filename),
                                 request.content_type, request.size, min_bytes=request.size)
        return VersionDeclared(self._version(values, insider=True), form)

    def submit(self, principal: Principal, app_id: str, version: str) -> AppVersion:
        """The uploaded package checked: to review when every check passes; refused (422
        naming the field of the first failed check) otherwise, the checks kept."""
        self._own(principal, app_id)
        stored = self._stored_version(app_id, version)
        if stored["state"] != rules.AWAITING_UPLOAD:
            raise StateChanged(f"version {version} is {stored['state']}: only one awaiting "
                               "its upload is submitted", field="version")
        source = incoming_key(app_id, version, stored["filename"])
        checks = packages.inspect(self.uploads, source, stored, self.scanner, self.routes())
        if not checks:
            raise StateChanged("nothing was uploaded with the version's form yet",
                               field="package")
        at = utc_stamp(self.now())
        shown = [asdict(c) for c in checks]
        failed = [c for c in checks if not c.passed]
        if failed:
            self.repository.move(app_id, version, rules.AWAITING_UPLOAD,
                                 {"state": rules.FAILED_CHECKS, "checks": shown,
                                  "submitted_at": at})
            self.uploads.delete(source)  # after the write: a failure of it leaves the upload
            raise Invalid(f"{failed[0].name}: {failed[0].detail}", field=failed[0].field)
        if not self.uploads.move(
                source, package_key(app_id, version, stored["filename"]),
                lambda: self.repository.move(app_id, version, rules.AWAITING_UPLOAD,
                                             {"state": rules.IN_REVIEW, "checks": shown,
                                              "submitted_at": at, "in_review": "review"})):
            raise StateChanged("this version was submitted meanwhile", field="version")
        return self._version(self._stored_version(app_id, version), insider=True)

    def withdraw(self, principal: Principal, app_id: str, version: str,
                 request: WithdrawRequest) -> AppVersion:
        """The publisher (or an administrator) withdraws a published version."""
        app = self._app(app_id)
        if not (rules.owns(principal, app) or principal.role == "admin"):
            raise Refused("the app's publisher and administrators withdraw its versions")
        self._stored_version(app_id, version)
        others = [v["version"] for v in self.repository.versions(app_id)
                  if v["state"] == rules.PUBLISHED and v["version"] != version]
        latest = max(others, key=rules.version_key) if others else None
        self.repository.withdraw(app_id, version, utc_stamp(self.now()), principal.subject,
                                 request.reason, latest)
        return self._version(self._stored_version(app_id, version), insider=True)

    def mine(self, principal: Principal) -> AppList:
        return AppList([self._shown(a, public=False)
                        for a in self.repository.owned(principal.subject)
                        if a["owner_role"] == principal.role])

    # -- reviewers --------------------------------------------------------------------------

    def queue(self, principal: Principal) -> ReviewQueue:
        items = []
        for stored in self.repository.in_review():
            app = self._app(stored["app_id"])
            if not rules.owns(principal, app):
                items.append(ReviewItem(app["id"], app["name"],
                                        self._version(stored, insider=True)))
        return ReviewQueue(items)

    def decide(self, principal: Principal, app_id: str, version: str,
               request: DecisionRequest) -> AppVersion:
        app = self._app(app_id)
        rules.may_review(principal, app)
        self._stored_version(app_id, version)
        at = utc_stamp(self.now())
        if request.decision == "approve":
            published = [v["version"] for v in self.repository.versions(app_id)
                         if v["state"] == rules.PUBLISHED]
            latest = max([*published, version], key=rules.version_key)
            self.repository.publish(app_id, version, at, principal.subject,
                                    f"{app['name_lower']}#{app_id}", latest)
        else:
            if not request.reason:
                raise Invalid("a rejection gives its reason", field="reason")
            if not self.repository.move(app_id, version, rules.IN_REVIEW,
                                        {"state": rules.REJECTED, "decided_at": at,
                                         "decided_by": principal.subject,
                                         "reason": request.reason}, removes=("in_review",)):
                raise StateChanged("this version is no longer waiting for review",
                                   field="version")
        self._tell(app, version, request.decision, request.reason)
        return self._version(self._stored_version(app_id, version), insider=True)

    # -- the public -------------------------------------------------------------------------

    def search(self, q: str | None, category: str | None) -> AppList:
        """The listed apps whose name or summary holds ``q`` (case folded), of ``category``."""
        if category is not None and category not in rules.CATEGORIES:
            raise Malformed(f"category: one of {', '.join(rules.CATEGORIES)}", field="category")
        if q is not None and not 1 <= len(q) <= 40:
            raise Malformed("q: 1 to 40 characters", field="q")
        wanted = q.casefold() if q else None
        found = [a for a in self.repository.listed()
                 if (category is None or a["category"] == category)
                 and (wanted is None or wanted in a["name_lower"]
                      or wanted in a["summary"].casefold())]
        return AppList([self._shown(a, public=True) for a in found[:MAX_RESULTS]])

    def read(self, app_id: str) -> App:
        app = self._app(app_id)
        if "listed" not in app:
            raise NotFound("no such app", field="app_id")
        return self._shown(app, public=True)

    def download(self, app_id: str, version: str) -> Download:
        """An expiring link to a published version's package, counted."""
        stored = self.repository.version(app_id, version) if APP_ID.fullmatch(app_id) and \
            re.fullmatch(rules.VERSION_PATTERN, version) else None
        if stored is None or stored["state"] != rules.PUBLISHED or \
                not self.repository.count_download(app_id, version):
            raise NotFound("no such published version: a withdrawn one is no longer offered",
                           field="version")
        url = self.uploads.download_url(package_key(app_id, version, stored["filename"]),
                                        stored["filename"], rules.DOWNLOAD_SECONDS)
        return Download(url, rules.DOWNLOAD_SECONDS, stored["filename"], int(stored["size"]),
                        stored["sha256"])

    def rate(self, principal: Principal, app_id: str, request: RatingRequest) -> Rated:
        self.read(app_id)
        self.repository.rate(app_id, principal.subject,
                             {"score": request.score, "comment": request.comment,
                              "at": utc_stamp(self.now())})
        app = self._app(app_id)
        return Rated(request.score, int(app["ratings"]), _mean(app) or "")

    def report(self, principal: Principal, app_id: str, request: ReportRequest) -> AppVersion:
        """A taxpayer reports a published version broken; its publisher is told."""
        app = self.read(app_id)
        self.repository.report(app_id, request.version, principal.subject,
                               {"problem": request.problem, "at": utc_stamp(self.now())})
        stored = self._app(app_id)
        self.publisher.publish([DomainEvent("AppVersionReported", {
            "app_id": app_id, "version": request.version,
            "notification": {
                "id": f"app:{app_id}:{request.version}:report:{secrets.token_hex(6)}",
                "recipient": stored["owner"], "kind": "apps.reported",
                "title": "应用问题报告",
                "body": f"有用户报告《{app.name}》{request.version} 版的问题：{request.problem}",
                "link": f"/v1/apps/{app_id}"}})])
        return self._version(self._stored_version(app_id, request.version), insider=False)

    # -- helpers ----------------------------------------------------------------------------

    def _app(self, app_id: str) -> dict[str, Any]:
        app = self.repository.app(app_id) if APP_ID.fullmatch(app_id) else None
        if app is None:
            raise NotFound("no such app", field="app_id")
        return app

    def _own(self, principal: Principal, app_id: str) -> dict[str, Any]:
        app = self._app(app_id)
        if not rules.owns(principal, app):
            raise Refused("only the app's publisher changes it")
        return app

    def _stored_version(self, app_id: str, version: str) -> dict[str, Any]:
        stored = (self.repository.version(app_id, version)
                  if re.fullmatch(rules.VERSION_PATTERN, version) else None)
        if stored is None:
            raise NotFound("no such version of this app", field="version")
        return stored

    def _tell(self, app: dict[str, Any], version: str, decision: str,
              reason: str | None) -> None:
        words = (f"您的应用《{app['name']}》{version} 版已通过审核并发布。" if decision == "approve"
                 else f"您的应用《{app['name']}》{version} 版未通过审核：{reason}")
        self.publisher.publish([DomainEvent("AppVersionDecided", {
            "app_id": app["id"], "version": version, "decision": decision,
            "notification": {"id": f"app:{app['id']}:{version}:{decision}",
                             "recipient": app["owner"], "kind": f"apps.{decision}d",
                             "title": "应用审核结果", "body": words,
                             "link": f"/v1/apps/{app['id']}"}})])

    @staticmethod
    def _version(stored: dict[str, Any], *, insider: bool) -> AppVersion:
        return AppVersion(
            version=stored["version"], state=stored["state"],
            release_notes=stored["release_notes"], filename=stored["filename"],
            content_type=stored["content_type"], size=int(stored["size"]),
            sha256=stored["sha256"], manifest=stored["manifest"],
            downloads=int(stored.get("downloads", 0)), reports=int(stored.get("reports", 0)),
            declared_at=stored["declared_at"],
            submitted_at=stored.get("submitted_at"), decided_at=stored.get("decided_at"),
            reason=stored.get("reason") if insider or stored["state"] == rules.WITHDRAWN
            else None,
            checks=[CheckResult(**c) for c in stored["checks"]]
            if insider and stored.get("checks") else None)

    def _shown(self, app: dict[str, Any], *, public: bool) -> App:
        versions = [v for v in self.repository.versions(app["id"])
                    if not public or v["state"] == rules.PUBLISHED]
        return App(
            id=app["id"], name=app["name"], category=app["category"],
            category_name=rules.CATEGORIES[app["category"]], summary=app["summary"],
            publisher_kind="tax_office" if app["owner_role"] == "officer" else "developer",
            downloads=int(app.get("downloads", 0)), ratings=int(app.get("ratings", 0)),
            rating=_mean(app), latest=app.get("latest"),
            versions=[self._version(v, insider=not public) for v in versions])
