#!/usr/bin/env python3
"""The dependency audit: every pinned package against a vendored, dated advisory snapshot.

What is audited: the Python packages of every environment the project installs (the
functions' dependencies layer, layers/deps/requirements.txt; the search functions' layer,
layers/search/requirements.txt; the analytical store's layer, layers/analytics/requirements.txt;
the project venv,
requirements/dev.txt; LocalStack's venv, requirements/localstack.txt; the Lambda-like venv,
requirements/lambda-runtime.txt) and, where those environments are installed, what they hold
beyond the files (pip itself, for one); and every npm package of package-lock.json, transitive
ones included.

Against what: ``security/advisories/`` — one file per package (``PyPI/<name>.json``,
``npm/<name>.json``) with the OSV records that name it, possibly none, and ``manifest.json``
naming the sources, their commits and dates. A pinned package without a file there fails the
audit: the snapshot cannot silently fall behind a new dependency.

Matching follows OSV: a record's ``versions`` list, and its ``ranges`` of ECOSYSTEM/SEMVER
events (``introduced``, ``fixed``, ``last_affected``), ordered with ``packaging.version`` for
PyPI and semver for npm. Every match must be explained in ``security/audit-exceptions.toml``
(advisory id, package, why it does not apply, a review-by date after which it fails again).

    python scripts/audit.py            # offline; exit 1 on an unexplained match
    python scripts/audit.py --refresh  # with network: rebuild the snapshot from OSV's API,
                                       # and run pip-audit / npm audit where they work

Exit codes: 0 clean, 1 findings, 2 cannot run (bad files; no network for --refresh).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "security" / "advisories"
EXCEPTIONS = ROOT / "security" / "audit-exceptions.toml"
PYTHON_LOCKS = ("layers/deps/requirements.txt", "layers/search/requirements.txt",
                "layers/analytics/requirements.txt",
                "requirements/dev.txt", "requirements/localstack.txt",
                "requirements/lambda-runtime.txt")
PYTHON_ENVS = (".venv", ".venv-localstack", ".venv-lambda")
NPM_LOCK = "package-lock.json"
ECOSYSTEMS = ("PyPI", "npm")
OSV_API = "https://api.osv.dev/v1"

Record = Mapping[str, Any]


# --- names and versions ----------------------------------------------------------------------

def normalize(ecosystem: str, name: str) -> str:
    """A package's canonical name: PyPI's (PEP 503: case and runs of -_. do not count)."""
    if ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


class SemVer:
    """An npm version (semver 2.0.0 precedence; build metadata ignored)."""

    def __init__(self, text: str) -> None:
        match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?",
                             text.strip())
        if not match:
            raise ValueError(f"not a semver version: {text!r}")
        self.release = (int(match[1]), int(match[2]), int(match[3]))
        self.pre = tuple(match[4].split(".")) if match[4] else ()

    def _key(self) -> tuple[Any, ...]:
        # A release sorts after its pre-releases; numeric identifiers before alphanumeric ones.
        pre = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in self.pre)
        return (self.release, 1 if not self.pre else 0, pre)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemVer) and self._key() == other._key()

    def __lt__(self, other: SemVer) -> bool:
        return self._key() < other._key()

    def __le__(self, other: SemVer) -> bool:
        return self._key() <= other._key()

    def __hash__(self) -> int:
        return hash(self._key())


Comparable = Version | SemVer


def parse_version(ecosystem: str, text: str) -> Comparable:
    if ecosystem == "PyPI":
        return Version(text)
    return SemVer(text)


def _lowest(ecosystem: str) -> Comparable:
    return parse_version(ecosystem, "0" if ecosystem == "PyPI" else "0.0.0-0")


def is_affected(record: Record, ecosystem: str, name: str, version: str) -> bool:
    """Whether an OSV record says this package at this version is affected."""
    wanted = normalize(ecosystem, name)
    pinned = parse_version(ecosystem, version)
    for affected in record.get("affected", []):
        package = affected.get("package", {})
        if (package.get("ecosystem") != ecosystem
                or normalize(ecosystem, package.get("name", "")) != wanted):
            continue
        for listed in affected.get("versions", []):
            try:
                if parse_version(ecosystem, listed) == pinned:
                    return True
            except (InvalidVersion, ValueError):
                continue  # a version the ecosystem's ordering cannot read is not our pin
        for span in affected.get("ranges", []):
            if (span.get("type") in ("ECOSYSTEM", "SEMVER")
                    and _in_range(span["events"], ecosystem, pinned)):
                return True
    return False


def _in_range(events: Sequence[Mapping[str, str]], ecosystem: str, pinned: Any) -> bool:
    """OSV's evaluation: walk the events in version order; the last one at or below decides."""
    order = {"introduced": 0, "fixed": 1, "last_affected": 2}
    ordered: list[tuple[Any, int, str]] = []  # versions of the one ecosystem
    for event in events:
        for kind, text in event.items():
            if kind not in order:
                continue  # "limit" bounds commit ranges; it does not apply to versions
            at = (_lowest(ecosystem) if kind == "introduced" and text == "0"
                  else parse_version(ecosystem, text))
            ordered.append((at, order[kind], kind))
    ordered.sort(key=lambda item: (item[0], item[1]))
    affected = False
    for at, _, kind in ordered:
        if kind == "introduced" and at <= pinned:
            affected = True
        elif (kind == "fixed" and at <= pinned) or (kind == "last_affected" and at < pinned):
            affected = False
    return affected


