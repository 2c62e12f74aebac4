"""Supporting documents in S3: uploaded by the applicant's browser straight to the bucket
through a presigned POST whose policy S3 itself enforces, then confirmed by the API.

* ``incoming/<application>/<document>``: where the presigned form writes. The policy fixes
  the key, the ``Content-Type`` (one of the kind's types, chosen when the form is asked for)
  and a ``content-length-range`` of 1 byte to the kind's limit, so S3 refuses a wrong type
  (403) or a file too large (400 ``EntityTooLarge``) before storing anything. The bucket's
  lifecycle expires what stays here unconfirmed.
* ``documents/<application>/<document>``: where a confirmed upload is copied once its size,
  type and first bytes were checked; kept with the application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from etax.acceptance.catalogue import matches_signature
from etax.platform.uploads import DOWNLOAD_SECONDS, UPLOAD_SECONDS, UploadForm, Uploads
from etax.platform.uploads import s3_client as s3_client

__all__ = ["DOWNLOAD_SECONDS", "UPLOAD_SECONDS", "DocumentStore", "Stored", "UploadProblem",
           "document_key", "incoming_key", "s3_client"]

HEAD_BYTES = 16


@dataclass(frozen=True, slots=True)
class Stored:
    size: int
    content_type: str


class UploadProblem(Exception):
    """The upload is missing or is not what was declared; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def incoming_key(application_id: str, document_id: str) -> str:
    return f"incoming/{application_id}/{document_id}"


def document_key(application_id: str, document_id: str) -> str:
    return f"documents/{application_id}/{document_id}"


class DocumentStore:
    """The documents bucket through the uploads kit (:mod:`etax.platform.uploads`)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.uploads = Uploads(client, bucket)

    def upload_form(self, key: str, content_type: str, max_bytes: int) -> UploadForm:
        """A presigned POST for exactly this key, type and size range."""
        return self.uploads.form(key, content_type, max_bytes)

    def confirm(self, source: str, target: str, content_type: str, max_bytes: int,
                record: Callable[[Stored], object]) -> Stored:
        """Check the uploaded object and move it to its kept place, ``record`` writing that
        it is kept (before the upload is deleted: a failure of the write leaves the upload to
        be confirmed again); UploadProblem if it is missing or not what was declared (then it
        is deleted)."""
        head = self.uploads.head(source)
        if head is None:
            raise UploadProblem("nothing was uploaded with this form yet")
        size = int(head["ContentLength"])
        stored_type = str(head.get("ContentType", ""))
        first = self.uploads.first_bytes(source, HEAD_BYTES)
        problem = None
        if stored_type != content_type:
            problem = f"the upload is {stored_type or 'untyped'}, not {content_type}"
        elif not 0 < size <= max_bytes:
            problem = f"the upload has {size} bytes; the limit is {max_bytes}"
        elif not matches_signature(content_type, first):
            problem = f"the file's content is not {content_type}"
        if problem:
            self.uploads.delete(source)
            raise UploadProblem(problem)
        stored = Stored(size=size, content_type=content_type)

        def recorded() -> bool:
            record(stored)
            return True

        self.uploads.move(source, target, recorded)
        return stored

    def download_url(self, key: str, filename: str) -> str:
        return self.uploads.download_url(key, filename)
