"""Typed results: a service answers with frozen dataclasses, and the edge makes them JSON.

A result is a ``@dataclass(frozen=True)``; its fields are its answer's keys, in the order they
are declared (the order the answer has always had: clients and signatures may read it). Two
kinds of field cover the answers' forms:

* :func:`optional` — the key is left out while the value is ``None`` (a key only some answers
  carry, e.g. a certificate's ``total``); a plain field that is ``None`` is sent as ``null``;
* :func:`named` — a key that is not a Python name (``"from"``, ``"class"``).

:func:`as_json` turns a result, and the results inside its lists, tuples and dicts, into plain
JSON values, and :func:`to_json` writes the API's JSON text of them. The resolver's serializer
(:func:`etax.platform.api.make_resolver`) and the "once" store (:class:`etax.platform.once.Once`,
which keeps the first answer's text) use it, so a
route returns what its service returned and no service builds its answer's dict by hand.
Documents that are data rather than answers (a signed certificate, a stored envelope) stay
``dict[str, Any]`` fields of the result that carries them.
"""

from __future__ import annotations

import json
from dataclasses import field, fields, is_dataclass
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.shared.json_encoder import Encoder

_OMIT_NONE = "etax.results.omit_none"
# pydantic reads a dataclass field's "alias" metadata: the API's contract (scripts/openapi.py)
# shows the key an answer has, not the attribute's name, from this one declaration
_KEY = "alias"


def optional(*, key: str | None = None) -> Any:
    """A field whose key is absent from the answer while its value is ``None``."""
    metadata: dict[str, Any] = {_OMIT_NONE: True}
    if key is not None:
        metadata[_KEY] = key
    return field(default=None, metadata=metadata)


def named(key: str, **kwargs: Any) -> Any:
    """A field sent under ``key`` (for keys that are not Python names)."""
    return field(metadata={_KEY: key}, **kwargs)


@cache
def _plan(kind: type) -> tuple[tuple[str, str, bool], ...]:
    """(attribute, key, omitted when None) for each field of a result class, in order."""
    return tuple((item.name, item.metadata.get(_KEY, item.name),
                  bool(item.metadata.get(_OMIT_NONE))) for item in fields(kind))


def as_json(value: Any) -> Any:
    """``value`` with every result in it turned into a dict of its keys, in declared order."""
    if is_dataclass(value) and not isinstance(value, type):
        answer: dict[str, Any] = {}
        for attribute, key, omit_none in _plan(type(value)):
            item = getattr(value, attribute)
            if item is None and omit_none:
                continue
            answer[key] = as_json(item)
        return answer
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value


# UTF-8 JSON as people read it (names are Chinese), compact; Decimal as Powertools does.
_dumps = partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder)


def to_json(value: Any) -> str:
    """``value`` as the API's JSON text: results as their keys in declared order."""
    return _dumps(as_json(value))
