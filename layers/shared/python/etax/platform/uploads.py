"""Files people upload, as a kit: the browser (or a client) posts the file straight to a
private bucket through a presigned POST whose policy S3 itself enforces — the exact key, the
``Content-Type`` and a ``content-length-range`` —, the API then checks what arrived before
keeping it, and hands it back through a presigned GET that expires.

Used by the application documents (:mod:`etax.acceptance.documents`) and the app square's
packages (:mod:`etax.apps.packages`). The bucket is :func:`infra.platform.data.upload_bucket`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from etax.platform.aws import LazyClient, missing_object

UPLOAD_SECONDS = 900
DOWNLOAD_SECONDS = 300
CHUNK = 1024 * 1024  # bytes read at a time when a file is hashed
HEAD_BYTES = 16  # the first bytes a type is told by


@dataclass(frozen=True, slots=True)
class Check:
    """One check of what arrived: its name, whether it passed, and when not, the declared field
    it contradicts and why."""

    name: str
    passed: bool
    field: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class UploadForm:
    """A presigned POST: the browser posts ``fields`` and the file to ``url``."""

    url: str
    fields: dict[str, str]
    method: str
    expires_in: int
    max_bytes: int
    content_type: str


@dataclass(frozen=True)
class Download:
    """A kept file's link that expires after ``expires_in`` seconds, with what its bytes must
    be: ``size`` and ``sha256``."""

    url: str
    expires_in: int
    filename: str
    size: int
    sha256: str


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


class Uploads:
    """One bucket's presigned forms, checks of what arrived, and expiring downloads."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.s3 = client
        self.bucket = bucket

    def form(self, key: str, content_type: str, max_bytes: int,
             min_bytes: int = 1) -> UploadForm:
        """A presigned POST for exactly this key and type, of ``min_bytes`` to ``max_bytes``."""
        form: dict[str, Any] = self.s3.generate_presigned_post(
            Bucket=self.bucket, Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[["eq", "$Content-Type", content_type],
                        ["content-length-range", min_bytes, max_bytes]],
            ExpiresIn=UPLOAD_SECONDS)
        return UploadForm(url=form["url"], fields=form["fields"], method="POST",
                          expires_in=UPLOAD_SECONDS, max_bytes=max_bytes,
                          content_type=content_type)

    def head(self, key: str) -> dict[str, Any] | None:
        """The object's metadata, or None when nothing was uploaded there."""
        try:
            answer: dict[str, Any] = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if missing_object(error):
                return None
            raise
        return answer

    def first_bytes(self, key: str, count: int) -> bytes:
        body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key,
                                         Range=f"bytes=0-{count - 1}")["Body"].read()
        return body

    def sha256(self, key: str) -> str:
        """The SHA-256 (hex) of the object's bytes, read a chunk at a time (a large file is
        never held whole)."""
        hashed = hashlib.sha256()
        body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        for chunk in iter(lambda: body.read(CHUNK), b""):
            hashed.update(chunk)
        return hashed.hexdigest()

    def received(self, key: str, *, size: int, content_type: str, sha256: str,
                 typed: Callable[[str, bytes], bool]) -> list[Check]:
        """What arrived at ``key`` checked against what was declared, in order: its exact size,
        its type (as stored and, by ``typed``, by its first bytes) and the SHA-256 of its bytes;
        an empty list when nothing arrived. A failed check names the field: ``size``,
        ``content_type`` or ``sha256``."""
        head = self.head(key)
        if head is None:
            return []
        arrived = int(head["ContentLength"])
        if arrived != size:
            return [Check("size", False, "size",
                          f"the upload has {arrived} bytes, not the {size} declared")]
        checks = [Check("size", True)]
        kind = (str(head.get("ContentType", "")) == content_type
                and typed(content_type, self.first_bytes(key, HEAD_BYTES)))
        checks.append(Check("type", kind, None if kind else "content_type",
                            None if kind else f"the file's content is not {content_type}"))
        if not kind:
            return checks
        digest = self.sha256(key)
        matches = digest == sha256
        checks.append(Check("sha256", matches, None if matches else "sha256",
                            None if matches else f"the bytes' SHA-256 is {digest}, not the one "
                                                 "declared"))
        return checks

    def read(self, key: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def move(self, source: str, target: str, recorded: Callable[[], bool]) -> bool:
        """``source`` copied to ``target``, then ``recorded()`` — the write that says the file
        is kept there —, then ``source`` deleted if it said so (its answer returned). A
        failure of the write leaves the upload where it was, so that the request can be sent
        again; a failure of the delete leaves a copy the bucket's rule for abandoned uploads
        expires."""
        self.s3.copy_object(Bucket=self.bucket, Key=target,
                            CopySource={"Bucket": self.bucket, "Key": source},
                            MetadataDirective="COPY")
        done = recorded()
        if done:
            self.s3.delete_object(Bucket=self.bucket, Key=source)
        return done

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def download_url(self, key: str, filename: str, seconds: int = DOWNLOAD_SECONDS) -> str:
        """A presigned GET of ``key`` that expires after ``seconds``, saved as ``filename``."""
        disposition = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
        url: str = self.s3.generate_presigned_url(
            "get_object", ExpiresIn=seconds,
            Params={"Bucket": self.bucket, "Key": key,
                    "ResponseContentDisposition": disposition})
        return url
