"""The published e-invoice data specification: JSON Schema of the signed document.

Served at ``GET /v1/invoices/spec``. Money is integer fen (``*_fen``); a
red-letter invoice carries negative amounts and ``red_letter_of``. The
signature covers the canonical bytes of the document (:mod:`etax.documents.canonical`).
"""

from __future__ import annotations

from typing import Any

TAX_CODE = r"^[1-6][0-9]{18}$"  # 商品和服务税收分类编码: 19 digits, the first its part (1-6)
FEN = {"type": "integer", "minimum": -(10**13), "maximum": 10**13}
TEXT = {"type": "string", "maxLength": 300}

LINE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["line", "name", "spec", "unit", "quantity", "unit_price", "tax_rate",
                 "amount_fen", "tax_fen"],
    "properties": {
        "line": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "spec": {"type": "string", "maxLength": 40},
        "unit": {"type": "string", "maxLength": 10},
        "quantity": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,6})?$"},
        "unit_price": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,8})?$"},
        "tax_rate": {"enum": ["0.13", "0.09", "0.06", "0.03", "0.01", "0"]},
        "amount_fen": FEN,
        "tax_fen": FEN,
        "tax_code": {"type": "string", "pattern": TAX_CODE,
                     "description": "商品和服务税收分类编码 (the goods and services tax "
                                    "classification code), where the issuer gave it"},
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:etax:invoice:1",
    "title": "e-tax fully digitalized e-invoice (etax-invoice/1)",
    "type": "object",
    "additionalProperties": False,
    "required": ["spec", "number", "type", "type_name", "issue_date", "issued_at", "channel",
                 "seller", "buyer", "items", "amount_fen", "tax_fen", "total_fen", "currency",
                 "remarks", "red_letter_of", "qr"],
    "properties": {
        "spec": {"const": "etax-invoice/1"},
        "number": {"type": "string", "pattern": "^[0-9]{20}$",
                   "description": "yy + 2-digit region + channel digit + 15-digit sequence"},
        "type": {"enum": ["31", "32"],
                 "description": "31 电子发票（增值税专用发票）, 32 电子发票（普通发票）"},
        "type_name": {"type": "string"},
        "issue_date": {"type": "string", "format": "date",
                       "description": "business date, Asia/Shanghai"},
        "issued_at": {"type": "string", "format": "date-time", "description": "UTC"},
        "channel": {"enum": ["web", "mobile", "api"]},
        "seller": {
            "type": "object", "additionalProperties": False,
            "required": ["credit_code", "name", "tax_office_code"],
            "properties": {"credit_code": {"type": "string", "pattern": "^[0-9A-Z]{18}$"},
                           "name": TEXT, "tax_office_code": {"type": "string"}},
        },
        "buyer": {
            "oneOf": [
                {"type": "object", "additionalProperties": False,
                 "required": ["kind", "credit_code", "name"],
                 "properties": {"kind": {"const": "enterprise"},
                                "credit_code": {"type": "string", "pattern": "^[0-9A-Z]{18}$"},
                                "name": TEXT}},
                {"type": "object", "additionalProperties": False,
                 "required": ["kind", "name", "id_number"],
                 "properties": {"kind": {"const": "person"}, "name": TEXT,
                                "id_number": {"type": "string",
                                              "pattern": "^[0-9]{17}[0-9X]$"}}},
            ],
        },
        "items": {"type": "array", "minItems": 1, "maxItems": 100, "items": LINE},
        "amount_fen": FEN,
        "tax_fen": FEN,
        "total_fen": FEN,
        "currency": {"const": "CNY"},
        "remarks": {"type": "string", "maxLength": 300},
        "red_letter_of": {"type": ["string", "null"], "pattern": "^[0-9]{20}$"},
        "qr": {"type": "string", "description": "the national QR payload"},
    },
}

ROUNDING_RULE = (
    "Amounts exclude tax. Line amount = quantity x unit price, rounded half-up to the fen; "
    "line tax = line amount x rate, rounded half-up to the fen; the invoice's amount and tax "
    "are the sums of its lines and its total is amount + tax."
)


def published() -> dict[str, Any]:
    return {"schema": SCHEMA, "rounding": ROUNDING_RULE,
            "canonical_form": "UTF-8 JSON, keys sorted, no insignificant whitespace, no floats",
            "signature": {"algorithm": "ES256 (ECDSA P-256, SHA-256), DER signature, base64",
                          "covers": "the canonical bytes of `document`",
                          "keys": "/v1/keys"}}
