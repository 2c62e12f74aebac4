"""The domain's errors: what went wrong, named by meaning, with no word of HTTP.

Every context (``etax/<context>/``, ``etax/rules/``) raises these; the platform's edge
(:func:`etax.platform.api.problem_for`) is the one place that turns each kind into an
RFC 9457 problem (status, type, title, Retry-After). A module outside ``etax/platform`` never
imports ``etax.platform.errors`` or ``etax.platform.api`` (``tests/unit/test_domain_errors.py``
enforces it; docs/decisions/0013-domain-errors.md).

Each error carries a ``detail`` (a sentence for the person who asked), the ``field`` at fault
when one is (``items[0].price``), and ``extra`` facts worth a client's reading
(``{"reference": …}``). The edge bounds and masks all three whatever the raising code put in.

The kinds:

- :class:`Invalid` — the input breaks a rule; names the field (:class:`RealNameMismatch`:
  a bank did not confirm that an identity, a name and a card or account belong together);
- :class:`Malformed` — the request cannot be read as asked (a body that is not JSON, a
  parameter out of range, a filter this caller may not use);
- :class:`NotFound` — no such thing (or none this caller may see);
- :class:`AlreadyExists` — the thing to create exists already;
- :class:`StateChanged` — the thing is not, or no longer, in the state the action needs (its
  status, a quota used up, a record changed meanwhile);
- :class:`Refused` — the caller may not do this, or a rule refuses it whoever asks;
- :class:`LimitReached` — the caller used up its allowance; ``retry_after`` seconds until it
  renews;
- :class:`Unavailable` — a partner (a bank, a payment service) could not answer, or the
  platform's own records stayed busy with other requests' writes; optionally ``retry_after``
  seconds;
- :class:`Fault` — the platform itself is at fault (misconfigured, its data inconsistent): not
  the caller's doing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etax.platform.privacy import excerpt

MAX_LISTED_ERRORS = 20  # validation errors listed in one error
MESSAGE_LIMIT = 160  # characters of one validation message


class DomainError(Exception):
    """Something the domain refuses or cannot do; ``detail`` says what, ``field`` where."""

    def __init__(self, detail: str, *, field: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra or {}


class Invalid(DomainError):
    """The input breaks a rule; ``field`` names where."""


class RealNameMismatch(Invalid):
    """A bank did not confirm that an identity, a name and a card or account belong together."""


class Malformed(DomainError):
    """The request cannot be read as asked: not JSON, a parameter out of range or not for
    this caller."""


class NotFound(DomainError):
    """No such thing, or none the caller may see."""


class AlreadyExists(DomainError):
    """The thing to create exists already."""


class StateChanged(DomainError):
    """The thing is not, or no longer, in the state the action needs."""


class Refused(DomainError):
    """The caller may not do this, or a rule refuses it."""


class LimitReached(DomainError):
    """The caller used up its allowance; it renews in ``retry_after`` seconds."""

    def __init__(self, detail: str, *, retry_after: int, field: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail, field=field, extra=extra)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A partner could not answer, or the records stayed busy; try again (after
    ``retry_after`` seconds when known)."""

    def __init__(self, detail: str, *, retry_after: int | None = None,
                 field: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail, field=field, extra=extra)
        self.retry_after = retry_after


class Fault(DomainError):
    """The platform itself is at fault (misconfigured, its data inconsistent)."""


def _field_of(location: Sequence[Any]) -> str:
    """``("body", "items", 0, "price")`` → ``items[0].price``; the source alone if nothing else."""
    parts = list(location[1:]) or list(location)
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def invalid_from(errors: Sequence[Any],
                 prefix: tuple[Any, ...] = ()) -> Invalid | Malformed:
    """Pydantic-style validation errors (``ValidationError.errors()``) as one error: an
    :class:`Invalid` naming the first failing field and listing the first
    :data:`MAX_LISTED_ERRORS` (their messages only, never the input), or :class:`Malformed`
    when the text was not JSON. ``prefix`` is where the model sits (``("body", "data")``)."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return Malformed("the request body is not valid JSON", field="body")
    listed = [
        {"field": excerpt(_field_of(prefix + tuple(e.get("loc", ())))),
         "message": excerpt(str(e.get("msg", "invalid")), MESSAGE_LIMIT)}
        for e in errors[:MAX_LISTED_ERRORS]
    ]
    first = listed[0] if listed else {"field": "body", "message": "invalid request"}
    return Invalid(f"{first['field']}: {first['message']}", field=first["field"],
                   extra={"errors": listed})