# --- what the project pins -------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Pin:
    ecosystem: str
    name: str  # normalized
    version: str
    where: tuple[str, ...]


REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")


def requirements_pins(path: Path) -> list[tuple[str, str]]:
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = REQUIREMENT.match(line)
        if match:
            pins.append((match[1], match[2]))
    return pins


def installed_pins(env: Path) -> list[tuple[str, str]]:
    """The distributions an installed environment holds, read from their metadata (no
    interpreter started), less the project's own packages installed from a local folder."""
    pins = []
    for metadata in sorted(env.glob("lib/python3*/site-packages/*.dist-info/METADATA")):
        direct = metadata.parent / "direct_url.json"
        if direct.exists() and json.loads(direct.read_text()).get("url", "").startswith("file:"):
            continue
        headers = metadata.read_text(encoding="utf-8", errors="replace").split("\n\n", 1)[0]
        fields = dict(line.split(": ", 1) for line in headers.splitlines() if ": " in line)
        if "Name" in fields and "Version" in fields:
            pins.append((fields["Name"], fields["Version"]))
    return pins


def npm_pins(path: Path) -> list[tuple[str, str]]:
    lock = json.loads(path.read_text(encoding="utf-8"))
    pins = []
    for key, entry in lock.get("packages", {}).items():
        if key and "node_modules/" in key and not entry.get("link") and "version" in entry:
            pins.append((key.rsplit("node_modules/", 1)[1], entry["version"]))
    return pins


def collect_pins(root: Path = ROOT, installed: bool = True) -> list[Pin]:
    found: dict[tuple[str, str, str], list[str]] = {}

    def add(ecosystem: str, pairs: Iterable[tuple[str, str]], where: str) -> None:
        for name, version in pairs:
            found.setdefault((ecosystem, normalize(ecosystem, name), version), []).append(where)

    for lock in PYTHON_LOCKS:
        add("PyPI", requirements_pins(root / lock), lock)
    if installed:
        for env in PYTHON_ENVS:
            if (root / env).is_dir():
                add("PyPI", installed_pins(root / env), env)
    add("npm", npm_pins(root / NPM_LOCK), NPM_LOCK)
    return sorted(Pin(eco, name, version, tuple(sorted(set(where))))
                  for (eco, name, version), where in found.items())


# --- the snapshot and the exceptions ---------------------------------------------------------

