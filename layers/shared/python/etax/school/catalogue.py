"""The tax school's courses, courseware, library and Q&A (税务学堂, plan action E17). Pure: no AWS.

Courses
    An officer (or an administrator) publishes a course for an audience (taxpayers, officers
    or both) with its lessons in order (1 to :data:`MAX_LESSONS`, each with its minutes). Live
    sessions may be scheduled for a course; its page lists the ones to come.
Courseware
    The officers of the course's office (or an administrator) add courseware to a course or
    one of its lessons: the file's name, type (:data:`FILE_TYPES`), size (at most
    :data:`MAX_FILE_BYTES`) and SHA-256 are declared, the file posted straight to the platform's
    bucket through a presigned POST that S3 holds to the type and exact size (the uploads kit),
    then published once the platform has checked what arrived: the size, the type by its first
    bytes, the SHA-256 of the bytes. A failed check refuses it naming the field, and the upload
    is deleted. People of the course's audience download published courseware through links
    that expire; each link given counts.
The digital library (数字图书馆)
    Documents (guides, policy digests, slides, videos) added and published the same way, for
    everyone: searched by their title, summary and tags (two-character terms of Chinese text,
    ranked by BM25 — :mod:`etax.school.library`), filtered by category and tag, downloaded
    through links that expire.
Q&A
    People of a course's audience ask questions under it and answer them (at most
    :data:`MAX_ANSWERS` answers a question); an officer's answer is marked as the tax
    authority's; the asker is told of each answer. The course's officers hide a question or an
    answer with a reason: hidden, not deleted, so moderation stays auditable. Each person asks
    at most :data:`DAILY` ``questions`` and answers at most ``answers`` a day.

The figures are the platform's own choices (docs/sources.md#tax-school).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from etax.errors import Refused
from etax.platform.auth import Principal
from etax.school.rules import AUDIENCE_ROLES, ORGANISERS, organises

MIB: Final = 1024 * 1024
MAX_FILE_BYTES: Final = 100 * MIB
MAX_LESSONS: Final = 40
MAX_COURSEWARE: Final = 100  # files a course
MAX_ANSWERS: Final = 50
MAX_LIBRARY: Final = 2000  # documents the library searches in memory
DAILY: Final = {"questions": 10, "answers": 30}

ZIP: Final = b"PK\x03\x04"
FILE_TYPES: Final[dict[str, tuple[str, ...]]] = {
    # type: the extensions its file names take
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "video/mp4": ("mp4",),
    "application/zip": ("zip",),
}
LIBRARY_CATEGORIES: Final = {"guide": "办税指南", "policy": "政策解读", "slides": "培训课件",
                             "video": "视频", "form": "表证单书", "other": "其他"}

AWAITING_UPLOAD: Final = "awaiting_upload"
PUBLISHED: Final = "published"
FAILED_CHECKS: Final = "failed_checks"

COURSE_ID_PATTERN: Final = r"^cs-[0-9a-f]{16}$"
COURSE_ID: Final = re.compile(COURSE_ID_PATTERN)
DOCUMENT_ID: Final = re.compile(r"^lib-[0-9a-f]{16}$")
QUESTION_ID: Final = re.compile(r"^cq-[0-9]{13}[0-9a-f]{6}$")
COURSEWARE_NUMBER: Final = re.compile(r"^[1-9][0-9]{0,2}$")


def typed(content_type: str, first_bytes: bytes) -> bool:
    """Whether a file's first bytes are those of ``content_type``: a PDF starts ``%PDF-``, the
    Office formats and zip are zip archives, an MP4 has its ``ftyp`` box first."""
    if content_type == "application/pdf":
        return first_bytes.startswith(b"%PDF-")
    if content_type == "video/mp4":
        return first_bytes[4:8] == b"ftyp"
    return first_bytes.startswith(ZIP)


def extension_matches(filename: str, content_type: str) -> bool:
    return filename.rsplit(".", 1)[-1].lower() in FILE_TYPES[content_type]


def may_learn(principal: Principal, audience: str) -> bool:
    """People of the audience, and the organisers (officers and administrators)."""
    return principal.role in AUDIENCE_ROLES[audience] or principal.role in ORGANISERS


def check_learner(principal: Principal, course: Mapping[str, Any]) -> None:
    if not may_learn(principal, course["audience"]):
        raise Refused(f"this course is for {course['audience']}: its courseware and Q&A are "
                      f"for {' and '.join(AUDIENCE_ROLES[course['audience']])} accounts")


keeps = organises
"""An administrator, or an officer of the office that published the course or document: the
same rule as a session's organisers."""


def question_id(at_ms: int, salt: str) -> str:
    """A question's id: its time (milliseconds since the epoch) first, so ids sort in the order
    questions were asked."""
    return f"cq-{at_ms:013d}{salt}"


def incoming_key(owner: str, number: str, filename: str) -> str:
    """Where a file's presigned form puts it (``owner``: a course's id, or ``library``)."""
    return f"incoming/{owner}/{number}/{filename}"


def kept_key(owner: str, number: str, filename: str) -> str:
    """Where a checked file is kept and read through the download links."""
    return f"files/{owner}/{number}/{filename}"
