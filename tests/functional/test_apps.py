"""The app square (A3) over moto: a developer registers an app and declares a version (the
presigned form holds S3 to the type and exact size); the uploaded package is checked — size,
type, SHA-256, the manifest inside, the virus scan — each failure naming its field; a reviewer
who is not the publisher approves; the public finds it, gets an expiring link, rates it once;
a withdrawn version is no longer offered; who may do what."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from etax.apps.scanning import EICAR
from tests.functional.conftest import call, load_handler
from tests.functional.test_invoices import request

DEVELOPER = ("developer", "dev-appsquare-0001")
OTHER_DEVELOPER = ("developer", "dev-appsquare-0002")
OFFICER = ("officer", "officer-fz-0001", "13501000000")
ADMIN = ("admin", "admin-0001")
TAXPAYER = ("taxpayer", "91350100M000100Y43")
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
APP = {"name": "小微企业记账助手", "category": "accounting",
       "summary": "按月整理发票和收支，一键生成增值税申报所需的销售额汇总。"}
MANIFEST = {"permissions": ["network", "storage"],
            "apis": ["GET /v1/invoices", "POST /v1/tools/vat"]}


def package(version: str = "1.0.0", manifest: dict[str, Any] | None = None,
            extra: bytes = b"", compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("manifest.json", json.dumps(
            {"name": APP["name"], "version": version, **(manifest or MANIFEST)}))
        archive.writestr("app/main.js", b"console.log('ledger');" + extra)
    return buffer.getvalue()


@pytest.fixture
def apps(aws: None, published: list[Any]) -> Any:
    module = load_handler("apps")
    module.service.now = lambda: NOW
    return module


def _params(path: str) -> tuple[str, dict[str, str] | None]:
    parts = path.split("/")
    if len(parts) < 4 or not parts[3].startswith("app-"):
        return path, None
    params = {"app_id": parts[3]}
    resource = ["", "v1", "apps", "{app_id}", *parts[4:]]
    if len(parts) > 5 and parts[4] == "versions":
        params["version"] = parts[5]
        resource[5] = "{version}"
    return "/".join(resource), params


def send(module: Any, method: str, path: str, who: tuple[str, ...] | None, body: Any = None,
         key: str | None = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    resource, params = _params(path)
    event = request(method, path, body=body, who=who, key=key, resource=resource, params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} \
        if query else None
    return call(module, event)


def registered(module: Any, who: tuple[str, ...] = DEVELOPER, **changes: Any) -> str:
    answer = send(module, "POST", "/v1/apps", who, {**APP, **changes},
                  key=f"app-{who[1]}-{sorted(changes.items())}")
    assert answer["statusCode"] == 201, answer["json"]
    return str(answer["json"]["id"])


def declared(module: Any, app_id: str, data: bytes, version: str = "1.0.0",
             who: tuple[str, ...] = DEVELOPER, **changes: Any) -> dict[str, Any]:
    body = {"version": version, "release_notes": "首个版本：发票归集与销售额汇总。",
            "filename": "ledger.zip", "content_type": "application/zip", "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "manifest": MANIFEST, **changes}
    answer = send(module, "POST", f"/v1/apps/{app_id}/versions", who, body)
    assert answer["statusCode"] == 201, answer["json"]
    form: dict[str, Any] = answer["json"]
    return form


def uploaded(form: dict[str, Any], data: bytes, content_type: str = "application/zip") -> None:
    """What the presigned POST writes (S3 enforces its policy; the e2e test posts it)."""
    boto3.client("s3").put_object(Bucket="packages", Key=form["upload"]["fields"]["key"],
                                  Body=data, ContentType=content_type)


def submitted(module: Any, app_id: str, version: str = "1.0.0",
              who: tuple[str, ...] = DEVELOPER) -> dict[str, Any]:
    return send(module, "POST", f"/v1/apps/{app_id}/versions/{version}/submit", who)


def published_app(module: Any, data: bytes | None = None) -> tuple[str, bytes]:
    app_id = registered(module)
    data = data or package()
    uploaded(declared(module, app_id, data), data)
    assert submitted(module, app_id)["json"]["state"] == "in_review"
    decided = send(module, "POST", f"/v1/apps/{app_id}/versions/1.0.0/decision", OFFICER,
                   {"decision": "approve"})
    assert decided["json"]["state"] == "published", decided["json"]
    return app_id, data


def test_a_version_checked_reviewed_published_found_and_downloaded(
        apps: Any, published: list[Any]) -> None:
    app_id = registered(apps)
    data = package()
    form = declared(apps, app_id, data)
    upload = form["upload"]
    assert upload["fields"]["key"] == f"incoming/{app_id}/1.0.0/ledger.zip"
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    assert ["content-length-range", len(data), len(data)] in policy["conditions"]
    assert ["eq", "$Content-Type", "application/zip"] in policy["conditions"]
    assert submitted(apps, app_id)["statusCode"] == 409  # nothing uploaded yet
    uploaded(form, data)
    checked = submitted(apps, app_id)
    assert checked["statusCode"] == 200, checked["json"]
    assert checked["json"]["state"] == "in_review"
    assert [(c["name"], c["passed"]) for c in checked["json"]["checks"]] == [
        ("size", True), ("type", True), ("sha256", True), ("manifest", True), ("scan", True)]
    assert send(apps, "GET", f"/v1/apps/{app_id}", None)["statusCode"] == 404  # not yet public
    queue = send(apps, "GET", "/v1/apps/reviews", OFFICER)["json"]["versions"]
    assert [(v["app_id"], v["version"]["version"]) for v in queue] == [(app_id, "1.0.0")]

    published.clear()
    decided = send(apps, "POST", f"/v1/apps/{app_id}/versions/1.0.0/decision", OFFICER,
                   {"decision": "approve"})
    assert decided["json"]["state"] == "published"
    [event] = published
    assert event.detail["notification"]["recipient"] == DEVELOPER[1]
    found = send(apps, "GET", "/v1/apps", None, query={"q": "记账"})["json"]["apps"]
    assert [a["id"] for a in found] == [app_id]
    assert found[0]["publisher_kind"] == "developer"
    assert found[0]["versions"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "checks" not in found[0]["versions"][0]
    assert send(apps, "GET", "/v1/apps", None, query={"category": "filing"})["json"]["apps"] == []

    link = send(apps, "POST", f"/v1/apps/{app_id}/versions/1.0.0/downloads", None)
    assert link["statusCode"] == 201, link["json"]
    url = urlparse(link["json"]["url"])
    assert url.path.endswith(f"/packages/{app_id}/1.0.0/ledger.zip")
    assert parse_qs(url.query)["X-Amz-Expires"] == ["300"]
    assert link["json"]["sha256"] == hashlib.sha256(data).hexdigest()
    stored = boto3.client("s3").get_object(Bucket="packages",
                                           Key=f"packages/{app_id}/1.0.0/ledger.zip")
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == link["json"]["sha256"]
    assert send(apps, "GET", f"/v1/apps/{app_id}", None)["json"]["downloads"] == 1

    rated = send(apps, "POST", f"/v1/apps/{app_id}/ratings", TAXPAYER, {"score": 4})
    assert rated["json"] == {"score": 4, "ratings": 1, "rating": "4.0"}
    assert send(apps, "POST", f"/v1/apps/{app_id}/ratings", TAXPAYER,
                {"score": 5})["statusCode"] == 409


def test_a_withdrawn_version_is_no_longer_offered(apps: Any) -> None:
    app_id, _ = published_app(apps)
    data = package("1.1.0")
    uploaded(declared(apps, app_id, data, version="1.1.0",
                      manifest={**MANIFEST}), package("1.1.0"))
    submitted(apps, app_id, "1.1.0")
    send(apps, "POST", f"/v1/apps/{app_id}/versions/1.1.0/decision", OFFICER,
         {"decision": "approve"})
    assert send(apps, "GET", f"/v1/apps/{app_id}", None)["json"]["latest"] == "1.1.0"
    assert send(apps, "POST", f"/v1/apps/{app_id}/versions/1.1.0/withdraw", OTHER_DEVELOPER,
                {"reason": "发现计算错误"})["statusCode"] == 403
    withdrawn = send(apps, "POST", f"/v1/apps/{app_id}/versions/1.1.0/withdraw", DEVELOPER,
                     {"reason": "发现计算错误"})
    assert withdrawn["json"]["state"] == "withdrawn", withdrawn["json"]
    shown = send(apps, "GET", f"/v1/apps/{app_id}", None)["json"]
    assert (shown["latest"], [v["version"] for v in shown["versions"]]) == ("1.0.0", ["1.0.0"])
    gone = send(apps, "POST", f"/v1/apps/{app_id}/versions/1.1.0/downloads", None)
    assert (gone["statusCode"], gone["json"]["field"]) == (404, "version")
    send(apps, "POST", f"/v1/apps/{app_id}/versions/1.0.0/withdraw", ADMIN, {"reason": "下架"})
    assert send(apps, "GET", f"/v1/apps/{app_id}", None)["statusCode"] == 404
    assert send(apps, "GET", "/v1/apps", None)["json"]["apps"] == []
    mine = send(apps, "GET", "/v1/me/apps", DEVELOPER)["json"]["apps"]
    assert [v["state"] for v in mine[0]["versions"]] == ["withdrawn", "withdrawn"]


@pytest.mark.parametrize(("changes", "data", "field"), [
    ({"sha256": "0" * 64}, None, "sha256"),
    ({}, b"%PDF-1.7 not a zip" + b"x" * 100, "content_type"),
    ({"manifest": {"permissions": ["network"], "apis": ["GET /v1/invoices"]}}, None,
     "manifest"),
    ({}, package("2.0.0"), "manifest"),  # the package says another version
    ({}, package(extra=EICAR), "package"),
    ({}, package(compression=zipfile.ZIP_BZIP2), "manifest"),  # not stored or deflated
])
def test_a_package_that_fails_a_check_is_refused_naming_the_field(
        apps: Any, changes: dict[str, Any], data: bytes | None, field: str) -> None:
    app_id = registered(apps)
    data = data or package()
    form = declared(apps, app_id, data, **changes)
    uploaded(form, data)
    refused = submitted(apps, app_id)
    assert refused["statusCode"] == 422, refused["json"]
    assert refused["json"]["field"] == field
    mine = send(apps, "GET", "/v1/me/apps", DEVELOPER)["json"]["apps"][0]["versions"][0]
    assert mine["state"] == "failed_checks"
    assert next(c["field"] for c in mine["checks"] if not c["passed"]) == field
    # the package is gone; the same number may be declared again with the right package
    good = package()
    uploaded(declared(apps, app_id, good), good)
    assert submitted(apps, app_id)["json"]["state"] == "in_review"


@pytest.mark.parametrize(("changes", "field"), [
    ({"content_type": "application/x-msdownload"}, "content_type"),
    ({"size": 0}, "size"), ({"size": 50 * 1024 * 1024 + 1}, "size"),
    ({"sha256": "xyz"}, "sha256"), ({"version": "1.0"}, "version"),
    ({"filename": "../evil.zip"}, "filename"),
    ({"manifest": {"permissions": ["contacts"], "apis": []}}, "manifest.permissions[0]"),
    ({"manifest": {"permissions": [], "apis": ["GET /v1/nothing-here"]}}, "manifest.apis[0]"),
    ({"release_notes": "修复\u202e问题"}, "release_notes"),
])
def test_a_bad_version_is_a_422_naming_the_field(apps: Any, changes: dict[str, Any],
                                                 field: str) -> None:
    app_id = registered(apps)
    body = {"version": "1.0.0", "release_notes": "首个版本。", "filename": "ledger.zip",
            "content_type": "application/zip", "size": 100, "sha256": "a" * 64,
            "manifest": MANIFEST, **changes}
    answer = send(apps, "POST", f"/v1/apps/{app_id}/versions", DEVELOPER, body)
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_who_may_do_what(apps: Any) -> None:
    for who, status in ((TAXPAYER, 403), (ADMIN, 403), (None, 401)):
        assert send(apps, "POST", "/v1/apps", who, APP, key=f"who-{status}")["statusCode"] == \
            status
    office_app = registered(apps, OFFICER)
    data = package()
    assert send(apps, "POST", f"/v1/apps/{office_app}/versions", DEVELOPER, {
        "version": "1.0.0", "release_notes": "x版本", "filename": "a.zip",
        "content_type": "application/zip", "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(), "manifest": MANIFEST})["statusCode"] == 403
    uploaded(declared(apps, office_app, data, who=OFFICER), data)
    submitted(apps, office_app, who=OFFICER)
    own = send(apps, "POST", f"/v1/apps/{office_app}/versions/1.0.0/decision", OFFICER,
               {"decision": "approve"})
    assert own["statusCode"] == 403  # the publisher never reviews its own app
    assert send(apps, "POST", f"/v1/apps/{office_app}/versions/1.0.0/decision", DEVELOPER,
                {"decision": "approve"})["statusCode"] == 403
    rejected = send(apps, "POST", f"/v1/apps/{office_app}/versions/1.0.0/decision", ADMIN,
                    {"decision": "reject"})
    assert (rejected["statusCode"], rejected["json"]["field"]) == (422, "reason")
    assert send(apps, "POST", f"/v1/apps/{office_app}/versions/1.0.0/decision", ADMIN,
                {"decision": "reject", "reason": "缺少隐私说明"})["json"]["state"] == "rejected"
    assert send(apps, "GET", "/v1/apps/app-0000000000000000", None)["statusCode"] == 404
    assert send(apps, "GET", "/v1/apps", None, query={"category": "games"})["statusCode"] == 400


def test_a_broken_version_is_reported_once_and_its_publisher_told(
        apps: Any, published: list[Any]) -> None:
    app_id, _ = published_app(apps)
    published.clear()
    body = {"version": "1.0.0", "problem": "导入发票时程序闪退，无法生成汇总。"}
    reported = send(apps, "POST", f"/v1/apps/{app_id}/reports", TAXPAYER, body)
    assert reported["statusCode"] == 201, reported["json"]
    assert reported["json"]["reports"] == 1
    [event] = published
    assert event.detail["notification"]["recipient"] == DEVELOPER[1]
    assert "闪退" in event.detail["notification"]["body"]
    assert send(apps, "POST", f"/v1/apps/{app_id}/reports", TAXPAYER, body)["statusCode"] == 409
    assert send(apps, "POST", f"/v1/apps/{app_id}/reports", DEVELOPER, body)["statusCode"] == 403
    unknown = send(apps, "POST", f"/v1/apps/{app_id}/reports", TAXPAYER,
                   {**body, "version": "9.9.9"})
    assert unknown["statusCode"] == 409
    mine = send(apps, "GET", "/v1/me/apps", DEVELOPER)["json"]["apps"][0]["versions"][0]
    assert mine["reports"] == 1


@pytest.mark.parametrize("version", ["abc", "1.0", "01.0.0", "9.9.9"])
def test_a_version_that_is_not_one_of_the_app_is_a_404_on_every_route(
        apps: Any, version: str) -> None:
    app_id, _ = published_app(apps)
    for who, route, body in (
            (DEVELOPER, "submit", None), (OFFICER, "decision", {"decision": "approve"}),
            (DEVELOPER, "withdraw", {"reason": "下架"}), (None, "downloads", None)):
        answer = send(apps, "POST", f"/v1/apps/{app_id}/versions/{version}/{route}", who, body)
        assert (answer["statusCode"], answer["json"]["field"]) == (404, "version"), route


def test_a_submission_the_store_fails_to_record_can_be_sent_again(
        apps: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The package is kept only once its version says so: when that write fails the upload
    stays where the form put it, and the same submission sent again is checked and kept."""
    app_id = registered(apps)
    data = package()
    uploaded(declared(apps, app_id, data), data)
    repository = apps.service.repository

    def failing(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the store failed")

    with monkeypatch.context() as patched:
        patched.setattr(repository, "move", failing)
        assert submitted(apps, app_id)["statusCode"] == 500
    again = submitted(apps, app_id)
    assert (again["statusCode"], again["json"]["state"]) == (200, "in_review"), again["json"]
    kept = boto3.client("s3").list_objects_v2(Bucket="packages")["Contents"]
    assert [o["Key"].split("/")[0] for o in kept] == ["packages"]  # the upload gone, kept once
