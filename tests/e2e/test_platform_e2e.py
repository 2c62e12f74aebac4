"""The platform over HTTP on the deployed local stack, as a client sees it.

The CDK app is deployed once per session to the session's LocalStack and the
demo data is seeded through the registration feed (``stack`` fixture); every
test here drives the API with ``requests`` like any client would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from etax.platform.tokens import KmsTokenSigner
from tests.forged_tokens import ATTACKS, forged_tokens

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SELLER = "91350100M000100Y43"
RETAILER = "91350100MA2Y8KXX1B"
FUZHOU = "13501000000"
XIAMEN = "13502000000"


def token(api: str, role: str, subject: str, tax_office: str | None = None) -> str:
    body: dict[str, Any] = {"role": role, "subject": subject}
    if tax_office:
        body["tax_office"] = tax_office
    answer = requests.post(f"{api}/v1/auth/dev-token", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    value: str = answer.json()["token"]
    return value


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_health(api: str) -> None:
    answer = requests.get(f"{api}/v1/health", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["status"] == "ok"
    assert answer.json()["stage"] == "local"


def test_a_seeded_company_comes_back_with_its_facts(api: str) -> None:
    body = requests.get(f"{api}/v1/registration/verify/{SELLER}", timeout=30).json()
    assert body["checksum_valid"] is True
    assert body["registered"] is True
    assert body["registration"]["name"] == "福州闽江示例科技有限公司"
    assert body["registration"]["status"] == "active"
    assert body["registration"]["registration_date"] == "2016-03-01"
    assert body["registration"]["tax_office"] == {
        "code": FUZHOU, "name": "国家税务总局福州市税务局"}


def test_the_standards_examples(api: str) -> None:
    valid = requests.get(f"{api}/v1/registration/verify/91350100M000100Y43", timeout=30).json()
    invalid = requests.get(f"{api}/v1/registration/verify/91350100M000100Y4Z", timeout=30)
    assert valid["checksum_valid"] is True
    assert invalid.status_code == 200
    assert invalid.json()["checksum_valid"] is False
    assert invalid.json()["checksum_reason"] == (
        "check character is 'Z', but positions 1-17 give '3'")


def test_registered_with_a_wrong_checksum(api: str) -> None:
    body = requests.get(f"{api}/v1/registration/verify/91350211M0000XUF46", timeout=30).json()
    assert (body["checksum_valid"], body["registered"]) == (False, True)


def test_malformed_codes_are_400_problems_naming_the_field(api: str) -> None:
    answer = requests.get(f"{api}/v1/registration/verify/9135010", timeout=30)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["field"] == "credit_code"
    assert "18 characters" in answer.json()["detail"]


def test_unknown_routes_are_not_500(api: str) -> None:
    answer = requests.get(f"{api}/v1/nowhere", timeout=30)
    assert 400 <= answer.status_code < 500


def test_signed_in_identity(api: str) -> None:
    officer = token(api, "officer", "officer-fz-0001", FUZHOU)
    answer = requests.get(f"{api}/v1/me", headers=bearer(officer), timeout=30)
    assert answer.status_code == 200
    assert answer.json() == {"role": "officer", "subject": "officer-fz-0001",
                             "tax_office": FUZHOU}


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"},
])
def test_401_without_a_valid_token(api: str, headers: dict[str, str]) -> None:
    answer = requests.get(f"{api}/v1/me", headers=headers, timeout=30)
    assert answer.status_code == 401


def test_a_tampered_token_is_401(api: str) -> None:
    good = token(api, "admin", "admin-0001")
    header, claims, signature = good.split(".")
    forged = header + "." + claims[:-2] + ("A" if claims[-2] != "A" else "B") + claims[-1]
    answer = requests.get(f"{api}/v1/me", headers=bearer(f"{forged}.{signature}"), timeout=30)
    assert answer.status_code == 401


DEV_ISSUER = "https://dev-issuer.etax.local"
AUDIENCE = "etax-api"
PERSON = "11010519491231002X"


@pytest.fixture(scope="module")
def issuer_signer(aws: Any) -> KmsTokenSigner:
    """Signs with the local dev issuer's own KMS key, so the test can craft any token."""
    kms = aws("kms")
    [key_id] = [key["KeyId"] for key in kms.list_keys()["Keys"]
                if kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"].get("Description")
                == "Local dev token issuer (ES256)"]
    return KmsTokenSigner(kms, key_id, DEV_ISSUER, AUDIENCE)


