"""Field documents (现场文书): what an inspector issues on site, and its printed form.

Two kinds, named as the tax inspection rules name them (docs/sources.md#field-documents):

- ``inspection_notice`` — 税务检查通知书: the taxpayer is told which periods and matters the
  named inspectors will inspect; the inspectors show it with their inspection cards;
- ``inquiry_notice`` — 询问通知书: the taxpayer is asked to send someone to be questioned at
  a time and place.

An inspection is made by two or more inspectors: a document is drafted by one officer and
issued only when a second officer of the same office countersigns it. Issuing numbers it —
``<office>-<JC|XW>-<year>-<sequence>``, in order per office, kind and year with no number
skipped (the counter and the document are written in one transaction) — and signs it with
the platform's key. The document (spec ``etax-field-document/1``)::

    {"spec", "number", "kind", "kind_name", "issue_date", "issued_at",
     "taxpayer": {"name", "credit_code"}, "tax_office": {"code", "name"},
     "inspectors": ["<officer>", "<officer>"], "content": {...the kind's facts...},
     "verify": "/v1/field-documents/<number>/verify", "qr": "<the same path>"}

Anyone checks it by number (a taxpayer facing someone who says they are an inspector scans
the QR code): whether the platform issued it, whether it was withdrawn, and — given the
SHA-256 of a copy's canonical document — whether the copy is the one issued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from etax.documents.canonical import digest as digest
from etax.documents.canonical import presented_digest
from etax.documents.pdf import signed_page
from etax.errors import Invalid
from etax.rules.dates import SHANGHAI, months_between

SPEC: Final = "etax-field-document/1"
INSPECTION: Final = "inspection_notice"
INQUIRY: Final = "inquiry_notice"


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # the document's Chinese name, its title
    code: str  # the letters of its number


KINDS: Final = {INSPECTION: Kind("税务检查通知书", "JC"), INQUIRY: Kind("询问通知书", "XW")}
# a draft's fields that belong to the other kind: refused (422 naming them), never ignored
NOT_OF_KIND: Final = {INSPECTION: ("appointment",), INQUIRY: ("period", "place")}
MAX_PERIOD_MONTHS: Final = 120  # an inspection covers at most ten years of periods
INQUIRY_MAX_DAYS: Final = 60  # an inquiry is set at most this many days after it is drafted
DRAFT_DAYS: Final = 7  # a draft not countersigned within a week expires
NUMBER = re.compile(r"\d{11}-(JC|XW)-\d{4}-\d{5}")


def number_of(office: str, kind: str, year: int, sequence: int) -> str:
    return f"{office}-{KINDS[kind].code}-{year}-{sequence:05d}"


def verify_path(number: str) -> str:
    return f"/v1/field-documents/{number}/verify"


def check_digest(value: str) -> str:
    """A copy's SHA-256 as :func:`digest` writes it (outer spaces, upper case accepted);
    422 naming ``digest`` otherwise."""
    presented = presented_digest(value)
    if presented is None:
        raise Invalid("digest: the SHA-256 of the copy's canonical document, 64 hexadecimal "
                      "digits", field="digest")
    return presented


def check_period(first: str, last: str, today: date) -> dict[str, str]:
    """An inspection's periods: months ``first`` to ``last`` (``YYYY-MM``), none after the
    current month, at most :data:`MAX_PERIOD_MONTHS`."""
    if months_between(first, last) < 1:
        raise Invalid("period.to: a month not before period.from", field="period.to")
    if last > f"{today:%Y-%m}":
        raise Invalid("period.to: a month not after the current one", field="period.to")
    if months_between(first, last) > MAX_PERIOD_MONTHS:
        raise Invalid(f"period: at most {MAX_PERIOD_MONTHS} months", field="period.from")
    return {"from": first, "to": last}


def minute_of(moment: datetime) -> str:
    """An instant in Asia/Shanghai to the minute, as an inquiry's time is printed and kept."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M+08:00")


def check_appointment(at: datetime, now: datetime) -> str:
    """An inquiry's time: ahead of ``now`` and at most :data:`INQUIRY_MAX_DAYS` days ahead;
    the instant in Asia/Shanghai to the minute (as printed)."""
    if at.tzinfo is None:
        raise Invalid("appointment.at: a time with its offset (e.g. +08:00)",
                      field="appointment.at")
    if at <= now:
        raise Invalid("appointment.at: a time still ahead", field="appointment.at")
    if at > now + timedelta(days=INQUIRY_MAX_DAYS):
        raise Invalid(f"appointment.at: at most {INQUIRY_MAX_DAYS} days ahead",
                      field="appointment.at")
    return minute_of(at)


def _text_lines(document: dict[str, Any]) -> list[str]:
    taxpayer, content = document["taxpayer"], document["content"]
    inspectors = "、".join(document["inspectors"])
    lines = [f"{taxpayer['name']}（纳税人识别号 {taxpayer['credit_code']}）："]
    if document["kind"] == INSPECTION:
        period = content["period"]
        lines += [f"根据税收法律法规的规定，决定派 {inspectors}",
                  f"自 {document['issue_date']} 起对你单位 {period['from']} 至 "
                  f"{period['to']} 期间的",
                  f"{content['matters']}",
                  "进行税务检查，请予配合。检查人员应当出示税务检查证件。"]
    else:
        at = content["at"]
        lines += [f"请你单位有关人员于 {at[:10]} {at[11:16]}（北京时间）",
                  f"到 {content['place']}",
                  f"就 {content['matters']} 接受询问。",
                  f"询问人员：{inspectors}"]
    if content.get("place") and document["kind"] == INSPECTION:
        lines.append(f"检查地点：{content['place']}")
    return lines


def render_pdf(envelope: dict[str, Any], status: str) -> bytes:
    """One A4 page: the title, number and date, the notice's text, the office, the QR code;
    a withdrawn document is stamped so."""
    document = envelope["document"]
    return signed_page(envelope, title=document["kind_name"],
                       number_line=f"编号：{document['number']}",
                       date_line=f"日期：{document['issue_date']}",
                       lines=_text_lines(document), office=document["tax_office"],
                       stamp_text="已撤回 WITHDRAWN" if status == "withdrawn" else None)
