"""VAT invoice types, how a legacy invoice code reveals its type, and which check value each needs.

Sources (sources.md#invoices)
---------------------
* Type codes and names: 01 专票, 02 货运专票, 03 机动车, 04 普票, 10 电子普票, 11 卷票,
  14 通行费电子普票 (jack061/TaxPIC ``fp_parser.py``); 08 增值税电子专用发票,
  31 电子发票（增值税专用发票）, 32 电子发票（普通发票）(public code); 15 二手车 from the
  verification platform's own ``alxd``.
* :func:`classify_legacy_code` is the verification platform's function ``alxd`` (inv-veri JS,
  copied in jack061/TaxPIC and other public code), followed branch for branch, including its list
  of four 12-digit codes that are electronic ordinary invoices despite their shape. Sources note a
  conflict with an older description of digit 8 of 10-digit codes; as the sources advise, software
  follows the platform.
* :func:`routing_area` is the same JS's ``getSwjg``: digits 2-5 (12-digit) or 1-4 (10-digit),
  kept for 2102 大连, 3302 宁波, 3502 厦门, 3702 青岛, 4403 深圳, otherwise province + ``"00"``.
* :func:`required_check`: sources give 专票 → amount excluding tax; 普票/电子普票/卷票 → last six
  digits of the check code; 数电 → total including tax. For types the sources do not name we chose,
  following the platform's own field labels (inv-veri JS error texts "合计金额有误" for 02,
  "不含税价有误" for 03, "车价合计有误" for 15, seen in public copies of that JS) and a public
  verification SDK's field notes (Huawei Cloud OCR ``InvoiceVerificationRequestBody``:
  通行费电子普票 needs the check code; 二手车 the 车价合计):

  ====  ==================  =====================================================
  type  check               why
  ====  ==================  =====================================================
  01    amount              专票 (sources)
  02    amount              a 专票; the platform asks for 合计金额 (tax-exclusive)
  03    amount              the platform asks for 不含税价
  08    amount              the electronic form of the 专票
  04    check_code_last6    普票 (sources)
  10    check_code_last6    电子普票 (sources)
  11    check_code_last6    卷票 (sources)
  14    check_code_last6    an electronic ordinary invoice for tolls
  15    total               the platform asks for 车价合计 (the price in total)
  31    total               数电 (sources)
  32    total               数电 (sources)
  ====  ==================  =====================================================

  The mapping is data (:data:`REQUIRED_CHECK`), so a better source changes one line.
"""

from __future__ import annotations

from typing import Literal

from etax.rules.refusal import Refusal

CheckKind = Literal["amount", "check_code_last6", "total"]

TYPE_NAMES: dict[str, str] = {
    "01": "增值税专用发票",
    "02": "货物运输业增值税专用发票",
    "03": "机动车销售统一发票",
    "04": "增值税普通发票",
    "08": "增值税电子专用发票",
    "10": "增值税电子普通发票",
    "11": "增值税普通发票（卷票）",
    "14": "增值税电子普通发票（通行费）",
    "15": "二手车销售统一发票",
    "31": "电子发票（增值税专用发票）",
    "32": "电子发票（普通发票）",
}
"""Every invoice type we know, by its two-digit code."""

FULLY_DIGITALIZED = frozenset({"31", "32"})
"""数电票 types: a 20-digit number and no invoice code."""

REQUIRED_CHECK: dict[str, CheckKind] = {
    "01": "amount",
    "02": "amount",
    "03": "amount",
    "08": "amount",
    "04": "check_code_last6",
    "10": "check_code_last6",
    "11": "check_code_last6",
    "14": "check_code_last6",
    "15": "total",
    "31": "total",
    "32": "total",
}
"""The one value, besides code, number and date, that the verification platform asks for."""

SPECIAL_ELECTRONIC_CODES = frozenset(
    {"144031539110", "131001570151", "133011501118", "111001571071"}
)
"""Four 12-digit codes the platform treats as 电子普票 (type 10) before any other rule."""

KEPT_AREAS = frozenset({"2102", "3302", "3502", "3702", "4403"})
"""计划单列市 with their own verification endpoint: 大连, 宁波, 厦门, 青岛, 深圳."""

