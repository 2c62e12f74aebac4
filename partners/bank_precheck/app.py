"""A partner bank's loan pre-check (银税互动), the platform's partner API seen from the bank:
a Chalice app, deployed by the platform's CDK app (infra/partner_bank.py) on the local stack.

* ``POST /prechecks`` ``{"credit_code": …}`` — the bank asks the taxpayer, through the
  platform, for a consent to read its rating and tax paid (for 30 days); the taxpayer is told
  in its inbox and answers on the platform. Answers ``202`` with the pre-check's id (the
  consent's).
* ``GET /prechecks/{id}`` — while the taxpayer has not answered: ``awaiting_consent``; once it
  has: the rating and the tax paid read under the consent, and ``eligible`` with every reason
  (:mod:`chalicelib.rules`); a consent rejected, revoked or expired: that, and nothing read.
* ``GET /health``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice import BadRequestError, Chalice, NotFoundError, Response
from chalicelib.platform import Platform, PlatformError
from chalicelib.rules import assess

app = Chalice(app_name="bank-precheck")
platform = Platform()
SCOPES = ["rating", "tax_paid"]
PURPOSE = "loan_precheck"
CONSENT_DAYS = 30
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{18}$")
CONSENT_ID = re.compile(r"^cns_[0-9a-f]{20}$")
ENDED = {"Rejected": "consent_rejected", "Revoked": "consent_revoked",
         "Expired": "consent_expired"}


def _problem(error: PlatformError) -> Response:
    status = error.status if 400 <= error.status < 500 else 502
    return Response(status_code=status, headers={"Content-Type": "application/problem+json"},
                    body={"title": "the tax platform refused", "status": status,
                          "detail": error.problem.get("detail", ""),
                          "field": error.problem.get("field")})


@app.route("/health")
def health() -> dict[str, Any]:
    return {"status": "ok", "service": "bank-precheck"}


@app.route("/prechecks", methods=["POST"])
def start() -> Response:
    body = app.current_request.json_body or {}
    code = str(body.get("credit_code", "")).strip().upper()
    if not CREDIT_CODE.match(code):
        raise BadRequestError("credit_code: an 18-character unified social credit code")
    expires = (datetime.now(UTC) + timedelta(days=CONSENT_DAYS)).isoformat(timespec="seconds")
    key = "precheck-" + hashlib.sha256(
        f"{code}:{datetime.now(UTC):%Y-%m-%dT%H:%M}".encode()).hexdigest()[:32]
    try:
        consent = platform.ask_consent(code, SCOPES, PURPOSE, expires, key)
    except PlatformError as error:
        return _problem(error)
    return Response(status_code=202, body={
        "precheck_id": consent["consent_id"], "credit_code": code,
        "status": "awaiting_consent", "consent_expires_at": consent["expires_at"]})


@app.route("/prechecks/{precheck_id}")
def answer(precheck_id: str) -> Any:
    if not CONSENT_ID.match(precheck_id):
        raise NotFoundError("no such pre-check")
    try:
        consent = platform.consent(precheck_id)
    except PlatformError as error:
        if error.status == 404:
            raise NotFoundError("no such pre-check") from None
        return _problem(error)
    code, status = consent["taxpayer"], consent["status"]
    out: dict[str, Any] = {"precheck_id": precheck_id, "credit_code": code}
    if status == "AwaitingAuthorisation":
        return {**out, "status": "awaiting_consent"}
    if status != "Authorised":
        return {**out, "status": ENDED.get(status, status)}
    try:
        rating = platform.read(code, "rating", precheck_id)["rating"]
        paid = platform.read(code, "tax_paid", precheck_id)["tax_paid"]
    except PlatformError as error:
        if error.status == 403:  # revoked or expired between the two calls
            return {**out, "status": "consent_withdrawn"}
        return _problem(error)
    return {**out, "status": "answered", **assess(rating, paid)}
