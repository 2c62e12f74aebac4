"""The certificate document (canonical JSON, signed like an invoice) and its printed form.

The document (spec ``etax-certificate/1``)::

    {"spec", "number", "type", "type_name", "issue_date", "issued_at",
     "holder": {"kind": "enterprise", "name", "credit_code"}
             | {"kind": "person", "name", "id_number"},
     "tax_office": {"code", "name"},
     "content": {...the kind's facts...},
     "verify": "/v1/certificates/<number>/verify",
     "qr": "<the same path>"}

The QR code carries the verification path (the API's host is the reader's: the same
path answers on every deployment); :func:`digest` is the SHA-256 of the canonical
bytes, which the verification route compares with what was issued.
"""

from __future__ import annotations

from typing import Any

from etax.documents.canonical import digest as digest
from etax.documents.pdf import signed_page
from etax.rules import money

SPEC = "etax-certificate/1"


def verify_path(number: str) -> str:
    return f"/v1/certificates/{number}/verify"


def _content_lines(document: dict[str, Any]) -> list[str]:
    content = document["content"]
    holder = document["holder"]
    who = f"{holder['name']}（{holder.get('credit_code') or holder.get('id_number')}）"
    if document["type"] == "tax_residency":
        lines = [f"兹证明 {who}",
                 f"为{content['year']}年度中华人民共和国税收居民。",
                 f"适用税收协定（安排）缔约对方：{content['country']}"]
        if content.get("purpose"):
            lines.append(f"用途：{content['purpose'][:40]}")
        return lines
    lines = [f"纳税人：{who}", f"缴款期间：{content['period']}"]
    for payment in content["payments"][:20]:
        lines.append(f"{payment['paid_on']}  {payment['tax_kind_name']}  所属期 "
                     f"{payment['period']}  ¥{money.format_yuan(payment['amount_fen'])}  "
                     f"凭证 {payment['voucher']}")
    if len(content["payments"]) > 20:
        lines.append(f"……共 {len(content['payments'])} 笔，详见电子证明数据")
    lines.append(f"合计：¥{money.format_yuan(content['total_fen'])}")
    return lines


def render_pdf(envelope: dict[str, Any], status: str = "valid") -> bytes:
    """One A4 page: title, number, holder, content, the issuing office, the QR code."""
    document = envelope["document"]
    return signed_page(envelope, title=document["type_name"],
                       number_line=f"编号：{document['number']}",
                       date_line=f"开具日期：{document['issue_date']}",
                       lines=_content_lines(document), office=document["tax_office"],
                       stamp_text=None if status == "valid" else "已作废 REVOKED")
