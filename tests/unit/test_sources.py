"""Citations point at docs/sources.md, and every ``sources.md#<anchor>`` cited exists there."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "docs" / "sources.md"
CITATION = re.compile(r"sources\.md#([A-Za-z0-9_-]+)")
ANCHOR = re.compile(r'<a id="([A-Za-z0-9_-]+)"></a>')
# The tax facts' working notes live outside the repository: nothing may send a reader there.
NOTES = "FAC" "TS"  # spelled apart, so that this file does not name them
OUTSIDE_NOTES = re.compile(rf"\b{NOTES}\b")


def repository_files() -> list[Path]:
    """The files git tracks or would track (untracked but not ignored), text or not."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout
    names = {name for name in listed.decode().split("\0") if name}
    return sorted(ROOT / name for name in names if (ROOT / name).is_file())


def text_of(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""


def anchors() -> set[str]:
    return set(ANCHOR.findall(SOURCES.read_text(encoding="utf-8")))


def test_no_file_sends_the_reader_to_notes_outside_the_repository() -> None:
    mentions = [f"{path.relative_to(ROOT)}:{number}"
                for path in repository_files()
                for number, line in enumerate(text_of(path).splitlines(), 1)
                if OUTSIDE_NOTES.search(line)]
    assert not mentions, "cite docs/sources.md#<anchor> instead: " + ", ".join(mentions)


def test_every_cited_anchor_is_an_entry_of_the_sources() -> None:
    known = anchors()
    cited = {(f"{path.relative_to(ROOT)}:{number}", anchor)
             for path in repository_files()
             for number, line in enumerate(text_of(path).splitlines(), 1)
             for anchor in CITATION.findall(line)}
    assert len(cited) >= 30  # the code does cite them
    missing = sorted(f"{where} #{anchor}" for where, anchor in cited if anchor not in known)
    assert not missing, f"no such entry in docs/sources.md: {missing}"


def test_the_checks_would_see_a_bad_citation() -> None:
    assert OUTSIDE_NOTES.search(f"({NOTES}.md §2)")
    assert OUTSIDE_NOTES.search(f"as in {NOTES}' first example")
    assert not OUTSIDE_NOTES.search(f"DIGITAL_{NOTES} = InvoiceFacts(...)")
    assert CITATION.findall("limits (sources.md#lottery) and sources.md#vat.") == [
        "lottery", "vat"]
    assert "no-such-entry" not in anchors()
    assert {"uscc", "invoices", "iit", "vat", "credit", "lottery"} <= anchors()
