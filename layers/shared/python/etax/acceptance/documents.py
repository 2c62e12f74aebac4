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

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from etax.acceptance.catalogue import matches_signature
from etax.acceptance.results import UploadForm
from etax.platform.aws import LazyClient, missing_object

UPLOAD_SECONDS = 900
DOWNLOAD_SECONDS = 300
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


def s3_client(path_style: bool) -> LazyClient:
    """SigV4 always; path-style URLs on the local stack (no DNS for bucket host names). Made
    on first use."""

    def make() -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "virtual"}))

    return LazyClient(make)


class DocumentStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self.s3 = client
        self.bucket = bucket

    def upload_form(self, key: str, content_type: str, max_bytes: int) -> UploadForm:
        """A presigned POST for exactly this key, type and size range."""
        form: dict[str, Any] = self.s3.generate_presigned_post(
            Bucket=self.bucket, Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[["eq", "$Content-Type", content_type],
                        ["content-length-range", 1, max_bytes]],
            ExpiresIn=UPLOAD_SECONDS)
        return UploadForm(url=form["url"], fields=form["fields"], method="POST",
                          expires_in=UPLOAD_SECONDS, max_bytes=max_bytes,
                          content_type=content_type)

    def confirm(self, source: str, target: str, content_type: str,
                max_bytes: int) -> Stored:
        """Check the uploaded object and move it to its kept place; UploadProblem if it is
        missing or not what was declared (then it is deleted)."""
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=source)
        except ClientError as error:
            if missing_object(error):
                raise UploadProblem("nothing was uploaded with this form yet") from None
            raise
        size = int(head["ContentLength"])
        stored_type = str(head.get("ContentType", ""))
        first = self.s3.get_object(Bucket=self.bucket, Key=source,
                                   Range=f"bytes=0-{HEAD_BYTES - 1}")["Body"].read()
        problem = None
        if stored_type != content_type:
            problem = f"the upload is {stored_type or 'untyped'}, not {content_type}"
        elif not 0 < size <= max_bytes:
            problem = f"the upload has {size} bytes; the limit is {max_bytes}"
        elif not matches_signature(content_type, first):
            problem = f"the file's content is not {content_type}"
        if problem:
            self.s3.delete_object(Bucket=self.bucket, Key=source)
            raise UploadProblem(problem)
        self.s3.copy_object(Bucket=self.bucket, Key=target,
                            CopySource={"Bucket": self.bucket, "Key": source},
                            MetadataDirective="COPY")
        self.s3.delete_object(Bucket=self.bucket, Key=source)
        return Stored(size=size, content_type=content_type)

    def download_url(self, key: str, filename: str) -> str:
        disposition = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
        url: str = self.s3.generate_presigned_url(
            "get_object", ExpiresIn=DOWNLOAD_SECONDS,
            Params={"Bucket": self.bucket, "Key": key,
                    "ResponseContentDisposition": disposition})
        return url