def crafted(signer: KmsTokenSigner, *, kid: bool = True, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": DEV_ISSUER, "aud": AUDIENCE, "sub": PERSON, "role": "taxpayer",
            "iat": now, "exp": now + 600, **claims}
    header = {"alg": "ES256", "typ": "JWT"}
    if kid:
        header["kid"] = signer.kms.describe_key(KeyId=signer.key_id)["KeyMetadata"]["KeyId"]
    return signer.sign(header, {k: v for k, v in body.items() if v is not None})


def test_an_expired_token_is_401_right_after_a_successful_call(
        api: str, issuer_signer: KmsTokenSigner) -> None:
    """API Gateway caches the authorizer's verdict for the token (60 s); the function still
    refuses it from its exp on."""
    warm = crafted(issuer_signer)  # the authorizer and the function warm, so timing is tight
    assert requests.get(f"{api}/v1/me", headers=bearer(warm), timeout=30).status_code == 200
    lifetime = 8
    short = crafted(issuer_signer, exp=int(time.time()) + lifetime)
    expires = int(time.time()) + lifetime
    answer = requests.get(f"{api}/v1/me", headers=bearer(short), timeout=30)
    assert answer.status_code == 200, answer.text
    assert time.time() < expires - 1, "the first call must be well inside the token's life"
    time.sleep(max(0.0, expires - time.time()) + 1.5)
    answer = requests.get(f"{api}/v1/me", headers=bearer(short), timeout=30)
    assert answer.status_code == 401, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["type"] == "urn:etax:problem:unauthorized"
    assert "expired" in answer.json()["detail"]  # the function's answer to the cached verdict
    # any other route with the same cached verdict too
    other = requests.get(f"{api}/v1/registration/records/{SELLER}", headers=bearer(short),
                         timeout=30)
    assert other.status_code == 401


@pytest.mark.parametrize("claims", [
    {"exp": None},
    {"sub": ""},
    {"kid": False},
    {"exp": int(time.time()) + 2 * 3600},
    {"iat": None, "exp": int(time.time()) + 2 * 3600},
    {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 60},
], ids=["no-exp", "empty-sub", "no-kid", "too-long", "too-long-without-iat", "expired"])
def test_refused_tokens_of_the_issuer_are_401(api: str, issuer_signer: KmsTokenSigner,
                                              claims: dict[str, Any]) -> None:
    claims = dict(claims)
    kid = bool(claims.pop("kid", True))
    token = crafted(issuer_signer, kid=kid, **claims)
    answer = requests.get(f"{api}/v1/me", headers=bearer(token), timeout=30)
    assert answer.status_code == 401, answer.text


@pytest.fixture(scope="module")
def forged(issuer_signer: KmsTokenSigner) -> dict[str, str]:
    return forged_tokens(issuer_signer, PERSON)


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_forged_token_is_a_401_problem_and_never_echoed(api: str, forged: dict[str, str],
                                                          attack: str) -> None:
    """Each attack class of docs/security.md over the gateway and the real authorizer: a
    signed-in route answers 401 problem+json; a public route (no authorizer: it reads no
    caller) answers exactly as it does to an anonymous client. Neither repeats the token."""
    token = forged[attack]
    signed_in = requests.get(f"{api}/v1/me", headers=bearer(token), timeout=30)
    problem = assert_problem(signed_in, 401)
    assert problem["type"] == "urn:etax:problem:unauthorized"
    public = f"{api}/v1/registration/verify/{SELLER}"
    anonymous = requests.get(public, timeout=30)
    answer = requests.get(public, headers=bearer(token), timeout=30)
    assert (answer.status_code, answer.json()) == (200, anonymous.json())
    for body in (signed_in.text, answer.text):
        assert all(part not in body for part in token.split(".") if part)


def test_the_dev_issuer_mints_nothing_longer_than_the_maximum(api: str) -> None:
    answer = requests.post(f"{api}/v1/auth/dev-token", timeout=30, json={
        "role": "admin", "subject": "admin-0001", "ttl_seconds": 3601})
    assert answer.status_code == 422
    assert answer.json()["field"] == "ttl_seconds"


