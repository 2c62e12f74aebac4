"""The app square (A3) on the local stack: a developer registers an app and declares a version;
the package is posted straight to S3 with the presigned form (which S3 holds to the declared
size); a bad checksum and a disallowed type are refused naming the field; an officer approves;
the public finds the app, downloads the package through the expiring link and the bytes match
the checksum; a withdrawn version is no longer offered; in the portal, the public finds an app
and downloads it through the link."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.test_acceptance_e2e import post_form
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_portal_e2e import axe_violations, browser, phone, portal, shot

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["browser", "phone"]  # fixtures used here

DEVELOPER = ("developer", "dev-appsquare-0001")
OFFICER = ("officer", "officer-fz-0002", "13501000000")
MANIFEST = {"permissions": ["network"], "apis": ["GET /v1/invoices", "POST /v1/tools/vat"]}


def package(version: str, name: str = "记账助手") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"name": name, "version": version,
                                                      **MANIFEST}))
        archive.writestr("app/main.js", f"// {name} {version}\n".encode())
    return buffer.getvalue()


def call(api: str, method: str, path: str, who: dict[str, str] | None,
         body: Any = None) -> requests.Response:
    return requests.request(method, f"{api}{path}", json=body, timeout=120,
                            headers={**(who or {}), "Idempotency-Key": str(uuid.uuid4())})


def register(api: str, who: dict[str, str], name: str) -> str:
    made = call(api, "POST", "/v1/apps", who, {
        "name": name, "category": "accounting",
        "summary": "按月整理发票和收支，一键生成增值税申报所需的销售额汇总。"})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def declare(api: str, who: dict[str, str], app_id: str, version: str, data: bytes,
            **changes: Any) -> requests.Response:
    return call(api, "POST", f"/v1/apps/{app_id}/versions", who, {
        "version": version, "release_notes": f"{version} 版：发票归集与销售额汇总。",
        "filename": "ledger.zip", "content_type": "application/zip", "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(), "manifest": MANIFEST, **changes})


def uploaded_version(api: str, who: dict[str, str], app_id: str, version: str,
                     data: bytes | None = None) -> requests.Response:
    """A version declared, its package posted with the form, and submitted."""
    data = data or package(version)
    declared = declare(api, who, app_id, version, data)
    assert declared.status_code == 201, declared.text
    posted = post_form(declared.json()["upload"], data, "ledger.zip")
    assert posted.status_code in (200, 201, 204), posted.text
    return call(api, "POST", f"/v1/apps/{app_id}/versions/{version}/submit", who)


def published_version(api: str, developer: dict[str, str], officer: dict[str, str],
                      app_id: str, version: str) -> None:
    submitted = uploaded_version(api, developer, app_id, version)
    assert submitted.status_code == 200, submitted.text
    decided = call(api, "POST", f"/v1/apps/{app_id}/versions/{version}/decision", officer,
                   {"decision": "approve"})
    assert decided.json()["state"] == "published", decided.text


def test_an_app_is_checked_approved_found_downloaded_and_withdrawn(api: str) -> None:
    developer = bearer(token(api, *DEVELOPER))
    officer = bearer(token(api, *OFFICER))
    name = f"记账助手{uuid.uuid4().hex[:6]}"
    app_id = register(api, developer, name)

    # a disallowed type is refused before any upload; S3 holds the form to the size declared
    data = package("1.0.0", name)
    refused = declare(api, developer, app_id, "1.0.0", data,
                      content_type="application/x-msdownload")
    assert (refused.status_code, refused.json()["field"]) == (422, "content_type")
    declared = declare(api, developer, app_id, "1.0.0", data, sha256="0" * 64)
    assert declared.status_code == 201, declared.text
    form = declared.json()["upload"]
    assert post_form(form, data + b"extra", "ledger.zip").status_code == 400  # not the size
    assert post_form(form, data, "ledger.zip").status_code in (200, 201, 204)
    bad_sum = call(api, "POST", f"/v1/apps/{app_id}/versions/1.0.0/submit", developer)
    assert bad_sum.status_code == 422, bad_sum.text
    assert bad_sum.json()["field"] == "sha256"

    # the same number declared again with the right checksum, checked, approved
    submitted = uploaded_version(api, developer, app_id, "1.0.0", data)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "in_review"
    assert all(c["passed"] for c in submitted.json()["checks"])
    queue = call(api, "GET", "/v1/apps/reviews", officer).json()["versions"]
    assert (app_id, "1.0.0") in [(v["app_id"], v["version"]["version"]) for v in queue]
    assert call(api, "POST", f"/v1/apps/{app_id}/versions/1.0.0/decision", developer,
                {"decision": "approve"}).status_code == 403
    approved = call(api, "POST", f"/v1/apps/{app_id}/versions/1.0.0/decision", officer,
                    {"decision": "approve"})
    assert approved.json()["state"] == "published", approved.text

    # the public finds it and downloads the package through the expiring link
    found = requests.get(f"{api}/v1/apps", params={"q": name}, timeout=60).json()["apps"]
    assert [a["id"] for a in found] == [app_id]
    checksum = found[0]["versions"][0]["sha256"]
    assert checksum == hashlib.sha256(data).hexdigest()
    link = call(api, "POST", f"/v1/apps/{app_id}/versions/1.0.0/downloads", None)
    assert link.status_code == 201, link.text
    assert link.json()["expires_in"] == 300
    fetched = requests.get(link.json()["url"], timeout=60)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == checksum
    tampered = link.json()["url"].replace("X-Amz-Expires=300", "X-Amz-Expires=86400")
    assert requests.get(tampered, timeout=60).status_code == 403  # the signature covers it

    # a second version published, then withdrawn: no longer offered, the first still is
    published_version(api, developer, officer, app_id, "1.1.0")
    assert requests.get(f"{api}/v1/apps/{app_id}", timeout=60).json()["latest"] == "1.1.0"
    withdrawn = call(api, "POST", f"/v1/apps/{app_id}/versions/1.1.0/withdraw", developer,
                     {"reason": "发现汇总错误"})
    assert withdrawn.json()["state"] == "withdrawn", withdrawn.text
    shown = requests.get(f"{api}/v1/apps/{app_id}", timeout=60).json()
    assert (shown["latest"], [v["version"] for v in shown["versions"]]) == ("1.0.0", ["1.0.0"])
    assert shown["downloads"] == 1
    gone = call(api, "POST", f"/v1/apps/{app_id}/versions/1.1.0/downloads", None)
    assert (gone.status_code, gone.json()["field"]) == (404, "version")

    # another developer changes nothing of it; a taxpayer rates it once
    other = bearer(token(api, "developer", "dev-appsquare-0002"))
    assert call(api, "POST", f"/v1/apps/{app_id}/versions/1.0.0/withdraw", other,
                {"reason": "恶意下架"}).status_code == 403
    rater = bearer(token(api, "taxpayer", "91350100M000100Y43"))
    assert call(api, "POST", f"/v1/apps/{app_id}/ratings", rater,
                {"score": 5}).status_code == 201
    assert call(api, "POST", f"/v1/apps/{app_id}/ratings", rater,
                {"score": 1}).status_code == 409


def test_the_public_finds_an_app_in_the_portal_and_downloads_it(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    developer = bearer(token(api, *DEVELOPER))
    name = f"申报提醒{uuid.uuid4().hex[:6]}"
    app_id = register(api, developer, name)
    published_version(api, developer, bearer(token(api, *OFFICER)), app_id, "2.0.0")
    phone.goto(portal(stack, "apps.html"))
    form = phone.locator("#apps-search")
    form.get_by_label("应用名称或简介中的词").fill(name)
    form.get_by_role("button", name="搜索").click()
    entry = phone.locator("#apps-items li", has_text=name)
    expect(entry).to_contain_text("最新版本 2.0.0")
    checksum = requests.get(f"{api}/v1/apps/{app_id}", timeout=60).json()["versions"][0][
        "sha256"]
    expect(entry).to_contain_text(checksum)
    entry.get_by_role("button", name=f"获取下载链接：{name} 2.0.0").click()
    link = entry.get_by_role("link", name="下载（链接 5 分钟内有效）")
    expect(link).to_be_visible(timeout=30_000)
    fetched = requests.get(str(link.get_attribute("href")), timeout=60)
    assert hashlib.sha256(fetched.content).hexdigest() == checksum
    assert axe_violations(phone) == []
    shot(phone, "apps")
