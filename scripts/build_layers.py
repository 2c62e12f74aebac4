"""Build the third-party dependencies layer for the functions' runtime.

The layer must hold wheels for the Lambda platform (CPython 3.12, manylinux,
x86_64), never this machine's site-packages: a compiled package that only
works here would fail in the cloud. pip is asked for exactly that platform,
binary wheels only, every package pinned in layers/deps/requirements.txt.

The build is skipped when the requirements have not changed since the last
build (a stamp next to the output holds their hash), so `make` can call this
on every run.

Usage: python scripts/build_layers.py [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "layers" / "deps" / "requirements.txt"
OUTPUT = ROOT / ".build" / "layers" / "deps"
STAMP = ROOT / ".build" / "layers" / "deps.stamp"

PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.12"


def requirements_hash() -> str:
    """Hash of the pinned requirements and of the target platform."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(f"{PLATFORM}/{PYTHON_VERSION}".encode())
    return digest.hexdigest()


def build(force: bool = False) -> Path:
    """Build the layer into .build/layers/deps (its `python/` folder) and return it."""
    wanted = requirements_hash()
    if not force and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return OUTPUT
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)
    target = OUTPUT / "python"
    target.mkdir(parents=True)
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--target", str(target),
            "--platform", PLATFORM,
            "--implementation", "cp",
            "--python-version", PYTHON_VERSION,
            "--only-binary=:all:",
            "--no-deps",
            "--no-compile",
            "-r", str(REQUIREMENTS),
        ],
        check=True,
    )
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    STAMP.write_text(wanted + "\n")
    return OUTPUT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args()
    out = build(force=args.force)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"dependencies layer: {out.relative_to(ROOT)} ({size / 1e6:.1f} MB unzipped)")


if __name__ == "__main__":
    main()