@pytest.mark.parametrize(("role", "subject", "office", "status"), [
    ("taxpayer", SELLER, None, 200),
    ("officer", "officer-fz-0001", FUZHOU, 200),
    ("admin", "admin-0001", None, 200),
    ("taxpayer", RETAILER, None, 403),
    ("officer", "officer-xm-0001", XIAMEN, 403),
    ("partner", "bank-minjiang-demo", None, 403),
])
def test_a_taxpayer_reaches_only_its_own_record(api: str, role: str, subject: str,
                                                office: str | None, status: int) -> None:
    answer = requests.get(f"{api}/v1/registration/records/{SELLER}",
                          headers=bearer(token(api, role, subject, office)), timeout=30)
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.json()["legal_representative"] == "林晓明"
    else:
        assert answer.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("body", "field"), [
    ({"role": "officer", "subject": "officer-1"}, "tax_office"),
    ({"role": "taxpayer", "subject": "12345"}, "subject"),
    ({"role": "wizard", "subject": "x-1"}, "role"),
])
def test_dev_token_refuses_impossible_identities(api: str, body: dict[str, Any],
                                                 field: str) -> None:
    answer = requests.post(f"{api}/v1/auth/dev-token", json=body, timeout=30)
    assert answer.status_code == 422
    assert answer.json()["field"] == field


def test_bad_json_is_400(api: str) -> None:
    answer = requests.post(f"{api}/v1/auth/dev-token", data="{nope",
                           headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code == 400
    assert answer.json()["field"] == "body"


def test_cors_preflight_for_browsers(api: str) -> None:
    # a signed-in route: the browser asks first (Authorization is not a simple header)
    answer = requests.options(f"{api}/v1/registration/records/{SELLER}", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"}, timeout=30)
    assert answer.status_code in (200, 204)
    assert answer.headers.get("Access-Control-Allow-Origin") == "*"
    assert "authorization" in answer.headers.get("Access-Control-Allow-Headers", "").lower()
    # a public GET is a simple request: no preflight, the answer itself allows any origin
    simple = requests.get(f"{api}/v1/registration/verify/{SELLER}", timeout=30,
                          headers={"Origin": "http://localhost:3000"})
    assert simple.status_code == 200
    assert simple.headers.get("Access-Control-Allow-Origin") == "*"


def test_feed_failures_reach_the_dead_letter_queue_alone(stack: dict[str, Any],
                                                        aws: Any) -> None:
    """A batch with one good and two bad records: the good one lands, only the bad ones
    are retried and end in the dead-letter queue."""
    sqs = aws("sqs")
    good_code = "91350100MA2YXE2E0X"
    good = {
        "credit_code": good_code, "name": "福州示例新设有限公司", "status": "active",
        "registration_date": "2026-11-01", "tax_office_code": FUZHOU,
        "tax_office_name": "国家税务总局福州市税务局", "taxpayer_type": "small_scale",
        "legal_representative": "王五", "revision": 1,
    }
    marker = uuid.uuid4().hex
    bad: list[dict[str, Any]] = [good | {"credit_code": "not-a-code", "name": marker},
           good | {"revision": 0, "name": marker}]
    sqs.send_message_batch(QueueUrl=stack["RegistrationFeedQueueUrl"], Entries=[
        {"Id": str(i), "MessageBody": json.dumps(m, ensure_ascii=False)}
        for i, m in enumerate([good, *bad])])

    api = stack["ApiUrl"]
    deadline = time.monotonic() + 60
    while not requests.get(f"{api}/v1/registration/verify/{good_code}",
                           timeout=30).json()["registered"]:
        assert time.monotonic() < deadline, "the good record never reached the registry"
        time.sleep(0.5)

    dead: list[dict[str, Any]] = []
    deadline = time.monotonic() + 90
    while len(dead) < 2:
        assert time.monotonic() < deadline, f"only {len(dead)} of 2 bad records dead-lettered"
        answer = sqs.receive_message(QueueUrl=stack["RegistrationFeedDeadLetterQueueUrl"],
                                     MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                     AttributeNames=["ApproximateReceiveCount"])
        for message in answer.get("Messages", []):
            body = json.loads(message["Body"])
            if body["name"] == marker:
                dead.append(body)
            sqs.delete_message(QueueUrl=stack["RegistrationFeedDeadLetterQueueUrl"],
                               ReceiptHandle=message["ReceiptHandle"])
    assert sorted(d["credit_code"] for d in dead) == sorted(b["credit_code"] for b in bad)


def test_the_aws_cli_lists_the_apps_tables(stack: dict[str, Any]) -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("AWS_ENDPOINT_URL", None)
    listed = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "aws"), "--endpoint-url", stack["Endpoint"],
         "dynamodb", "list-tables", "--output", "json"],
        capture_output=True, text=True, env=env, check=True, timeout=60)
    tables = json.loads(listed.stdout)["TableNames"]
    assert stack["RegistryTableName"] in tables
    assert stack["IdempotencyTableName"] in tables


