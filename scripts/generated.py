"""Files the repository keeps but a script writes (docs/architecture.md's tables, the OpenAPI
document, docs/role-matrix.md): one command line for each, ``--check`` to fail when stale."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def between_markers(current: str, begin: str, end: str, body: str, where: Path) -> str:
    """``current`` with what stands between ``begin`` and ``end`` replaced by ``body``."""
    if begin not in current or end not in current:
        raise SystemExit(f"{where}: the markers {begin!r} and {end!r} are missing")
    head, rest = current.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def write_or_check(path: Path, expected: Callable[[str], str], *, script: str,
                   description: str | None, argv: Sequence[str] | None = None) -> int:
    """Write ``expected(current text)`` to ``path`` when it differs from the current text;
    with ``--check``, exit 1 instead and say which script writes it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 if {path.relative_to(ROOT)} differs from what would be "
                             "written")
    args = parser.parse_args(argv)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    wanted = expected(current)
    if current == wanted:
        return 0
    if args.check:
        print(f"{path.relative_to(ROOT)} is out of date: run scripts/{script}", file=sys.stderr)
        return 1
    path.write_text(wanted, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")
    return 0