def entry_path(snapshot: Path, ecosystem: str, name: str) -> Path:
    return snapshot / ecosystem / f"{normalize(ecosystem, name).replace('/', '__')}.json"


def load_entry(snapshot: Path, ecosystem: str, name: str) -> dict[str, Any] | None:
    path = entry_path(snapshot, ecosystem, name)
    if not path.exists():
        return None
    entry: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return entry


def load_manifest(snapshot: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    return manifest


@dataclass(frozen=True)
class Exception_:
    id: str
    package: str
    reason: str
    review_by: date


def load_exceptions(path: Path) -> list[Exception_]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    result = []
    for item in data.get("exception", []):
        missing = {"id", "package", "reason", "review_by"} - set(item)
        if missing or not isinstance(item["review_by"], date) or not str(item["reason"]).strip():
            raise ValueError(f"{path.name}: each [[exception]] needs id, package, a reason and a "
                             f"review_by date: {item}")
        result.append(Exception_(item["id"], item["package"], item["reason"].strip(),
                                 item["review_by"]))
    return result


# --- the audit -------------------------------------------------------------------------------

@dataclass
class Report:
    rows: list[tuple[Pin, str, str, str]] = field(default_factory=list)  # pin, id, status, note
    missing: list[Pin] = field(default_factory=list)
    partial: list[Pin] = field(default_factory=list)
    unknown_exceptions: list[Exception_] = field(default_factory=list)
    unused_exceptions: list[Exception_] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.missing or self.unknown_exceptions
                    or any(status != "excepted" for _, _, status, _ in self.rows))


def audit(pins: Sequence[Pin], snapshot: Path, exceptions: Sequence[Exception_],
          today: date) -> Report:
    report = Report()
    known_ids: set[tuple[str, str]] = set()
    used: set[tuple[str, str]] = set()
    by_key = {(e.id, package_key(e.package)): e for e in exceptions}
    for pin in pins:
        entry = load_entry(snapshot, pin.ecosystem, pin.name)
        if entry is None:
            report.missing.append(pin)
            continue
        if not entry.get("complete", True):
            report.partial.append(pin)
        for record in entry.get("vulns", []):
            ids = {record["id"], *record.get("aliases", [])}
            known_ids.update((i, package_key(pin.name)) for i in ids)
            if not is_affected(record, pin.ecosystem, pin.name, pin.version):
                continue
            key = package_key(pin.name)
            exception = next((by_key[(i, key)] for i in sorted(ids) if (i, key) in by_key), None)
            if exception is None:
                report.rows.append((pin, record["id"], "VULNERABLE", _fixed_in(record, pin)))
            elif exception.review_by < today:
                used.add((exception.id, key))
                report.rows.append((pin, record["id"], "EXPIRED",
                                    f"exception's review date {exception.review_by} has passed"))
            else:
                used.add((exception.id, key))
                report.rows.append((pin, record["id"], "excepted",
                                    f"until {exception.review_by}: {exception.reason}"))
    for exception in exceptions:
        if (exception.id, package_key(exception.package)) not in known_ids:
            report.unknown_exceptions.append(exception)
        elif (exception.id, package_key(exception.package)) not in used:
            report.unused_exceptions.append(exception)
    return report


def package_key(name: str) -> str:
    """How an exception's package is matched to a pin, in either ecosystem: PyPI's
    normalization (npm names are lower case already; they never differ only in -_.)."""
    return normalize("PyPI", name)


def _fixed_in(record: Record, pin: Pin) -> str:
    fixed = sorted({event["fixed"] for affected in record.get("affected", [])
                    if normalize(pin.ecosystem, affected.get("package", {}).get("name", ""))
                    == pin.name
                    for span in affected.get("ranges", []) for event in span.get("events", [])
                    if "fixed" in event})
    summary = (record.get("summary") or record.get("details", "")).strip().splitlines()[0][:70]
    return f"{summary} (fixed in {', '.join(fixed) or 'no release'})"


