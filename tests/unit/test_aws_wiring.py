"""Where the AWS SDK may be used: handlers wire adapters to the platform's clients
(``etax.platform.aws``: made on first use, one per service), never build a client or import
boto3 themselves; inside a context only its repository and adapter modules touch boto3 or
botocore, so the domain code stays pure and a function's init pays for no client it does not
use (docs/benchmarks.md, "Function init time")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = sorted((ROOT / "functions").glob("*/handler.py"))
ETAX = ROOT / "layers" / "shared" / "python" / "etax"
SDK = {"boto3", "botocore"}
# Packages under etax/ that are not a context: the platform kit (its aws module is where the
# clients are made) and the shared rules.
NOT_CONTEXTS = {"platform", "rules"}
# Modules of a context allowed to talk to AWS besides its repository: its adapters.
ADAPTERS = {
    "acceptance/documents.py",  # the S3 document store (presigned forms, copy, delete)
    "analytics/store.py",  # the store's and the open data's S3 objects (conditional writes)
}


def sdk_imports(path: Path) -> list[str]:
    """``module:line`` of every import of boto3 or botocore in ``path`` (anywhere in it)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"{name}:{node.lineno}" for name in names if name.split(".")[0] in SDK]
    return found


def context_modules() -> list[Path]:
    return sorted(path for path in ETAX.glob("*/**/*.py")
                  if path.relative_to(ETAX).parts[0] not in NOT_CONTEXTS)


def is_adapter(path: Path) -> bool:
    relative = path.relative_to(ETAX).as_posix()
    return path.name in {"repository.py", "adapters.py"} or relative in ADAPTERS


def test_every_handler_is_scanned() -> None:
    assert len(HANDLERS) > 20
    assert len(context_modules()) > 50


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda p: p.parent.name)
def test_handler_builds_no_client(handler: Path) -> None:
    source = handler.read_text()
    assert "boto3.client(" not in source, f"{handler.parent.name}: use etax.platform.aws"
    assert "boto3.resource(" not in source, f"{handler.parent.name}: use etax.platform.aws"
    assert sdk_imports(handler) == [], f"{handler.parent.name} imports the AWS SDK"


def test_only_repositories_and_adapters_of_a_context_use_the_sdk() -> None:
    offenders = {path.relative_to(ETAX).as_posix(): sdk_imports(path)
                 for path in context_modules() if not is_adapter(path)}
    assert {path: lines for path, lines in offenders.items() if lines} == {}


def test_the_adapters_named_exist() -> None:
    for relative in ADAPTERS:
        assert (ETAX / relative).is_file(), relative


def test_a_missing_object_is_told_from_any_other_s3_failure() -> None:
    from botocore.exceptions import ClientError

    from etax.platform.aws import missing_object

    for code in ("404", "NoSuchKey", "NotFound"):
        assert missing_object(ClientError({"Error": {"Code": code}}, "GetObject"))
    assert not missing_object(ClientError({"Error": {"Code": "AccessDenied"}}, "GetObject"))
    assert not missing_object(ValueError("no response"))
