"""Certificate rules (B7): the residency rule, payment periods and lines, the document's
digest and its printed form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from etax.certificates import rules
from etax.certificates.documents import digest, render_pdf, verify_path
from etax.rules.tax_offices import prefecture_office

TODAY = date(2026, 11, 28)


def test_residency_years_run_from_three_years_back_to_this_year() -> None:
    rules.check_residency_year(2023, TODAY, None)
    rules.check_residency_year(2026, TODAY, date(2016, 3, 1))
    for year in (2022, 2027):
        with pytest.raises(rules.CertificateRefused) as refused:
            rules.check_residency_year(year, TODAY, None)
        assert refused.value.field == "year"


def test_an_enterprise_is_not_certified_for_a_year_before_it_existed() -> None:
    with pytest.raises(rules.CertificateRefused, match="registered on 2025-01-02"):
        rules.check_residency_year(2024, TODAY, date(2025, 1, 2))
    rules.check_residency_year(2024, TODAY, date(2024, 12, 31))


@pytest.mark.parametrize(("code", "expected"), [("sg", "SG"), (" GB ", "GB")])
def test_the_other_jurisdiction_is_an_iso_code_other_than_china(code: str,
                                                                 expected: str) -> None:
    assert rules.check_country(code) == expected


@pytest.mark.parametrize("code", ["CN", "S", "S1", "SGP"])
def test_bad_jurisdictions_are_refused(code: str) -> None:
    with pytest.raises(rules.CertificateRefused) as refused:
        rules.check_country(code)
    assert refused.value.field == "country"


def test_a_digest_is_64_hex_digits_in_either_case() -> None:
    digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert rules.check_digest(digest) == digest
    assert rules.check_digest(f" {digest.upper()}\n") == digest


@pytest.mark.parametrize("text", ["", "zz", "0" * 63, "0" * 65, "g" * 64, "0x" + "0" * 62,
                                  "０" * 64, "e3b0 c442" + "0" * 55])
def test_a_malformed_digest_is_refused_naming_it(text: str) -> None:
    with pytest.raises(rules.CertificateRefused) as refused:
        rules.check_digest(text)
    assert refused.value.field == "digest"


def test_a_persons_office_is_the_municipal_office_of_the_id_region() -> None:
    assert prefecture_office("350102199003071234") == "13501000000"


def test_payment_periods() -> None:
    rules.check_period(date(2026, 1, 1), date(2026, 6, 30), TODAY)
    with pytest.raises(rules.CertificateRefused, match="ends before"):
        rules.check_period(date(2026, 2, 1), date(2026, 1, 1), TODAY)
    with pytest.raises(rules.CertificateRefused, match="after today"):
        rules.check_period(date(2026, 1, 1), date(2026, 11, 29), TODAY)
    with pytest.raises(rules.CertificateRefused, match="at most 366"):
        rules.check_period(date(2025, 1, 1), date(2026, 1, 2), TODAY)


def line(payment_id: str, paid_on: date, amount_fen: int = 100) -> rules.PaymentRecord:
    return rules.PaymentRecord(payment_id, "91350100M000100Y43", "vat", "增值税",
                               date(2026, 4, 1), date(2026, 4, 30), paid_on, amount_fen,
                               f"V{payment_id}", "13501000000")


def test_payment_lines_in_the_period_oldest_first_and_none_is_refused() -> None:
    lines = [line("b", date(2026, 5, 15)), line("a", date(2026, 5, 10)),
             line("c", date(2026, 7, 1))]
    chosen = rules.payment_lines(lines, date(2026, 5, 1), date(2026, 6, 30))
    assert [p.payment_id for p in chosen] == ["a", "b"]
    assert chosen[0].as_document()["period"] == "2026-04-01/2026-04-30"
    with pytest.raises(rules.CertificateRefused, match="no tax was paid"):
        rules.payment_lines(lines, date(2026, 1, 1), date(2026, 3, 31))
    with pytest.raises(ValueError, match="non-positive"):
        rules.payment_lines([line("r", date(2026, 5, 1), -5)], date(2026, 5, 1),
                            date(2026, 5, 31))


DOCUMENT: dict[str, Any] = {
    "spec": "etax-certificate/1", "number": "RC202611280000000001", "type": "tax_residency",
    "type_name": "中国税收居民身份证明", "issue_date": "2026-11-28",
    "issued_at": "2026-11-28T08:00:00Z",
    "holder": {"kind": "enterprise", "name": "福州闽江示例科技有限公司",
               "credit_code": "91350100M000100Y43"},
    "tax_office": {"code": "13501000000", "name": "国家税务总局福州市税务局"},
    "content": {"year": 2025, "country": "SG", "purpose": "享受税收协定待遇"},
    "verify": verify_path("RC202611280000000001"), "qr": verify_path("RC202611280000000001"),
}


def test_the_digest_changes_with_any_change_of_the_document() -> None:
    assert len(digest(DOCUMENT)) == 64
    assert digest(DOCUMENT) == digest(dict(reversed(list(DOCUMENT.items()))))
    altered = {**DOCUMENT, "content": {**DOCUMENT["content"], "year": 2024}}
    assert digest(altered) != digest(DOCUMENT)


def test_the_printed_certificate_is_a_pdf() -> None:
    envelope = {"document": DOCUMENT,
                "signature": {"algorithm": "ES256", "key_id": "k", "value": "c2ln"}}
    pdf = render_pdf(envelope)
    assert pdf.startswith(b"%PDF-")
    assert render_pdf(envelope) == pdf  # the same document prints the same bytes
    assert render_pdf(envelope, "revoked") != pdf
