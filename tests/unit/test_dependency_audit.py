"""scripts/audit.py: OSV ranges matched as OSV means them, exceptions that expire, and a
snapshot that covers every pinned package (docs/security.md#dependency-audit)."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import audit  # noqa: E402

SNAPSHOT = ROOT / "security" / "advisories"
TODAY = date(2026, 12, 3)


def record(ecosystem: str, package: str, advisory: str) -> dict[str, Any]:
    entry = audit.load_entry(SNAPSHOT, ecosystem, package)
    assert entry is not None
    return next(r for r in entry["vulns"] if r["id"] == advisory)


def test_introduced_and_fixed_pypi() -> None:
    pip = record("PyPI", "pip", "PYSEC-2023-228")  # introduced 0, fixed 23.3
    assert audit.is_affected(pip, "PyPI", "pip", "23.2.1")
    assert audit.is_affected(pip, "PyPI", "pip", "0.2")
    assert not audit.is_affected(pip, "PyPI", "pip", "23.3")
    assert not audit.is_affected(pip, "PyPI", "pip", "26.3")
    pyjwt = record("PyPI", "pyjwt", "PYSEC-2022-202")  # introduced 1.5.0, fixed 2.4.0
    assert not audit.is_affected(pyjwt, "PyPI", "pyjwt", "1.4.2")
    assert audit.is_affected(pyjwt, "PyPI", "pyjwt", "2.3.0")
    assert not audit.is_affected(pyjwt, "PyPI", "pyjwt", "2.15.1")


def test_last_affected_is_inclusive() -> None:
    py = json.loads((Path(__file__).parent / "osv_records" / "PYSEC-2022-42969.json").read_text())
    py = {**py, "affected": [{**a, "versions": []} for a in py["affected"]]}  # the range alone
    assert audit.is_affected(py, "PyPI", "py", "1.11.0")
    assert audit.is_affected(py, "PyPI", "py", "1.4.7.dev3")
    assert not audit.is_affected(py, "PyPI", "py", "1.11.1")


def test_a_versions_list_alone_matches_exactly() -> None:
    pip = record("PyPI", "pip", "PYSEC-2023-228")
    listed = {**pip, "affected": [{**a, "ranges": []} for a in pip["affected"]]}
    assert audit.is_affected(listed, "PyPI", "pip", "23.2.1")
    assert audit.is_affected(listed, "PyPI", "pip", "23.2.1.0")  # PEP 440: the same version
    assert not audit.is_affected(listed, "PyPI", "pip", "23.2.2")


def test_pypi_names_are_normalized_like_pypi() -> None:
    pyjwt = record("PyPI", "pyjwt", "PYSEC-2022-202")
    assert audit.is_affected(pyjwt, "PyPI", "PyJWT", "2.3.0")
    markdown = record("PyPI", "markdown-it-py", "PYSEC-2023-23")
    assert audit.is_affected(markdown, "PyPI", "Markdown_It.py", "2.1.0")
    assert audit.entry_path(SNAPSHOT, "PyPI", "PyJWT").name == "pyjwt.json"
    pins = {(p.name, p.version) for p in audit.collect_pins(ROOT, installed=False)}
    assert ("pyjwt", "2.15.1") in pins  # PyJWT==2.15.1
    assert ("typing-extensions", "4.16.0") in pins  # typing_extensions==4.16.0


def test_npm_ranges_in_semver_order() -> None:
    semver = record("npm", "semver", "GHSA-c2qf-rxjj-qqgw")  # <5.7.2, 6.0.0-6.3.1, 7.0.0-7.5.2
    for version, affected in [("5.7.1", True), ("5.7.2", False), ("6.3.0", True), ("6.3.1", False),
                              ("7.5.1", True), ("7.5.2-rc.1", True), ("7.5.2", False),
                              ("7.10.0", False), ("7.8.6", False)]:
        assert audit.is_affected(semver, "npm", "semver", version) is affected, version


def exceptions_file(tmp_path: Path, text: str) -> list[audit.Exception_]:
    path = tmp_path / "exceptions.toml"
    path.write_text(text)
    return audit.load_exceptions(path)


PIP_23 = [audit.Pin("PyPI", "pip", "23.2.1", (".venv",))]


def test_a_match_fails_unless_explained_until_its_review_date(tmp_path: Path) -> None:
    assert audit.audit(PIP_23, SNAPSHOT, [], TODAY).failed
    explained = exceptions_file(tmp_path, '[[exception]]\nid = "CVE-2023-5752"\npackage = "PIP"\n'
                                          'reason = "no Mercurial URL is ever installed"\n'
                                          'review_by = 2027-01-31\n')
    report = audit.audit(PIP_23, SNAPSHOT, explained, TODAY)
    assert not report.failed
    assert [status for _, _, status, _ in report.rows] == ["excepted"]
    expired = audit.audit(PIP_23, SNAPSHOT, explained, date(2027, 2, 1))
    assert expired.failed
    assert [status for _, _, status, _ in expired.rows] == ["EXPIRED"]


def test_an_unknown_advisory_id_is_reported_and_fails(tmp_path: Path) -> None:
    typo = exceptions_file(tmp_path, '[[exception]]\nid = "PYSEC-2023-2280"\npackage = "pip"\n'
                                     'reason = "a typo"\nreview_by = 2027-01-31\n')
    report = audit.audit([audit.Pin("PyPI", "pip", "26.3", (".venv",))], SNAPSHOT, typo, TODAY)
    assert [e.id for e in report.unknown_exceptions] == ["PYSEC-2023-2280"]
    assert report.failed


def test_an_exception_without_a_reason_or_date_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="review_by"):
        exceptions_file(tmp_path, '[[exception]]\nid = "PYSEC-2023-228"\npackage = "pip"\n'
                                  'reason = "x"\n')


def test_the_snapshot_covers_every_pinned_package() -> None:
    missing = [f"{p.ecosystem} {p.name} ({', '.join(p.where)})"
               for p in audit.collect_pins(ROOT, installed=False)
               if audit.load_entry(SNAPSHOT, p.ecosystem, p.name) is None]
    assert not missing, f"no snapshot entry (run scripts/audit.py --refresh): {missing}"


def test_a_new_dependency_without_a_snapshot_entry_fails_the_audit(tmp_path: Path) -> None:
    shutil.copytree(SNAPSHOT, tmp_path / "advisories")
    pins = [audit.Pin("PyPI", "pyjwt", "2.15.1", ("x",)),
            audit.Pin("npm", "left-pad", "1.3.0", ("x",))]
    report = audit.audit(pins, tmp_path / "advisories", [], TODAY)
    assert [p.name for p in report.missing] == ["left-pad"]
    assert report.failed
    audit.write_entry(tmp_path / "advisories", "npm", "left-pad", [], "test")  # "no advisories"
    assert not audit.audit(pins, tmp_path / "advisories", [], TODAY).failed


def test_the_pinned_files_pass_the_audit_today() -> None:
    pins = audit.collect_pins(ROOT, installed=False)
    report = audit.audit(pins, SNAPSHOT, audit.load_exceptions(audit.EXCEPTIONS), date.today())
    unexplained = [(p.name, p.version, i, s) for p, i, s, _ in report.rows if s != "excepted"]
    assert not report.failed, (unexplained, report.missing, report.unknown_exceptions)


def test_the_manifest_dates_and_names_its_sources() -> None:
    manifest = audit.load_manifest(SNAPSHOT)
    date.fromisoformat(manifest["advisories_as_of"])
    for source in manifest["sources"].values():
        assert source["license"].startswith("CC-BY-4.0")
        assert source["repository"].startswith("https://")
