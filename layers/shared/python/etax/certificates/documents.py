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

import hashlib
import io
from typing import Any

from etax.documents.canonical import canonical_bytes
from etax.documents.pdf import FONT, canvas_for, draw_qr, signature_footer, stamp
from etax.rules import money

SPEC = "etax-certificate/1"


def verify_path(number: str) -> str:
    return f"/v1/certificates/{number}/verify"


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(document)).hexdigest()


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
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    document = envelope["document"]
    width, height = A4
    buffer = io.BytesIO()
    pdf = canvas_for(buffer, (width, height))
    pdf.setTitle(f"{document['type_name']} {document['number']}")
    pdf.setAuthor(document["tax_office"]["name"])
    pdf.setFont(FONT, 18)
    pdf.drawCentredString(width / 2, height - 30 * mm, document["type_name"])
    pdf.setFont(FONT, 10)
    right = width - 20 * mm
    pdf.drawRightString(right, height - 40 * mm, f"编号：{document['number']}")
    pdf.drawRightString(right, height - 46 * mm, f"开具日期：{document['issue_date']}")
    y = height - 62 * mm
    pdf.setFont(FONT, 11)
    for line in _content_lines(document):
        pdf.drawString(20 * mm, y, line)
        y -= 8 * mm
    pdf.drawString(20 * mm, y - 6 * mm, f"税务机关：{document['tax_office']['name']}"
                                        f"（{document['tax_office']['code']}）")
    draw_qr(pdf, document["qr"], right - 30 * mm, 30 * mm, 30 * mm)
    pdf.setFont(FONT, 8)
    pdf.drawString(20 * mm, 34 * mm, f"扫码或访问 {document['verify']} 查验真伪")
    pdf.drawString(20 * mm, 15 * mm, signature_footer(envelope["signature"]))
    if status != "valid":
        stamp(pdf, "已作废 REVOKED", width, height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
