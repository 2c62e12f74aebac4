"""What the platform repeats of a client's input: resident IDs masked, text bounded, problems
and log lines built through one place."""

from __future__ import annotations

import json
import logging

import pytest

from etax.platform.api import validation_problem
from etax.platform.errors import Conflict, Unprocessable
from etax.platform.observability import MaskingFormatter
from etax.platform.privacy import excerpt, mask_fields, mask_identifier, mask_text, valid_text

PERSON = "350102199003071234"


def test_an_identifier_keeps_its_first_six_and_last_four() -> None:
    assert mask_identifier(PERSON) == "350102********1234"
    assert mask_identifier("11010519491231002X") == "110105********002X"
    assert mask_identifier("1234567890") == "**********"


def test_every_resident_id_in_a_text_is_masked() -> None:
    text = f"{PERSON} is registered already; so is 11010519491231002x ({PERSON})"
    assert mask_text(text) == ("350102********1234 is registered already; so is "
                               "110105********002x (350102********1234)")


def test_other_long_numbers_are_left_alone() -> None:
    # an 18-digit customs declaration and a bank card carry no birth date; invoices have 20 digits
    for number in ("350120261000012345", "622202020011003345", "26352000000000000101",
                   "91350100M000100Y43", f"A{PERSON}", f"{PERSON}5"):
        assert mask_text(f"number {number}.") == f"number {number}."


def test_an_excerpt_is_short_and_marks_the_cut() -> None:
    assert excerpt("abc") == "abc"
    cut = excerpt("x" * 100_000)
    assert len(cut) == 80
    assert cut.endswith("…")
    assert excerpt("a\ud800b") == "a\ufffdb"
    assert not valid_text("a\ud800b")
    assert valid_text("陈小明 😀")


def test_a_problem_body_is_bounded_and_masked_whatever_was_raised() -> None:
    huge = "9" * 100_000
    body = Unprocessable(f"period: {huge!r} is not a period", field=huge,
                         extra={"errors": [{"field": "period", "message": huge}]}).body()
    assert len(json.dumps(body)) < 1000
    assert len(body["detail"]) <= 240
    assert body["detail"].startswith("period: '999")
    assert len(body["field"]) <= 80
    assert len(body["errors"][0]["message"]) <= 240
    conflict = Conflict(f"{PERSON} is registered already", field="resident_id").body()
    assert conflict["detail"] == "350102********1234 is registered already"
    assert PERSON not in json.dumps(Unprocessable("x", extra={"who": [PERSON]}).body())


def test_validation_problems_never_carry_the_input() -> None:
    huge = "q" * 100_000
    errors = [{"type": "value_error", "loc": ("period",), "msg": f"Value error, {huge} is bad",
               "input": huge}] * 500
    body = validation_problem(errors, prefix=("body",)).body()
    assert len(json.dumps(body)) < 10_000
    assert len(body["errors"]) == 20
    assert all("input" not in e for e in body["errors"])
    assert body["field"] == "period"
    extra = validation_problem([{"type": "extra_forbidden", "loc": ("body", huge),
                                 "msg": "Extra inputs are not permitted", "input": 1}]).body()
    assert len(extra["field"]) <= 80


def test_log_lines_are_masked_and_bounded() -> None:
    formatter = MaskingFormatter()
    record = logging.LogRecord("etax", logging.INFO, __file__, 1, "client problem", None, None)
    record.problem = {"detail": f"{PERSON} is registered already", "value": "z" * 100_000}
    line = formatter.format(record)
    assert PERSON not in line
    assert "350102********1234" in line
    assert len(line) < 10_000
    record = logging.LogRecord("etax", logging.INFO, __file__, 1, f"for {PERSON}", None, None)
    assert "350102********1234" in formatter.format(record)


@pytest.mark.parametrize(("value", "masked"), [
    ("11010519491231002X", "110105********002X"),  # resident ID (GB 11643 example)
    ("91350100M000100Y43", "913501********0Y43"),  # unified social credit code
    ("officer-fz-0001", "office*****0001"),
    ("admin-0001", "**********"),  # 10 characters or fewer: nothing would be hidden
    ("", ""),
])
def test_mask_identifier_keeps_six_and_four(value: str, masked: str) -> None:
    assert mask_identifier(value) == masked
    assert len(mask_identifier(value)) == len(value)


# ---- each kind of personal data a log line may meet (docs/security.md) ----------------------

TOKEN = ("eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzNTAxMDIxOTkwMDMwNzEyMzQifQ."
         "c2lnbmF0dXJlLW9mLXRoZS10b2tlbg")


def log_line(message: str, **extra: object) -> str:
    record = logging.LogRecord("etax", logging.INFO, __file__, 1, message, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return MaskingFormatter().format(record)


@pytest.mark.parametrize(("kind", "message", "extra", "secret", "shown"), [
    ("resident ID in the text", f"registered {PERSON}", {}, PERSON, "350102********1234"),
    ("resident ID in a field", "registered", {"who": {"id": PERSON}}, PERSON,
     "350102********1234"),
    ("mobile in the text", "sent to +8613800138000", {}, "13800138000", "+86138****8000"),
    ("mobile in a field", "sent", {"sms": {"phone": "13800138000"}}, "13800138000",
     '"phone":"138****8000"'),
    ("bank card in a field", "verified", {"bank_card": "622202020011003345"},
     "622202020011003345", "622202********3345"),
    ("bank account in a field", "paid", {"account": {"bank": "中国银行",
                                                     "number": "6217000000001234"}},
     "6217000000001234", '"account":"***"'),
    ("name in a field", "checked", {"applicant": {"name": "欧阳小明"}}, "欧阳小明",
     '"name":"****"'),
    ("token in the text", f"refused Bearer {TOKEN}", {}, TOKEN.split(".")[1], "[token]"),
    ("token in a field", "refused", {"authorization": f"Bearer {TOKEN}"},
     TOKEN.split(".")[1], '"authorization":"Bearer*'),
])
def test_a_log_line_masks_each_kind_of_personal_data(
        kind: str, message: str, extra: dict[str, object], secret: str, shown: str) -> None:
    line = log_line(message, **extra)
    assert secret not in line, kind
    assert shown in line, (kind, line)


def test_masking_leaves_what_is_not_personal_data() -> None:
    # a tax office code looks like a bare mobile number: only +86 numbers are read as phones
    text = "office 13501000000, invoice 26352000000000000101, credit code 91350100M000100Y43"
    assert mask_text(text) == text
    assert mask_fields({"tax_office": "13501000000", "case_id": "RF-1", "names": ["x"]}) == {
        "tax_office": "13501000000", "case_id": "RF-1", "names": ["x"]}
    assert mask_fields({"Name": None, "phone": 13800138000}) == {"Name": None,
                                                                 "phone": "***********"}
