"""What every printed document of the platform shares: the CJK font, the QR code, the
signature footer and the status stamp.

Chinese text uses the PDF standard CJK font ``STSong-Light`` (Adobe-GB1), which every
PDF reader provides, so no font file is shipped or embedded. reportlab is imported
inside the functions, when a document is rendered, not at a function's cold start.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

FONT = "STSong-Light"


def canvas_for(buffer: Any, pagesize: tuple[float, float]) -> Any:
    """A reportlab canvas (byte-identical output for identical input) with the CJK font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return canvas.Canvas(buffer, pagesize=pagesize, invariant=True)


def draw_qr(pdf: Any, text: str, x: float, y: float, size: float) -> None:
    """The QR code of ``text``, ``size`` points wide, its lower-left corner at (x, y)."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    qr = QrCodeWidget(text)
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, x, y)


def signature_footer(signature: dict[str, Any]) -> str:
    return (f"电子签名 {signature['algorithm']} · 密钥 {signature['key_id']} · "
            "可在 /v1/keys 获取公钥离线验签")


def stamp(pdf: Any, text: str, width: float, height: float) -> None:
    """A large red diagonal stamp across the page (void, credited, revoked)."""
    pdf.saveState()
    pdf.setFillColorRGB(0.8, 0.1, 0.1)
    pdf.setFont(FONT, 36)
    pdf.translate(width / 2, height / 2)
    pdf.rotate(20)
    pdf.drawCentredString(0, 0, text)
    pdf.restoreState()


def signed_page(envelope: dict[str, Any], *, title: str, number_line: str, date_line: str,
                lines: Sequence[str], office: dict[str, Any],
                stamp_text: str | None = None) -> bytes:
    """One A4 page of a signed document: the title, its number and date on the right, the
    text ``lines``, the issuing office, the QR code of its public check (``document.qr``)
    with the check's path beneath, the signature's footer, and ``stamp_text`` across the page
    when it no longer stands (revoked, withdrawn)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    document = envelope["document"]
    width, height = A4
    buffer = io.BytesIO()
    pdf = canvas_for(buffer, (width, height))
    pdf.setTitle(f"{title} {document['number']}")
    pdf.setAuthor(office["name"])
    pdf.setFont(FONT, 18)
    pdf.drawCentredString(width / 2, height - 30 * mm, title)
    pdf.setFont(FONT, 10)
    right = width - 20 * mm
    pdf.drawRightString(right, height - 40 * mm, number_line)
    pdf.drawRightString(right, height - 46 * mm, date_line)
    y = height - 62 * mm
    pdf.setFont(FONT, 11)
    for line in lines:
        pdf.drawString(20 * mm, y, line)
        y -= 8 * mm
    pdf.drawString(20 * mm, y - 6 * mm, f"税务机关：{office['name']}（{office['code']}）")
    draw_qr(pdf, document["qr"], right - 30 * mm, 30 * mm, 30 * mm)
    pdf.setFont(FONT, 8)
    pdf.drawString(20 * mm, 34 * mm, f"扫码或访问 {document['verify']} 查验真伪")
    pdf.drawString(20 * mm, 15 * mm, signature_footer(envelope["signature"]))
    if stamp_text:
        stamp(pdf, stamp_text, width, height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

