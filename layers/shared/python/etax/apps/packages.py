"""What the app square checks in an uploaded package (through the uploads kit,
:mod:`etax.platform.uploads`): its size, its type by its first bytes, the SHA-256 of its bytes,
the ``manifest.json`` inside it, and the virus scanner's verdict. Each failed check names the
field of the version it contradicts."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from etax.apps import rules
from etax.apps.scanning import Scanner
from etax.platform.uploads import Check, Uploads

READABLE = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})  # what app packages use
ENCRYPTED = 0x1  # general purpose bit 0: the file is encrypted (unscannable)


def _unpacked(data: bytes) -> tuple[dict[str, bytes], Any, str | None]:
    """The files of a zip package (bounded: a package that unpacks beyond the limit is
    refused), its parsed manifest (or None), and a problem."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if sum(m.file_size for m in members) > rules.MAX_UNPACKED_BYTES:
            return {}, None, "the package unpacks to more than the limit"
        if any(m.compress_type not in READABLE or m.flag_bits & ENCRYPTED for m in members):
            return {}, None, "the package holds an encrypted file or one of a compression " \
                             "method other than stored or deflated"
        files = {m.filename: archive.read(m) for m in members if not m.is_dir()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return {}, None, "the package is not a readable zip archive"
    try:
        manifest = json.loads(files.get(rules.MANIFEST_FILE, b"null").decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        manifest = None
    return files, manifest, None


def inspect(uploads: Uploads, key: str, version: dict[str, Any],
            scanner: Scanner, routes: frozenset[str]) -> list[Check]:
    """The checks of the package uploaded at ``key`` for ``version`` (as stored), in order;
    an empty list when nothing was uploaded."""
    head = uploads.head(key)
    if head is None:
        return []
    size, stored_type = int(head["ContentLength"]), str(head.get("ContentType", ""))
    if size != int(version["size"]) or size > rules.MAX_PACKAGE_BYTES:
        return [Check("size", False, "size", f"the upload has {size} bytes, not the "
                                             f"{version['size']} declared")]
    data = uploads.read(key)
    checks = [Check("size", True)]
    declared_type = version["content_type"]
    typed = stored_type == declared_type and data.startswith(rules.PACKAGE_TYPES[declared_type])
    checks.append(Check("type", typed, None if typed else "content_type",
                        None if typed else f"the file's content is not {declared_type}"))
    digest = hashlib.sha256(data).hexdigest()
    matches = digest == version["sha256"]
    checks.append(Check("sha256", matches, None if matches else "sha256",
                        None if matches else f"the bytes' SHA-256 is {digest}, not the one "
                                             "declared"))
    files, manifest, problem = _unpacked(data) if typed else ({}, None, None)
    if typed:
        problems = [problem] if problem else rules.manifest_problems(
            version["manifest"], manifest, version["version"], routes)
        checks.append(Check("manifest", not problems, "manifest" if problems else None,
                            "; ".join(problems) if problems else None))
    verdict = scanner.scan({"": data, **files})
    checks.append(Check("scan", verdict.clean, None if verdict.clean else "package",
                        None if verdict.clean else f"the virus scanner found {verdict.finding}"))
    return checks