def print_report(report: Report, pins: Sequence[Pin], manifest: Mapping[str, Any],
                 today: date) -> None:
    as_of = manifest["advisories_as_of"]
    age = (today - date.fromisoformat(as_of)).days
    print(f"dependency audit: {len(pins)} pinned packages against the advisory snapshot of {as_of} "
          f"({age} days old; refresh: python scripts/audit.py --refresh)")
    for name, source in manifest["sources"].items():
        print(f"  {name}: {source['repository']} @ {source.get('commit', 'see each record')[:12]} "
              f"({source['date']}): {source['covers']}")
    if report.partial:
        print(f"  partial coverage (only the records listed in the snapshot were checked): "
              f"{', '.join(sorted({p.name for p in report.partial}))}")
    if report.rows:
        width = max(len(f"{p.name}=={p.version}") for p, _, _, _ in report.rows)
        print(f"\n{'package':<{width}}  {'advisory':<22}  {'status':<10}  note")
        rows = sorted(report.rows, key=lambda r: (r[2] == "excepted", r[0].name))
        for pin, advisory, status, note in rows:
            print(f"{pin.name + '==' + pin.version:<{width}}  {advisory:<22}  {status:<10}  {note}"
                  f"  [{', '.join(pin.where)}]")
    for pin in report.missing:
        print(f"NO SNAPSHOT ENTRY: {pin.ecosystem} {pin.name} ({', '.join(pin.where)}): "
              f"add it with --refresh (an entry with no records says 'no advisories')")
    for exception in report.unknown_exceptions:
        print(f"UNKNOWN EXCEPTION: {exception.id} for {exception.package}: no record of the "
              f"snapshot has that id for that package")
    for exception in report.unused_exceptions:
        print(f"note: exception {exception.id} ({exception.package}) matches no pin any more: "
              f"remove it")
    bad = sum(status != "excepted" for _, _, status, _ in report.rows)
    print(f"\n{'FAILED' if report.failed else 'ok'}: {bad} unexplained, "
          f"{sum(s == 'excepted' for _, _, s, _ in report.rows)} explained, "
          f"{len(report.missing)} without snapshot entry, "
          f"{len(report.unknown_exceptions)} unknown exceptions")


# --- refreshing (needs the network) ----------------------------------------------------------

def _post(url: str, body: Mapping[str, Any]) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:  # a fixed https URL
        return json.load(answer)


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:  # a fixed https URL
        return json.load(answer)


