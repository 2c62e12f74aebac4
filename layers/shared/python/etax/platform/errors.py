"""Errors that become RFC 9457 ``application/problem+json`` responses.

Domain services raise these; the resolver (:mod:`etax.platform.api`) maps
them to HTTP. Each names what failed (``field``) when a field failed, so a
client can point at it.

:meth:`ProblemError.body` is the one place that bounds and masks what a problem carries (it is
also what the resolver logs): the detail at most :data:`DETAIL_LIMIT` characters, the field and
every other string at most :data:`~etax.platform.privacy.EXCERPT_LIMIT`, resident ID numbers
masked (:mod:`etax.platform.privacy`), whatever the raising code put in.
"""

from __future__ import annotations

from typing import Any

from etax.platform.privacy import EXCERPT_LIMIT, scrub

DETAIL_LIMIT = 240  # characters: the server's sentence and an excerpt or two of the input


class ProblemError(Exception):
    status = 500
    title = "Internal error"
    slug = "internal"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": f"urn:etax:problem:{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": scrub(self.detail, DETAIL_LIMIT),
        }
        if self.field is not None:  # a key without a name ("") is named by where it is
            problem["field"] = scrub(self.field or "body", EXCERPT_LIMIT)
        problem.update(scrub(self.extra, DETAIL_LIMIT))
        return problem


class BadRequest(ProblemError):
    status, title, slug = 400, "Bad request", "bad-request"


class Unauthorized(ProblemError):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(ProblemError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(ProblemError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(ProblemError):
    status, title, slug = 409, "Conflict", "conflict"


class ContentTooLarge(ProblemError):
    status, title, slug = 413, "Content too large", "too-large"


class Unprocessable(ProblemError):
    status, title, slug = 422, "Unprocessable content", "validation"


class TooManyRequests(ProblemError):
    status, title, slug = 429, "Too many requests", "rate-limited"

    def __init__(self, detail: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(detail, field=field, headers={"Retry-After": str(retry_after)},
                         extra={"retry_after": retry_after})


class RealNameMismatch(ProblemError):
    """A bank did not confirm that an identity, a name and a card or account belong together."""

    status, title, slug = 422, "Real-name check failed", "real-name-mismatch"


class ServiceUnavailable(ProblemError):
    """A service the platform depends on (a bank, …) could not answer: try again later."""

    status, title, slug = 503, "Service unavailable", "unavailable"