# 12-digit codes starting with 0: digits 11-12 → type (alxd).
_SUFFIX_TYPES = {
    "11": "10",
    "04": "04",
    "05": "04",
    "06": "11",
    "07": "11",
    "12": "14",
    "17": "15",
}
# 10-digit codes: digit 8 → type (alxd).
_DIGIT8_TYPES = {
    "1": "01",
    "5": "01",
    "6": "04",
    "3": "04",
    "7": "02",
    "2": "02",
}


class InvoiceCodeError(Refusal):
    """A legacy invoice code (发票代码) that we cannot use; ``reason`` says why, in plain words."""


class InvoiceTypeError(Refusal):
    """An invoice type code we do not know; ``reason`` lists the known ones."""


def _known(invoice_type: str) -> str:
    if invoice_type not in TYPE_NAMES:
        known = ", ".join(TYPE_NAMES)
        raise InvoiceTypeError(f"invoice type {invoice_type!r} is not one of {known}")
    return invoice_type


def is_known_type(invoice_type: str) -> bool:
    """True for the two-digit codes in :data:`TYPE_NAMES`."""
    return invoice_type in TYPE_NAMES


def type_name(invoice_type: str) -> str:
    """The Chinese name of a type, e.g. ``"01"`` → ``"增值税专用发票"``."""
    return TYPE_NAMES[_known(invoice_type)]


def is_fully_digitalized(invoice_type: str) -> bool:
    """True for 数电票 (31, 32): no invoice code, 20-digit number, checked by the total."""
    return _known(invoice_type) in FULLY_DIGITALIZED


def required_check(invoice_type: str) -> CheckKind:
    """Which value the verification platform needs for this type (see the module table)."""
    return REQUIRED_CHECK[_known(invoice_type)]


def _check_shape(code: object) -> str:
    if not isinstance(code, str):
        raise InvoiceCodeError("an invoice code is a string of digits")
    if len(code) not in (10, 12):
        raise InvoiceCodeError(f"an invoice code has 10 or 12 digits, this one has {len(code)}")
    if not (code.isascii() and code.isdigit()):
        raise InvoiceCodeError("an invoice code has only the digits 0-9")
    return code


def classify_legacy_code(code: str) -> str:
    """The invoice type of a 10- or 12-digit invoice code, by the platform's own rule (``alxd``).

    12 digits: one of the four special codes → 10; else, when the first digit is 0, digits 11-12
    decide (11 → 10, 04/05 → 04, 06/07 → 11, 12 → 14, 17 → 15); else, when the first digit is not 0
    and digit 8 is 2 → 03. 10 digits: digit 8 decides (1/5 → 01, 3/6 → 04, 2/7 → 02). Anything the
    platform would label "99" raises :class:`InvoiceCodeError`.
    """
    code = _check_shape(code)
    if len(code) == 12:
        if code in SPECIAL_ELECTRONIC_CODES:
            return "10"
        if code[0] == "0":
            found = _SUFFIX_TYPES.get(code[10:12])
            if found is not None:
                return found
            raise InvoiceCodeError(
                f"a 12-digit code starting with 0 must end in one of "
                f"{', '.join(sorted(_SUFFIX_TYPES))}; this one ends in {code[10:12]}"
            )
        if code[7] == "2":
            return "03"
        raise InvoiceCodeError(
            "a 12-digit code not starting with 0 is a 机动车 invoice only when digit 8 is 2; "
            f"here it is {code[7]}"
        )
    found = _DIGIT8_TYPES.get(code[7])
    if found is not None:
        return found
    raise InvoiceCodeError(
        f"digit 8 of a 10-digit code must be 1, 2, 3, 5, 6 or 7; here it is {code[7]}"
    )


def routing_area(code: str) -> str:
    """The 4-digit area whose verification endpoint serves this code.

    Digits 2-5 of a 12-digit code or 1-4 of a 10-digit one; the five 计划单列市 in
    :data:`KEPT_AREAS` keep their own area, every other code goes to its province (first two
    digits + ``"00"``).
    """
    code = _check_shape(code)
    area = code[1:5] if len(code) == 12 else code[0:4]
    return area if area in KEPT_AREAS else area[:2] + "00"