# the edge: every error is problem+json, the gateway's own answers too ---------------------

def assert_problem(answer: requests.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:etax:problem:")
    assert problem["title"]
    assert problem["detail"]
    return problem


def test_an_unknown_path_is_a_problem_from_the_gateway(api: str) -> None:
    assert_problem(requests.get(f"{api}/v1/nowhere", timeout=30), 404)
    assert_problem(requests.delete(f"{api}/v1/health", timeout=30), 404)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_no_valid_token_is_a_401_problem_from_the_gateway(api: str,
                                                           headers: dict[str, str]) -> None:
    problem = assert_problem(requests.get(f"{api}/v1/me", headers=headers, timeout=30), 401)
    assert problem["type"] == "urn:etax:problem:unauthorized"


def channel_token(aws: Any, stack: dict[str, Any]) -> str:
    """The message channels' shared token (the secret's ``token``)."""
    secret = aws("secretsmanager").get_secret_value(SecretId=stack["ChannelTokenSecretArn"])
    value: str = json.loads(secret["SecretString"])["token"]
    return value


def signed_sms(api: str, secret: str, raw: bytes, content_type: str) -> requests.Response:
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return requests.post(f"{api}/v1/channels/sms", data=raw, timeout=30, headers={
        "Content-Type": content_type, "X-Signature": signature})


def test_a_lone_surrogate_is_a_422_naming_the_field(api: str, aws: Any,
                                                    stack: dict[str, Any]) -> None:
    secret = channel_token(aws, stack)
    answer = signed_sms(api, secret, b'{"from": "\\ud800", "text": "HELP"}', "application/json")
    assert assert_problem(answer, 422)["field"] == "from"


def test_an_oversize_body_is_a_413_problem(api: str) -> None:
    answer = requests.post(f"{api}/v1/invoices/qr/parse", json={"payload": "x" * 70_000},
                           timeout=30)
    assert assert_problem(answer, 413)["field"] == "body"
    unknown = requests.post(f"{api}/v1/invoices/qr/parse",
                            json={"payload": "01,32,,1", "surplus": "y" * 50_000}, timeout=30)
    assert assert_problem(unknown, 422)["field"] == "surplus"
    assert len(unknown.text) < 1000


def test_a_json_body_is_read_without_its_content_type(api: str, aws: Any,
                                                      stack: dict[str, Any]) -> None:
    # curl -d sends application/x-www-form-urlencoded: the body reaches the function as sent
    secret = channel_token(aws, stack)
    raw = '{"from": "+8613800000000", "text": "帮助 & more=1"}'.encode()
    answer = signed_sms(api, secret, raw, "application/x-www-form-urlencoded")
    assert answer.status_code == 200, answer.text
    assert answer.json()["to"] == "+8613800000000"


def test_the_served_contract_lists_exactly_the_deployed_routes(api: str, aws: Any) -> None:
    """GET /v1/openapi.json (public) against the REST API as deployed: the same routes."""
    answer = requests.get(f"{api}/v1/openapi.json", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    listed = {(method.upper(), path) for path, item in document["paths"].items()
              for method in item}
    apigw = aws("apigateway")
    [rest_api] = [a["id"] for a in apigw.get_rest_apis(limit=500)["items"]
                  if a["name"] == "etax-local"]
    deployed = {(method, resource["path"])
                for page in apigw.get_paginator("get_resources").paginate(
                    restApiId=rest_api, embed=["methods"])
                for resource in page["items"]
                for method in resource.get("resourceMethods", {}) if method != "OPTIONS"}
    assert deployed == listed
    page = requests.get(f"{api}/v1/docs", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<code>GET /v1/openapi.json</code>" in page.text
