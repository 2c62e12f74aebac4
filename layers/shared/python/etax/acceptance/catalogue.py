"""What may be applied for online, and what each application needs: data, with effective dates.

The sources have no national list of record-filing, qualification and preferential items, nor of
the documents each needs: the items below are our choice of common ones, written as data so
that adding, changing or retiring one (``effective_until``) is a data change, not a code change.
Document limits (types and sizes) are ours too; S3 enforces them on upload (a presigned POST
with a ``Content-Type`` and a ``content-length-range`` condition) and the confirmation checks
the stored object's first bytes against the declared type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from etax.acceptance.results import CatalogueItem


class Category(StrEnum):
    RECORD_FILING = "record_filing"        # 备案: accepted at once
    QUALIFICATION = "qualification"        # 资格认定: reviewed by an officer
    PREFERENTIAL = "preferential"          # 税收优惠: reviewed by an officer


@dataclass(frozen=True, slots=True)
class DocumentKind:
    code: str
    name: str
    content_types: tuple[str, ...]
    max_bytes: int


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    name: str
    category: Category
    required_documents: tuple[str, ...]
    effective_from: date
    effective_until: date | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_until is None
                                              or on <= self.effective_until)

    def view(self) -> CatalogueItem:
        return CatalogueItem(code=self.code, name=self.name, category=self.category.value,
                             required_documents=list(self.required_documents),
                             effective_from=self.effective_from.isoformat(),
                             effective_until=(self.effective_until.isoformat()
                                              if self.effective_until else None))


MIB = 1024 * 1024
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

# The first bytes a file of each type begins with (checked when an upload is confirmed).
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    PDF: (b"%PDF-",),
    JPEG: (b"\xff\xd8\xff",),
    PNG: (b"\x89PNG\r\n\x1a\n",),
}

DOCUMENT_KINDS: dict[str, DocumentKind] = {kind.code: kind for kind in (
    DocumentKind("articles_of_association", "组织章程", (PDF,), 5 * MIB),
    DocumentKind("financial_statements", "财务报表", (PDF,), 5 * MIB),
    DocumentKind("disability_certificates", "残疾人证件", (PDF, JPEG, PNG), 5 * MIB),
    DocumentKind("labour_contracts", "劳动合同", (PDF,), 5 * MIB),
    DocumentKind("property_certificate", "房产证明", (PDF, JPEG, PNG), 5 * MIB),
    DocumentKind("hardship_statement", "困难情况说明", (PDF,), 2 * MIB),
    DocumentKind("other", "其他材料", (PDF, JPEG, PNG), 5 * MIB),
)}

ITEMS: dict[str, Item] = {item.code: item for item in (
    Item("small_low_profit_enterprise", "小型微利企业所得税优惠", Category.RECORD_FILING, (),
         date(2019, 1, 1)),
    Item("rd_super_deduction", "研发费用加计扣除", Category.RECORD_FILING, (), date(2018, 1, 1)),
    Item("nonprofit_tax_exemption", "非营利组织免税资格认定", Category.QUALIFICATION,
         ("articles_of_association", "financial_statements"), date(2018, 2, 7)),
    Item("disabled_employment_vat_refund", "安置残疾人就业增值税即征即退",
         Category.PREFERENTIAL, ("disability_certificates", "labour_contracts"),
         date(2016, 5, 1)),
    Item("property_tax_hardship_relief", "房产税困难减免", Category.PREFERENTIAL,
         ("hardship_statement", "property_certificate"), date(2011, 1, 1)),
)}


class UnknownItem(ValueError):
    """No such item, or not in force on the day asked."""


def item(code: str, on: date) -> Item:
    found = ITEMS.get(code)
    if found is None:
        raise UnknownItem(f"no application item {code!r}; known: {', '.join(sorted(ITEMS))}")
    if not found.in_force(on):
        raise UnknownItem(f"{code} is not in force on {on.isoformat()}")
    return found


def matches_signature(content_type: str, head: bytes) -> bool:
    """Whether ``head`` (the file's first bytes) is what a ``content_type`` file begins with."""
    return any(head.startswith(magic) for magic in SIGNATURES.get(content_type, ()))
