"""A printable rendering of a signed invoice: one A5-landscape PDF page with its QR code.

The QR code carries the national payload (:mod:`etax.rules.qr`), so any verification
app can scan the printed page. Font, QR drawing, footer and stamp are shared with the
other signed documents (:mod:`etax.documents.pdf`).
"""

from __future__ import annotations

import io
from typing import Any

from etax.documents.pdf import FONT, canvas_for, draw_qr, signature_footer, stamp
from etax.rules import money

STATUS_STAMPS = {"voided": "作废 VOID", "red_flushed": "已红冲 CREDITED"}


def render_pdf(envelope: dict[str, Any], status: str = "normal") -> bytes:
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.lib.units import mm

    document = envelope["document"]
    width, height = landscape(A5)
    buffer = io.BytesIO()
    pdf = canvas_for(buffer, (width, height))
    pdf.setTitle(f"{document['type_name']} {document['number']}")
    pdf.setAuthor(document["seller"]["name"])

    red = document.get("red_letter_of")
    pdf.setFillColorRGB(0.6, 0.1, 0.1) if red else pdf.setFillColorRGB(0.1, 0.1, 0.3)
    pdf.setFont(FONT, 15)
    title = document["type_name"] + ("（红字）" if red else "")
    pdf.drawCentredString(width / 2, height - 16 * mm, title)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(FONT, 8.5)
    right = width - 12 * mm
    pdf.drawRightString(right, height - 24 * mm, f"发票号码：{document['number']}")
    pdf.drawRightString(right, height - 29 * mm, f"开票日期：{document['issue_date']}")

    draw_qr(pdf, document["qr"], 12 * mm, height - 38 * mm, 24 * mm)

    buyer = document["buyer"]
    seller = document["seller"]
    y = height - 46 * mm
    pdf.drawString(12 * mm, y, f"购买方：{buyer['name']}  "
                   f"{buyer.get('credit_code') or buyer.get('id_number', '')}")
    pdf.drawString(12 * mm, y - 5 * mm, f"销售方：{seller['name']}  {seller['credit_code']}")

    y -= 14 * mm
    columns = [(12, "项目名称"), (58, "规格型号"), (80, "单位"), (92, "数量"), (108, "单价"),
               (130, "金额"), (152, "税率"), (166, "税额")]
    for x, label in columns:
        pdf.drawString(x * mm, y, label)
    pdf.line(12 * mm, y - 1.5 * mm, right, y - 1.5 * mm)
    for line in document["items"][:12]:
        y -= 5 * mm
        values = [line["name"][:14], line["spec"][:8], line["unit"][:4], line["quantity"],
                  line["unit_price"], money.format_yuan(line["amount_fen"]),
                  f"{int(float(line['tax_rate']) * 100)}%" if line["tax_rate"] != "0" else "0%",
                  money.format_yuan(line["tax_fen"])]
        for (x, _), value in zip(columns, values, strict=True):
            pdf.drawString(x * mm, y, str(value))
    if len(document["items"]) > 12:
        y -= 5 * mm
        pdf.drawString(12 * mm, y, f"……共 {len(document['items'])} 行，详见电子发票数据")

    y -= 9 * mm
    pdf.line(12 * mm, y + 3.5 * mm, right, y + 3.5 * mm)
    pdf.drawString(12 * mm, y, f"合计金额：¥{money.format_yuan(document['amount_fen'])}   "
                               f"合计税额：¥{money.format_yuan(document['tax_fen'])}")
    pdf.setFont(FONT, 10)
    pdf.drawString(12 * mm, y - 6 * mm,
                   f"价税合计（小写）：¥{money.format_yuan(document['total_fen'])}")
    pdf.setFont(FONT, 7.5)
    if document.get("remarks"):
        pdf.drawString(12 * mm, y - 12 * mm, f"备注：{document['remarks'][:60]}")
    signature = envelope["signature"]
    pdf.drawString(12 * mm, 8 * mm, signature_footer(signature))
    if status in STATUS_STAMPS:
        stamp(pdf, STATUS_STAMPS[status], width, height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
