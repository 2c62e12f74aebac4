"""Build the third-party dependencies layer for the functions' runtime, per architecture.

The layer must hold wheels for the Lambda platform (CPython 3.12, manylinux), never this
machine's site-packages: a compiled package that only works here would fail in the cloud.
pip is asked for exactly that platform, binary wheels only, every package pinned in
layers/deps/requirements.txt. Two builds of the same pins: x86_64 (``.build/layers/deps``,
the local stack's architecture) and arm64 (``.build/layers/deps-arm64``, Graviton, every
other stage: infra/platform/functions.py).

Each build is skipped when the requirements have not changed since it was last made (a
stamp next to its output holds their hash and the platform's), so `make` can call this on
every run and a change of pins rebuilds both.

The search layer (``.build/layers/search``, layers/search/requirements.txt) is attached to
the search functions only (ADR 0022): jieba, pure Python but published as a source distribution
alone, so it is built into a wheel here (and checked to hold no compiled extension: one build
serves both architectures), with its bytecode compiled for Python 3.12 (unchecked-hash .pyc
files, valid whatever the files' times in the zip): importing jieba then takes a tenth of the
time it takes to compile its 5 MB of tables at every cold start.

The analytics layer (``.build/layers/analytics`` and ``analytics-arm64``,
layers/analytics/requirements.txt) is attached to the analytical store's functions only:
DuckDB, compiled, so built per architecture like the dependencies layer.

Usage: python scripts/build_layers.py [--force] [--architecture x86_64|arm64]
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
LAYERS = ROOT / ".build" / "layers"

# architecture (Lambda's name) -> (pip platform tag, output folder under .build/layers)
ARCHITECTURES = {
    "x86_64": ("manylinux2014_x86_64", "deps"),
    "arm64": ("manylinux2014_aarch64", "deps-arm64"),
}
PYTHON_VERSION = "3.12"
SEARCH_REQUIREMENTS = ROOT / "layers" / "search" / "requirements.txt"
SEARCH = "search"
ANALYTICS_REQUIREMENTS = ROOT / "layers" / "analytics" / "requirements.txt"
ANALYTICS = "analytics"


# pip platform tags of the compiled layers: manylinux2014 (glibc 2.17) and 2.28, which newer
# wheels (DuckDB's) need; the Lambda runtime of Python 3.12 (Amazon Linux 2023) has glibc 2.34
PLATFORM_TAGS = {
    "x86_64": ("manylinux2014_x86_64", "manylinux_2_28_x86_64"),
    "arm64": ("manylinux2014_aarch64", "manylinux_2_28_aarch64"),
}


def output(architecture: str, layer: str = "deps") -> Path:
    folder = ARCHITECTURES[architecture][1]
    return LAYERS / (folder if layer == "deps" else folder.replace("deps", layer))


def stamp(architecture: str, layer: str = "deps") -> Path:
    return output(architecture, layer).with_suffix(".stamp")


def requirements_hash(architecture: str, requirements: Path = REQUIREMENTS) -> str:
    """Hash of the pinned requirements and of the target platform."""
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"{ARCHITECTURES[architecture][0]}/{PYTHON_VERSION}".encode())
    if requirements != REQUIREMENTS:
        digest.update("/".join(PLATFORM_TAGS[architecture]).encode())
    return digest.hexdigest()


def build(architecture: str = "x86_64", force: bool = False, layer: str = "deps") -> Path:
    """Build the layer ``layer`` (``deps`` or ``analytics``) of ``architecture`` (its
    `python/` folder) and return its folder."""
    requirements = REQUIREMENTS if layer == "deps" else ANALYTICS_REQUIREMENTS
    wanted = requirements_hash(architecture, requirements)
    out, done = output(architecture, layer), stamp(architecture, layer)
    if not force and done.exists() and done.read_text().strip() == wanted:
        return out
    if out.exists():
        shutil.rmtree(out)
    target = out / "python"
    target.mkdir(parents=True)
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--target", str(target),
            *[argument for tag in (PLATFORM_TAGS[architecture] if layer != "deps"
                                   else (ARCHITECTURES[architecture][0],))
              for argument in ("--platform", tag)],
            "--implementation", "cp",
            "--python-version", PYTHON_VERSION,
            "--only-binary=:all:",
            "--no-deps",
            "--no-compile",
            "-r", str(requirements),
        ],
        check=True,
    )
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    done.write_text(wanted + "\n")
    return out


def build_search(force: bool = False) -> Path:
    """Build the search layer (its `python/` folder, bytecode compiled) and return its folder."""
    digest = hashlib.sha256(SEARCH_REQUIREMENTS.read_bytes())
    digest.update(f"pure/{PYTHON_VERSION}/{sys.version_info[:2]}/bytecode".encode())
    wanted = digest.hexdigest()
    out, done = LAYERS / SEARCH, LAYERS / f"{SEARCH}.stamp"
    if not force and done.exists() and done.read_text().strip() == wanted:
        return out
    if sys.version_info[:2] != (3, 12):  # the bytecode is the runtime's Python's
        raise SystemExit(f"the search layer is built with Python {PYTHON_VERSION} (the "
                         f"functions' runtime), not {sys.version.split()[0]}")
    if out.exists():
        shutil.rmtree(out)
    target = out / "python"
    target.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", str(target), "--no-deps", "--no-compile", "-r", str(SEARCH_REQUIREMENTS)],
        check=True)
    compiled = [p for p in target.rglob("*") if p.suffix in (".so", ".pyd", ".dylib")]
    if compiled:
        raise SystemExit(f"the search layer must be pure Python: {compiled[0]}")
    subprocess.run([sys.executable, "-W", "ignore", "-m", "compileall", "-q",
                    "--invalidation-mode", "unchecked-hash", str(target)], check=True)
    done.write_text(wanted + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--architecture", choices=sorted(ARCHITECTURES),
                        help="only this one (default: both)")
    args = parser.parse_args()
    for architecture in [args.architecture] if args.architecture else list(ARCHITECTURES):
        out = build(architecture, force=args.force)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(f"dependencies layer ({architecture}): {out.relative_to(ROOT)} "
              f"({size / 1e6:.1f} MB unzipped)")
        out = build(architecture, force=args.force, layer=ANALYTICS)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(f"analytics layer ({architecture}): {out.relative_to(ROOT)} "
              f"({size / 1e6:.1f} MB unzipped)")
    out = build_search(force=args.force)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"search layer: {out.relative_to(ROOT)} ({size / 1e6:.1f} MB unzipped)")


if __name__ == "__main__":
    main()
