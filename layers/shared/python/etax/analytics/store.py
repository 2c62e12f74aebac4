"""S3 access of the analytical store: the raw archive and the tables' files, in one bucket.

Reading a table lists its partitions between two days (one listing: the keys sort by day)
and copies each file to a local cache (``/tmp`` in Lambda) unless the cached copy has the
same ETag: a warm function reads only the partitions that changed.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from etax.platform.aws import aws_error_code, missing_object
from etax.platform.aws import client as aws_client
from etax.platform.settings import required

BUCKET_VARIABLE = "ANALYTICS_BUCKET"


class Store:
    def __init__(self, bucket: str | None = None, client: Any | None = None,
                 cache: Path | None = None) -> None:
        self.bucket = bucket or required(BUCKET_VARIABLE)
        self._client = client
        self.cache = cache or Path(tempfile.gettempdir()) / "analytics-cache"

    @property
    def s3(self) -> Any:
        if self._client is None:
            self._client = aws_client("s3")
        return self._client

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def put_new(self, key: str, body: bytes, content_type: str,
                metadata: dict[str, str] | None = None) -> bool:
        """Write ``key`` only if it is absent (S3's conditional write); False if it was there."""
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
                               Metadata=metadata or {}, IfNoneMatch="*")
        except ClientError as error:
            if aws_error_code(error) in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise
        return True

    def exists(self, key: str) -> bool:
        return self.metadata(key) is not None

    def metadata(self, key: str) -> dict[str, str] | None:
        """The user metadata of ``key``, None when there is no such object."""
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if missing_object(error):
                return None
            raise
        return dict(head.get("Metadata", {}))

    def get(self, key: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def find(self, key: str) -> bytes | None:
        """``key``'s bytes, None when there is no such object."""
        try:
            return self.get(key)
        except ClientError as error:
            if missing_object(error):
                return None
            raise

    def keys(self, prefix: str, *, start_after: str = "") -> Iterator[tuple[str, str]]:
        """``(key, etag)`` of the objects under ``prefix``, in key order."""
        arguments = {"Bucket": self.bucket, "Prefix": prefix}
        if start_after:
            arguments["StartAfter"] = start_after
        for page in self.s3.get_paginator("list_objects_v2").paginate(**arguments):
            for item in page.get("Contents", []):
                yield str(item["Key"]), str(item["ETag"])

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})

    def partitions(self, prefix: str, first_day: str, last_day: str) -> list[tuple[str, str]]:
        """The files of a table (``prefix``) whose day is from ``first_day`` to ``last_day``."""
        found = []
        for key, etag in self.keys(prefix, start_after=f"{prefix}date={first_day}"):
            day = key[len(prefix):].split("/", 1)[0].removeprefix("date=")
            if day > last_day:
                break
            if day >= first_day:
                found.append((key, etag))
        return found

    def local_copy(self, key: str, etag: str) -> Path:
        """A local copy of ``key`` (fetched unless the cached one has ``etag``)."""
        path = self.cache / key
        tag = path.with_name(path.name + ".etag")
        if path.exists() and tag.exists() and tag.read_text() == etag:
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        # a name of its own: two processes sharing the cache (Lambda workers of the local
        # stack share its temporary folder) never write into one partial file
        partial = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.partial")
        self.s3.download_file(self.bucket, key, str(partial))
        partial.replace(path)
        tag.write_text(etag)
        return path
