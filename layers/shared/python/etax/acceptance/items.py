"""Stored acceptance items as the services read them: keys, timestamps, and the typed results
made from an item (DynamoDB numbers as plain integers)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def taxpayer_pk(subject: str) -> str:
    return f"taxpayer#{subject}"


def application_pk(application_id: str) -> str:
    return f"application#{application_id}"


def public_item(item: dict[str, Any], *drop: str) -> dict[str, Any]:
    hidden = {"pk", "sk", *drop}
    return {k: plain(v) for k, v in item.items() if k not in hidden}


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: integers here are versions and sizes."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | float):
        return int(value)
    return value


def result_of[R: DataclassInstance](kind: type[R], item: dict[str, Any], **parts: Any) -> R:
    """The result ``kind`` of a stored item: its fields' values (DynamoDB numbers as plain
    integers), those of nested results given as ``parts``; a field the item lacks is None."""
    values = plain(item)
    return kind(**{f.name: values.get(f.name) for f in fields(kind) if f.name not in parts},
                **parts)


def parts_of(result: DataclassInstance) -> dict[str, Any]:
    """A result's fields by name (its nested results kept as they are)."""
    return {f.name: getattr(result, f.name) for f in fields(result)}