def write_entry(snapshot: Path, ecosystem: str, name: str, records: Sequence[Record], source: str,
                complete: bool = True) -> None:
    path = entry_path(snapshot, ecosystem, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"ecosystem": ecosystem, "package": normalize(ecosystem, name), "source": source,
             "complete": complete, "vulns": sorted(records, key=lambda r: str(r["id"]))}
    text = json.dumps(entry, indent=1, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def refresh(pins: Sequence[Pin], snapshot: Path, today: date) -> int:
    """Rebuild the snapshot from OSV's API: every record of every pinned package."""
    try:
        _post(f"{OSV_API}/querybatch", {"queries": []})
    except (urllib.error.URLError, OSError) as error:
        print(f"--refresh: OSV's API ({OSV_API}) is not reachable from this machine ({error}); "
              f"the snapshot was NOT refreshed and still dates from "
              f"{load_manifest(snapshot)['advisories_as_of']}")
        _try_other_auditors()
        return 2
    names = sorted({(pin.ecosystem, pin.name) for pin in pins})
    for ecosystem, name in names:
        ids: set[str] = set()
        token = None
        while True:
            query: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
            if token:
                query["page_token"] = token
            answer = _post(f"{OSV_API}/querybatch", {"queries": [query]})["results"][0]
            ids.update(vuln["id"] for vuln in answer.get("vulns", []))
            token = answer.get("next_page_token")
            if not token:
                break
        records = [_get(f"{OSV_API}/vulns/{vuln_id}") for vuln_id in sorted(ids)]
        write_entry(snapshot, ecosystem, name, records, "osv.dev")
        print(f"  {ecosystem} {name}: {len(records)} records")
    manifest = {"advisories_as_of": today.isoformat(),
                "sources": {"osv": {"repository": "https://osv.dev (api.osv.dev/v1/querybatch)",
                                    "date": today.isoformat(), "license": "CC-BY-4.0 (GHSA, PyPA)",
                                    "covers": "every record OSV holds for each pinned package"}}}
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    _try_other_auditors()
    return 0


def _try_other_auditors() -> None:
    """pip-audit and npm audit as a second opinion, where they are installed and can reach
    their services (they cannot without the network: pip-audit then skips every package)."""
    pip_audit = shutil.which("pip-audit")
    if pip_audit is None:
        print("pip-audit: not installed (pip install pip-audit), skipped")
    else:
        for lock in PYTHON_LOCKS:
            run = subprocess.run([pip_audit, "--no-deps", "--disable-pip", "-r", str(ROOT / lock)],
                                 capture_output=True, text=True, check=False)
            skipped = "could not be audited" in run.stdout + run.stderr
            print(f"pip-audit {lock}: exit {run.returncode}"
                  f"{' — packages SKIPPED (service unreachable): not an audit' if skipped else ''}")
            print(run.stdout[-2000:])
    if shutil.which("npm") is None:
        print("npm audit: npm not installed, skipped")
        return
    run = subprocess.run(["npm", "audit", "--package-lock-only"], cwd=ROOT, capture_output=True,
                         text=True, check=False)
    print(f"npm audit: exit {run.returncode}\n{(run.stdout + run.stderr)[-2000:]}")


def import_pypa(pins: Sequence[Pin], snapshot: Path, git_dir: Path) -> None:
    """Rebuild the PyPI entries from a local git copy of pypa/advisory-database (vulns/<name>/)."""
    import yaml  # type: ignore[import-untyped]  # the project venv has PyYAML; only this needs it

    def git(*args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True,
                              text=True, check=True).stdout

    commit = git("rev-parse", "HEAD").strip()
    when = git("log", "-1", "--format=%cs", "HEAD").strip()
    folders = {normalize("PyPI", name): name
               for name in git("ls-tree", "--name-only", "HEAD:vulns").split()}
    for name in sorted({pin.name for pin in pins if pin.ecosystem == "PyPI"}):
        records = []
        if name in folders:
            for file in git("ls-tree", "--name-only", f"HEAD:vulns/{folders[name]}").split():
                record = yaml.safe_load(git("show", f"HEAD:vulns/{folders[name]}/{file}"))
                records.append(json.loads(json.dumps(record, default=str)))
        write_entry(snapshot, "PyPI", name, records, f"pypa/advisory-database@{commit[:12]}")
    print(f"PyPI entries from pypa/advisory-database {commit} ({when})")


# --- the command -----------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refresh", action="store_true",
                        help="rebuild the snapshot from OSV (network)")
    parser.add_argument("--import-pypa", type=Path, metavar="GIT_DIR",
                        help="rebuild the PyPI entries from a git copy of pypa/advisory-database")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    parser.add_argument("--exceptions", type=Path, default=EXCEPTIONS)
    parser.add_argument("--lock-files-only", action="store_true",
                        help="audit the requirement and lock files, not the installed environments")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    pins = collect_pins(ROOT, installed=not args.lock_files_only)
    if args.refresh:
        return refresh(pins, args.snapshot, args.today)
    if args.import_pypa:
        import_pypa(pins, args.snapshot, args.import_pypa)
        return 0
    try:
        exceptions = load_exceptions(args.exceptions)
        manifest = load_manifest(args.snapshot)
    except (ValueError, OSError, tomllib.TOMLDecodeError) as error:
        print(f"dependency audit cannot run: {error}")
        return 2
    report = audit(pins, args.snapshot, exceptions, args.today)
    print_report(report, pins, manifest, args.today)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
