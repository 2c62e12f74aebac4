"""The bank's client of the tax platform's partner API (standard library only).

Where the platform is: ``PLATFORM_API_URL`` (the API's URL as deployed); on the local stack,
where that name does not resolve, the function reaches the API through the local stack's
endpoint (``AWS_ENDPOINT_URL``, which the local runtime sets) as
``<endpoint>/_aws/execute-api/<PLATFORM_API_ID>/<PLATFORM_API_STAGE>``.

Who the bank is: a bearer token with the role ``partner`` and the bank's id
(``PARTNER_ID``). The bank is deployed on the local stack only, where the platform's dev
issuer (``POST /v1/auth/dev-token``) mints it; the token is kept until a minute before it
expires.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

TIMEOUT_SECONDS = 10
TOKEN_SECONDS = 900


class PlatformError(Exception):
    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status}: {problem.get('detail', '')}")
        self.status = status
        self.problem = problem


def base_url() -> str:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint and os.environ.get("PLATFORM_API_ID"):
        url = (f"{endpoint.rstrip('/')}/_aws/execute-api/{os.environ['PLATFORM_API_ID']}/"
               f"{os.environ.get('PLATFORM_API_STAGE', 'api')}")
    else:
        url = os.environ["PLATFORM_API_URL"].rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValueError("the platform's URL must be http(s)")
    return url


def _call(method: str, path: str, body: Any = None, token: str | None = None,
          headers: dict[str, str] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - http(s) only (base_url)
        base_url() + path, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(  # noqa: S310 - http(s) only (base_url)
                request, timeout=TIMEOUT_SECONDS) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            problem = json.loads(error.read() or b"{}")
        except ValueError:
            problem = {}
        raise PlatformError(error.code, problem) from None


class Platform:
    def __init__(self) -> None:
        self._token: str | None = None
        self._until = 0.0

    def token(self) -> str:
        if self._token is None or time.time() > self._until:
            minted = _call("POST", "/v1/auth/dev-token", {
                "role": "partner", "subject": os.environ["PARTNER_ID"],
                "ttl_seconds": TOKEN_SECONDS})
            self._token = str(minted["token"])
            self._until = time.time() + TOKEN_SECONDS - 60
        return self._token

    def ask_consent(self, credit_code: str, scopes: list[str], purpose: str,
                    expires_at: str, key: str) -> dict[str, Any]:
        return _call("POST", "/v1/partner/consents",
                     {"credit_code": credit_code, "scopes": scopes, "purpose": purpose,
                      "expires_at": expires_at}, self.token(), {"Idempotency-Key": key})

    def consent(self, consent_id: str) -> dict[str, Any]:
        return _call("GET", f"/v1/consents/{consent_id}", token=self.token())

    def read(self, credit_code: str, scope: str, consent_id: str) -> dict[str, Any]:
        return _call("GET", f"/v1/partner/taxpayers/{credit_code}/{scope}"
                            f"?consent_id={consent_id}", token=self.token())
