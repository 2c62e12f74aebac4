"""The tax school's courseware and library rules: a file's type told by its first bytes, its
name held to its type, question ids in the order asked, the library's ranking, filters and
highlights."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from etax.school import catalogue
from etax.school.library import Shelf, highlights
from etax.school.requests import CoursewareRequest

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@pytest.mark.parametrize(("content_type", "first", "expected"), [
    ("application/pdf", b"%PDF-1.7\n", True),
    ("application/pdf", b"PK\x03\x04", False),
    ("video/mp4", b"\x00\x00\x00\x20ftypisom", True),
    ("video/mp4", b"ftyp\x00\x00\x00\x20", False),
    (PPTX, b"PK\x03\x04\x14\x00", True),
    ("application/zip", b"MZ\x90\x00", False),
    ("application/zip", b"", False),
])
def test_a_file_type_is_told_by_its_first_bytes(content_type: str, first: bytes,
                                                expected: bool) -> None:
    assert catalogue.typed(content_type, first) is expected


def test_a_file_name_ends_as_its_type_says() -> None:
    body: dict[str, Any] = {"title": "课件", "content_type": PPTX, "size": 10,
                            "sha256": "a" * 64}
    named = CoursewareRequest.model_validate({**body, "filename": "Lesson-1.PPTX"})
    assert named.filename == "Lesson-1.PPTX"
    with pytest.raises(ValidationError) as raised:
        CoursewareRequest.model_validate({**body, "filename": "lesson-1.pdf"})
    assert raised.value.errors()[0]["loc"] == ("filename",)
    # a wrong type is named alone, not the name too
    with pytest.raises(ValidationError) as raised:
        CoursewareRequest.model_validate({**body, "content_type": "text/html",
                                          "filename": "a.pdf"})
    assert [e["loc"] for e in raised.value.errors()] == [("content_type",)]


def test_question_ids_sort_in_the_order_asked() -> None:
    first = catalogue.question_id(1_765_000_000_000, "ffffff")
    later = catalogue.question_id(1_765_000_000_001, "000000")
    assert first < later
    assert catalogue.QUESTION_ID.fullmatch(first)
    assert catalogue.QUESTION_ID.fullmatch(later)


def document(n: int, title: str, summary: str, category: str = "guide",
             tags: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": f"lib-{n:016x}", "title": title, "summary": summary, "category": category,
            "tags": list(tags), "published_at": f"2026-12-0{n}T00:00:00Z"}


SHELF = Shelf.build("r3", [
    document(1, "增值税小规模纳税人减免政策", "月销售额10万元以下免征增值税。", "policy",
             ("增值税",)),
    document(2, "电子发票开具指南", "数电发票的开具与红字发票。", "guide", ("发票",)),
    document(3, "个人所得税年度汇算", "综合所得年度汇算的办理时间与退税。", "video", ("个税",)),
])


def test_the_library_ranks_title_words_first_and_filters() -> None:
    found, total = SHELF.search("增值税")
    assert [f.document["id"] for f in found] == [f"lib-{1:016x}"]
    assert total == 1
    assert found[0].score is not None
    assert found[0].score > 0
    # a colloquial form finds the long one (个税 → 个人所得税)
    assert next(f.document["id"] for f in SHELF.search("个税汇算")[0]) == f"lib-{3:016x}"
    assert SHELF.search("增值税", category="video") == ([], 0)
    assert [f.document["id"] for f in SHELF.search(None, tag="发票")[0]] == [f"lib-{2:016x}"]
    # no query: the latest published first
    assert [f.document["id"][-1] for f in SHELF.search(None)[0]] == ["3", "2", "1"]
    assert SHELF.search("天气预报") == ([], 0)


def test_highlights_mark_the_query_terms_and_escape_the_rest() -> None:
    marked = highlights("<b>月销售额</b>10万元以下免征增值税。", ["增值", "值税"])
    assert marked == ["…&lt;/b&gt;10万元以下免征<em>增值税</em>。"]  # twelve characters before
    assert highlights("ＶＡＴ rules", ["vat"]) == ["<em>ＶＡＴ</em> rules"]  # full width folded
    long = "增值税" + "。" * 100 + "增值税"
    assert len(highlights(long, ["增值税"])) == 2
    assert highlights("无关的文字", ["增值税"]) == ["无关的文字"]
    assert highlights("", ["增值税"]) == []
