"""Tax certificates (B7) over moto: a residency certificate issued, downloaded (JSON and PDF),
checked offline and online, a tampered copy refused; who may download; natural persons; the
tax payment certificate over the payment-records interface."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from etax.certificates.payments import InMemoryPaymentRecords, PaymentRecord
from etax.documents.canonical import canonical_bytes
from etax.documents.signing import SignatureMismatch, verify_envelope
from tests.functional.conftest import DigestKms, call, load_handler, sample_event
from tests.functional.test_acceptance_registration import put_record
from tests.functional.test_invoices import request

SELLER = "91350100M000100Y43"
PERSON = "350102199003071234"
OWNER = ("taxpayer", SELLER)
RESIDENCY = {"kind": "tax_residency", "year": 2025, "country": "sg",
             "purpose": "享受中新税收协定待遇"}


@pytest.fixture
def module(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
    put_record(SELLER)
    handler = load_handler("certificates")
    handler.signer.kms = DigestKms()
    handler.service.now = lambda: datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    return handler


def issue(module: Any, body: dict[str, Any], who: tuple[str, ...] = OWNER,
          key: str = "c-1") -> dict[str, Any]:
    return call(module, request("POST", "/v1/certificates", body=body, who=who, key=key))


def get(module: Any, path: str, who: tuple[str, ...] | None, number: str,
        resource: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params={"number": number})
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = ({k: [v] for k, v in query.items()}
                                                if query else None)
    return call(module, event)


def download(module: Any, number: str, who: tuple[str, ...] | None = OWNER) -> dict[str, Any]:
    return get(module, f"/v1/certificates/{number}", who, number, "/v1/certificates/{number}")


def verify(module: Any, number: str, digest: str | None = None) -> dict[str, Any]:
    return get(module, f"/v1/certificates/{number}/verify", None, number,
               "/v1/certificates/{number}/verify", {"digest": digest} if digest else None)


def test_a_residency_certificate_is_issued_signed_and_verified(module: Any) -> None:
    answer = issue(module, RESIDENCY)
    assert answer["statusCode"] == 201, answer["json"]
    summary = answer["json"]
    number = summary["number"]
    assert number.startswith("RC")
    assert summary["content"] == {"year": 2025, "country": "SG",
                                  "purpose": "享受中新税收协定待遇"}
    assert summary["tax_office"]["code"] == "13501000000"
    assert issue(module, RESIDENCY)["json"]["number"] == number  # Idempotency-Key

    envelope = download(module, number)["json"]
    assert envelope["status"] == "valid"
    document = envelope["document"]
    assert document["qr"] == f"/v1/certificates/{number}/verify"
    pem = module.signer.public_key()["public_key_pem"]
    verify_envelope(envelope, pem)  # offline, with the public key only
    assert hashlib.sha256(canonical_bytes(document)).hexdigest() == summary["digest"]

    checked = verify(module, number)
    assert checked["statusCode"] == 200
    assert (checked["json"]["verdict"], checked["json"]["matches"]) == ("authentic", None)
    assert verify(module, number, summary["digest"])["json"]["matches"] is True

    tampered = {**document, "content": {**document["content"], "year": 2024}}
    with pytest.raises(SignatureMismatch):
        verify_envelope({**envelope, "document": tampered}, pem)
    refused = verify(module, number, hashlib.sha256(canonical_bytes(tampered)).hexdigest())
    assert refused["json"]["verdict"] == "altered"
    assert refused["json"]["authentic"] is False
    assert verify(module, "RC202611280000000000")["statusCode"] == 404

    pdf = get(module, f"/v1/certificates/{number}/document", OWNER, number,
              "/v1/certificates/{number}/document")
    assert pdf["statusCode"] == 200
    assert pdf["headers"]["Content-Type"] == "application/pdf"
    assert base64.b64decode(pdf["body"]).startswith(b"%PDF-")


def test_only_the_holder_its_office_or_an_admin_downloads(module: Any) -> None:
    number = issue(module, RESIDENCY)["json"]["number"]
    assert download(module, number, ("taxpayer", PERSON))["statusCode"] == 403
    assert download(module, number, ("officer", "o-xm", "13502000000"))["statusCode"] == 403
    assert download(module, number, ("officer", "o-fz", "13501000000"))["statusCode"] == 200
    assert download(module, number, ("admin", "admin-0001"))["statusCode"] == 200
    assert download(module, "RC202611280000000000")["statusCode"] == 404


def test_a_natural_person_gives_a_name_and_is_certified_by_the_ids_region(
        module: Any) -> None:
    person = ("taxpayer", PERSON)
    nameless = issue(module, RESIDENCY, who=person)
    assert (nameless["statusCode"], nameless["json"]["field"]) == (422, "name")
    answer = issue(module, {**RESIDENCY, "name": "陈小明"}, who=person, key="c-2")
    assert answer["statusCode"] == 201, answer["json"]
    assert answer["json"]["holder"] == {"kind": "person", "name": "陈小明",
                                        "id_number": PERSON}
    checked = verify(module, answer["json"]["number"])["json"]
    assert checked["holder"] == {"kind": "person", "name": "陈**",
                                 "id_number": "350102********1234"}
    assert download(module, answer["json"]["number"], ("officer", "o-fz", "13501000000")
                    )["statusCode"] == 200


@pytest.mark.parametrize(("body", "field"), [
    ({**RESIDENCY, "year": 2019}, "year"),
    ({**RESIDENCY, "year": None}, "year"),
    ({**RESIDENCY, "country": "CN"}, "country"),
    ({**RESIDENCY, "country": "S1"}, "country"),
    ({"kind": "tax_residency", "year": 2025}, "country"),
    ({"kind": "licence"}, "kind"),
    ({"kind": "tax_payment", "to": "2026-06-30"}, "from"),
    ({"kind": "tax_payment", "from": "2026-01-01"}, "to"),
    ({"kind": "tax_payment", "from": "2026-07-01", "to": "2026-06-30"}, "to"),
    ({"kind": "tax_payment", "from": "2026-13-01", "to": "2026-06-30"}, "from"),
    # text printed in the signed certificate: no bidi override, zero-width or control character
    ({**RESIDENCY, "purpose": "享受中新税收协定待遇\u202e"}, "purpose"),
    ({**RESIDENCY, "purpose": "享受\u200b中新税收协定待遇"}, "purpose"),
    ({**RESIDENCY, "purpose": "第一行\n第二行"}, "purpose"),
    ({**RESIDENCY, "name": "陈\u2066小明"}, "name"),
    ({**RESIDENCY, "name": "陈小明\ufeff"}, "name"),
])
def test_bad_applications_name_the_field(module: Any, body: dict[str, Any],
                                         field: str) -> None:
    answer = issue(module, body)
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_a_bidi_override_in_the_purpose_is_refused_without_repeating_it(module: Any) -> None:
    answer = issue(module, {**RESIDENCY, "purpose": "用于\u202e协定待遇"})
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "purpose")
    assert "U+202E" in answer["json"]["detail"]
    assert "\u202e" not in answer["body"]


@pytest.mark.parametrize("digest", ["zz", "a" * 63, "a" * 65, "g" * 64, "e3b0 c442"])
def test_a_malformed_digest_is_a_422_naming_it(module: Any, digest: str) -> None:
    number = issue(module, RESIDENCY)["json"]["number"]
    answer = verify(module, number, digest)
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == "digest"
    assert verify(module, "RC202611280000000000", digest)["statusCode"] == 422


def test_a_digest_in_upper_case_with_spaces_is_read(module: Any) -> None:
    summary = issue(module, RESIDENCY)["json"]
    answer = verify(module, summary["number"], f" {summary['digest'].upper()} ")
    assert answer["json"]["matches"] is True


def test_unregistered_and_non_taxpayers_get_no_certificate(module: Any) -> None:
    assert issue(module, RESIDENCY, who=("taxpayer", "91350100MA2Y8KXX1B"))["statusCode"] == 403
    assert issue(module, RESIDENCY, who=("officer", "o-fz", "13501000000"))["statusCode"] == 403


PAYMENTS = [
    PaymentRecord("P1", SELLER, "vat", "增值税", date(2026, 4, 1), date(2026, 4, 30),
                  date(2026, 5, 14), 1_234_56, "V3501202605140001", "13501000000"),
    PaymentRecord("P2", SELLER, "cit", "企业所得税", date(2026, 1, 1), date(2026, 3, 31),
                  date(2026, 4, 20), 5_000_00, "V3501202604200002", "13501000000"),
    PaymentRecord("P3", "91350100MA2Y8KXX1B", "vat", "增值税", date(2026, 4, 1),
                  date(2026, 4, 30), date(2026, 5, 14), 99_00, "V9", "13501000000"),
]


def test_the_tax_payment_certificate_lists_the_payments_of_the_period(module: Any) -> None:
    body = {"kind": "tax_payment", "from": "2026-04-01", "to": "2026-06-30"}
    nothing = issue(module, body)  # read from filing and payment: no payment recorded there
    assert (nothing["statusCode"], nothing["json"]["field"]) == (422, "from")
    module.service.payments = InMemoryPaymentRecords(PAYMENTS)
    answer = issue(module, body, key="c-3")
    assert answer["statusCode"] == 201, answer["json"]
    summary = answer["json"]
    assert summary["number"].startswith("TP")
    assert summary["total"] == "6234.56"
    assert [p["payment_id"] for p in summary["content"]["payments"]] == ["P2", "P1"]
    assert summary["content"]["period"] == "2026-04-01/2026-06-30"
    envelope = download(module, summary["number"])["json"]
    verify_envelope(envelope, module.signer.public_key()["public_key_pem"])
    pdf = get(module, f"/v1/certificates/{summary['number']}/document", OWNER,
              summary["number"], "/v1/certificates/{number}/document")
    assert base64.b64decode(pdf["body"]).startswith(b"%PDF-")
    none = issue(module, {"kind": "tax_payment", "from": "2026-01-01", "to": "2026-03-31"},
                 key="c-4")
    assert (none["statusCode"], none["json"]["field"]) == (422, "from")


def test_the_sample_event_runs(module: Any) -> None:
    answer = call(module, sample_event("certificates/issue.json"))
    assert answer["statusCode"] == 201, answer["json"]
    assert json.dumps(answer["json"], ensure_ascii=False).count("SG") >= 1


def test_the_public_check_reads_one_item(module: Any, api_calls: Any) -> None:
    number = issue(module, RESIDENCY)["json"]["number"]
    api_calls.clear()
    assert verify(module, number)["json"]["verdict"] == "authentic"
    assert api_calls.of("dynamodb") == ["GetItem"]


def test_a_second_certificate_of_the_same_number_is_a_conflict_not_a_crash(aws: None) -> None:
    """A number taken already (a collision, a retried write) is the domain's AlreadyExists,
    which the edge answers 409, never an unhandled error."""
    from etax.certificates.repository import CertificateRepository
    from etax.errors import AlreadyExists

    repository = CertificateRepository()
    document = {"number": "CERT-0001", "type": "residency", "issued_at": "2026-12-03T00:00:00Z"}
    repository.put_new(owner="91350100M000100Y43", tax_office="13501000000", document=document,
                       signature={"alg": "ES256", "kid": "k", "value": "v"})
    with pytest.raises(AlreadyExists, match="certificate CERT-0001 exists already"):
        repository.put_new(owner="91350100M000100Y43", tax_office="13501000000",
                           document=document, signature={"alg": "ES256", "kid": "k", "value": "v"})
