"""Each context owns its table: another context reads it through a published port, and a
service never builds or decodes DynamoDB items (its repository does)."""

from __future__ import annotations

import re
from pathlib import Path

import etax

ETAX = Path(etax.__file__).resolve().parent
RAW_ATTRIBUTE = re.compile(r"""\{\s*["'](S|N|BOOL|M|L|SS|NS)["']\s*:|\[\s*["'](S|N)["']\s*\]""")


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def test_only_the_invoices_context_names_the_invoices_table() -> None:
    outside = [p.relative_to(ETAX).as_posix() for p in _modules(ETAX)
               if p.parent.name != "invoices" and "INVOICES_TABLE" in p.read_text("utf-8")]
    assert outside == [], "read invoices through etax.invoices.facts, not the table"


def test_no_service_builds_or_decodes_dynamodb_items() -> None:
    found = [p.relative_to(ETAX).as_posix() for p in ETAX.glob("*/service.py")
             if RAW_ATTRIBUTE.search(p.read_text("utf-8"))]
    assert found == []


MAX_MODULE_LINES = 450  # a module longer than this is doing more than one job


def test_no_module_of_the_shared_layer_is_over_450_lines() -> None:
    long = {str(path.relative_to(ETAX)): lines for path in ETAX.rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}, "split these by job"
