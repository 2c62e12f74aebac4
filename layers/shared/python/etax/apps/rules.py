"""The app square's rules (plan action A3, 应用广场). Pure: no AWS.

Apps and versions
    A developer (the ``developer`` role) or a tax office (an officer) registers an app — its
    name, category and summary — and submits versions of it. A version declares its number
    (``1.2.3``), release notes, the package's file name, type, size and SHA-256, and its
    manifest: the permissions it asks for on the device and the platform routes it calls.
The package
    Uploaded straight to the platform's bucket through a presigned POST that S3 holds to the
    declared type and exact size. On submission the platform checks what arrived
    (:mod:`etax.apps.packages`): the size, the type by its first bytes, the SHA-256 of the
    bytes, the ``manifest.json`` inside the package against the declared manifest (the same
    version, permissions and routes; every route one of the platform's), and the virus
    scanner's verdict (:mod:`etax.apps.scanning`). A check that fails refuses the version,
    naming the field at fault.
Review and publication
    An officer or an administrator who is not the app's publisher approves (the version is
    published, public with its checksum) or rejects it with a reason. The publisher (or an
    administrator) withdraws a published version: it is no longer offered.
Downloads
    Anyone downloads a published version through a presigned link that expires after
    :data:`DOWNLOAD_SECONDS`; each link given counts as a download.
Ratings
    A taxpayer rates an app once, 1 to 5.

The figures (types, size limit, permissions, categories) are the platform's own choices
(docs/sources.md#app-square).
"""

from __future__ import annotations

from typing import Any, Final

from etax.errors import Invalid, Refused
from etax.platform.auth import Principal

PUBLISHERS: Final = ("developer", "officer")
REVIEWERS: Final = ("officer", "admin")
RATERS: Final = ("taxpayer",)

CATEGORIES: Final = {"filing": "申报纳税", "invoices": "发票", "payments": "缴税缴费",
                     "accounting": "财务核算", "calculators": "计算工具", "other": "其他"}
ZIP_MAGIC: Final = b"PK\x03\x04"
PACKAGE_TYPES: Final = {"application/zip": ZIP_MAGIC,
                        "application/vnd.android.package-archive": ZIP_MAGIC}
MIB: Final = 1024 * 1024
MAX_PACKAGE_BYTES: Final = 50 * MIB
MAX_UNPACKED_BYTES: Final = 4 * MAX_PACKAGE_BYTES  # a package that unpacks larger: refused
PERMISSIONS: Final = ("network", "camera", "storage", "location", "notifications")
MANIFEST_FILE: Final = "manifest.json"
DOWNLOAD_SECONDS: Final = 300
VERSION_PATTERN: Final = r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$"

AWAITING_UPLOAD: Final = "awaiting_upload"
IN_REVIEW: Final = "in_review"
FAILED_CHECKS: Final = "failed_checks"
PUBLISHED: Final = "published"
REJECTED: Final = "rejected"
WITHDRAWN: Final = "withdrawn"


def version_key(version: str) -> str:
    """A version number that sorts as numbers do (``1.10.0`` after ``1.9.2``)."""
    return ".".join(f"{int(part):04d}" for part in version.split("."))


def may_publish(principal: Principal) -> None:
    if principal.role == "officer" and not principal.tax_office:
        raise Refused("an officer publishes apps for a tax office")


def owns(principal: Principal, app: dict[str, Any]) -> bool:
    return bool(principal.subject == app["owner"] and principal.role == app["owner_role"])


def may_review(principal: Principal, app: dict[str, Any]) -> None:
    """An officer or an administrator, never the app's own publisher."""
    if owns(principal, app):
        raise Refused("the app's own publisher does not review it")


def manifest_problems(declared: dict[str, Any], found: Any, version: str,
                      routes: frozenset[str]) -> list[str]:
    """What is wrong with the package's ``manifest.json`` (``found``, parsed) against the
    version's declared manifest; the empty list when it agrees and every route is the
    platform's."""
    if not isinstance(found, dict):
        return [f"the package has no readable {MANIFEST_FILE} object"]
    problems = []
    if found.get("version") != version:
        problems.append(f"{MANIFEST_FILE} says version {str(found.get('version'))[:20]!r}, "
                        f"not {version}")
    for name in ("permissions", "apis"):
        inside = found.get(name)
        if not isinstance(inside, list) or sorted(map(str, inside)) != sorted(declared[name]):
            problems.append(f"{MANIFEST_FILE}'s {name} differ from the declared ones")
    unknown = [api for api in declared["apis"] if api not in routes]
    if unknown:
        problems.append(f"not routes of the platform: {', '.join(unknown[:5])}")
    return problems


def check_routes(apis: list[str], routes: frozenset[str]) -> None:
    """The declared routes are the platform's (422 naming the first that is not)."""
    for index, api in enumerate(apis):
        if api not in routes:
            raise Invalid(f"{api[:80]} is not a route of the platform's API",
                          field=f"manifest.apis[{index}]")
