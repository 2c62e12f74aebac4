"""The portal's sign-in on a stage with an OIDC provider (portal/src/oidc.js), in headless
Chromium against the deployed local stack: the page is told of a small fake provider (served
here on 127.0.0.1) by the ``config.json`` it reads, as CDK writes it on a real stage. The
provider checks what a real one checks of a public client using PKCE (RFC 7636, S256) and
answers with a token the stack's dev issuer mints, so the signed-in taxpayer reads its own
area through the real API. A tampered ``state`` and a refusal are said plainly and store
nothing; the page in its OIDC form passes axe-core's WCAG 2.1 A/AA rules in both languages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.test_platform_e2e import token
from tests.e2e.test_portal_e2e import (  # noqa: F401 (browser is a fixture)
    axe_violations,
    browser,
    fresh_person,
    portal,
    shot,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

CLIENT_ID = "etax-portal-e2e"
AUDIENCE = "etax-api"  # the local stack's auth_audience: the dev issuer's tokens carry it


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Provider:
    """A fake OIDC provider: what it was asked, and how it answers the next sign-in."""

    api: str
    redirect_uri: str
    portal_origin: str
    subject: str = ""
    answer: str = "code"  # "code", "tampered-state" or "access_denied"
    url: str = ""
    pending: dict[str, dict[str, str]] = field(default_factory=dict)  # code → what authorize saw
    refusals: list[str] = field(default_factory=list)
    token_calls: int = 0
    logouts: list[dict[str, list[str]]] = field(default_factory=list)
    issued: str = ""

    def authorize(self, query: dict[str, list[str]]) -> str:
        asked = {k: v[0] for k, v in query.items()}
        for key, wanted in (("response_type", "code"), ("code_challenge_method", "S256"),
                            ("client_id", CLIENT_ID), ("redirect_uri", self.redirect_uri)):
            if asked.get(key) != wanted:
                self.refusals.append(f"authorize: {key}={asked.get(key)!r}")
        challenge, state = asked.get("code_challenge", ""), asked.get("state", "")
        if len(challenge) != 43 or len(state) < 22 or not asked.get("nonce"):
            self.refusals.append("authorize: challenge, state or nonce missing or short")
        if "openid" not in asked.get("scope", "").split():
            self.refusals.append("authorize: no openid scope")
        if self.answer == "access_denied":
            back = {"error": "access_denied", "error_description": "the user said no",
                    "state": state}
        else:
            code = secrets.token_urlsafe(16)
            self.pending[code] = asked
            back = {"code": code, "state": state + ("x" if self.answer == "tampered-state"
                                                    else "")}
        return f"{self.redirect_uri}?{urlencode(back)}"

    def exchange(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        self.token_calls += 1
        sent = {k: v[0] for k, v in form.items()}
        asked = self.pending.pop(sent.get("code", ""), None)
        if asked is None or sent.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        verifier = sent.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or \
                b64url(hashlib.sha256(verifier.encode()).digest()) != asked["code_challenge"]:
            self.refusals.append("token: the verifier does not match the challenge")
            return 400, {"error": "invalid_grant"}
        if sent.get("client_id") != CLIENT_ID or sent.get("redirect_uri") != self.redirect_uri:
            self.refusals.append("token: client_id or redirect_uri differs")
            return 400, {"error": "invalid_client"}
        self.issued = token(self.api, "taxpayer", self.subject)
        id_token = ".".join([b64url(b'{"alg":"none"}'), b64url(json.dumps({
            "iss": self.url, "aud": CLIENT_ID, "sub": self.subject,
            "nonce": asked["nonce"], "exp": 4102444800}).encode()), ""])
        return 200, {"access_token": self.issued, "id_token": id_token, "token_type": "Bearer",
                     "expires_in": 900, "refresh_token": "not-kept"}


@pytest.fixture
def provider(api: str, stack: dict[str, Any]) -> Iterator[Provider]:
    origin = str(stack["Endpoint"])
    fake = Provider(api=api, redirect_uri=portal(stack, "signin.html"), portal_origin=origin)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", fake.authorize(query))
            elif parts.path == "/logout":
                fake.logouts.append(query)
                self.send_response(302)
                self.send_header("Location", query["logout_uri"][0])
            else:
                self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            if self.headers["Content-Type"] != "application/x-www-form-urlencoded":
                fake.refusals.append(f"token: Content-Type {self.headers['Content-Type']}")
            status, answer = fake.exchange(parse_qs(body))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Access-Control-Allow-Origin", fake.portal_origin)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    assert fake.refusals == [], "the portal asked the provider as a PKCE client must"


@pytest.fixture
def phone(browser: Browser, stack: dict[str, Any],  # noqa: F811 (the imported fixture)
          provider: Provider) -> Iterator[Page]:
    """A phone-sized page whose ``config.json`` names the fake provider, as a real stage's
    does (infra/portal.py), in place of the local dev issuer."""
    deployed = requests.get(portal(stack, "config.json"), timeout=30).json()
    settings = {key: value for key, value in deployed.items()
                if key not in ("devIssuer", "demoIdentities")}
    settings["oidc"] = {
        "authorizeUrl": f"{provider.url}/authorize", "tokenUrl": f"{provider.url}/token",
        "clientId": CLIENT_ID, "scopes": "openid", "audience": AUDIENCE,
        "redirectUri": provider.redirect_uri, "logoutUrl": f"{provider.url}/logout"}
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    def config(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(settings),
                      headers={"Cache-Control": "no-store"})

    page.route(portal(stack, "config.json"), config)
    yield page
    context.close()
    outside = [url for url in asked
               if not url.startswith((str(stack["Endpoint"]), provider.url, "data:", "blob:"))]
    assert outside == [], "the portal loads nothing from outside the stack and its provider"


def stored(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        "() => ({session: sessionStorage.getItem('etax.session'),"
        " pending: sessionStorage.getItem('etax.oidc')})")
    return found


def test_a_taxpayer_signs_in_with_the_provider_and_reads_its_own_area(
        stack: dict[str, Any], provider: Provider, phone: Page) -> None:
    provider.subject = fresh_person()
    phone.goto(portal(stack, "me.html"))
    phone.get_by_role("link", name="查看您的办税信息需要先登录。").click()
    expect(phone.get_by_role("button", name="前往统一身份认证登录")).to_be_visible()
    expect(phone.locator("#dev-signin")).to_be_hidden()  # the dev form is the local path only
    shot(phone, "signin-oidc")
    phone.get_by_role("button", name="前往统一身份认证登录").click()

    phone.wait_for_url("**/me.html")
    for empty in ("尚未办理税务登记。", "暂无申报义务。", "暂无退税申请。", "暂无发票领用申请。"):
        expect(phone.get_by_text(empty)).to_be_visible(timeout=30_000)  # the API answered it
    expect(phone.locator("#alert")).to_be_hidden()
    expect(phone.locator("#session-status")).to_contain_text(provider.subject[-4:])
    kept = stored(phone)
    assert kept["pending"] is None  # the verifier and state are used once
    session = json.loads(kept["session"])
    assert session["token"] == provider.issued  # the token whose aud is the API's
    assert (session["subject"], session["role"]) == (provider.subject, "taxpayer")
    assert "not-kept" not in json.dumps(session)  # no refresh token
    assert provider.token_calls == 1

    # sign-out forgets the token and ends the provider's session too
    phone.get_by_role("link", name="退出").click()
    phone.wait_for_url("**/index.html")
    assert stored(phone)["session"] is None
    [logout] = provider.logouts
    assert logout["client_id"] == [CLIENT_ID]
    assert logout["logout_uri"] == [portal(stack, "index.html")]


@pytest.mark.parametrize(("answer", "said"), [
    ("tampered-state", "登录未完成：返回的登录请求不是本页发出的，或已使用过。请重新登录。"),
    ("access_denied", "您已取消登录，或身份认证服务拒绝了登录。"),
])
def test_a_tampered_state_or_a_refusal_is_said_plainly_and_stores_nothing(
        stack: dict[str, Any], provider: Provider, phone: Page, answer: str, said: str) -> None:
    provider.subject = fresh_person()
    provider.answer = answer
    phone.goto(portal(stack, "signin.html?next=me"))
    phone.get_by_role("button", name="前往统一身份认证登录").click()
    expect(phone.get_by_role("alert")).to_contain_text(said, timeout=30_000)
    assert urlsplit(phone.url).query == ""  # the answer is gone from the address
    assert stored(phone) == {"session": None, "pending": None}
    assert provider.token_calls == 0  # a code with the wrong state is never exchanged
    expect(phone.locator("#session-status")).to_have_text("未登录")
    assert axe_violations(phone) == []  # the alert too


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_oidc_sign_in_meets_wcag_2_1_aa(stack: dict[str, Any], provider: Provider,
                                            phone: Page, language: str) -> None:
    phone.goto(portal(stack, "index.html"))
    phone.evaluate(f"localStorage.setItem('etax.lang', '{language}')")
    phone.goto(portal(stack, "signin.html"))
    start = phone.locator("#oidc-start")
    expect(start).to_have_text("Sign in with the identity service" if language == "en"
                               else "前往统一身份认证登录")
    assert axe_violations(phone) == []
    if language == "en":
        shot(phone, "signin-oidc-en")
