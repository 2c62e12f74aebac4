"""The role matrix: every route of the API × every role, and what that role gets.

The table itself is tests/role_matrix.txt (wider than a line of code), read here: one row per
route, ``METHOD /path`` exactly as the boards route it (API Gateway's ``{param}`` style); one
column per role (:data:`ROLES`); in each cell one of :data:`OUTCOMES`, for the local stage.
Elsewhere the dev issuer's two routes do not exist (:data:`LOCAL_ONLY`) and the partners'
routes also require the partner's API key (infra/platform/edge.py).

A route that takes an id is asked about one record of its kind (tests/e2e/test_role_matrix_e2e.py
makes them): the company's records belong to taxpayer A, the per-person ones (a natural
person's registration, a lottery draw, an IIT refund) to person P, both of the Fuzhou office; a
column that is not the owner's says what that role gets on someone else's record.

``tests/infra/test_role_matrix.py`` fails when a route of the synthesized app has no row (or a
row no route); the e2e test checks every cell against the deployed local stack;
``scripts/role_matrix_doc.py`` renders the table into docs/role-matrix.md.
"""

from __future__ import annotations

from pathlib import Path

ROLES = {
    "public": "no token at all",
    "taxpayer": "an enterprise signed in by its credit code: A, the owner of the company's "
                "records; for `own`, B, another enterprise of the same office",
    "person": "a natural person signed in by resident ID: P, the owner of the per-person "
              "records; for `own`, Q, another person",
    "officer": "an officer of the tax office in charge of the record (Fuzhou)",
    "other_office": "an officer of another tax office (Xiamen)",
    "partner": "a partner's token (a bank). On the partners' own routes (payment callbacks, "
               "message channels) every column says what a caller without the partner's "
               "signature gets, whatever token it bears",
    "developer": "an app-square developer's token",
    "admin": "the platform administrator",
}

OUTCOMES = {
    "ok": "reaches the route's logic: a 2xx, or a 400/409/422 about the request or the "
          "record's state; never 401, 403, 404 or 5xx",
    "own": "ok on its own record; another party of the same role gets 403",
    "own-404": "ok on its own record; another party of the same role gets 404 (the platform "
               "does not say whether the record exists)",
    "401": "refused: no valid token (the gateway answers)",
    "403": "refused: signed in, but not with a role or office this route or record allows",
    "404": "refused as if the record did not exist",
    "n/a": "not applicable, not checked",
}

TABLE = Path(__file__).with_name("role_matrix.txt")


def _load(text: str) -> dict[str, dict[str, str]]:
    lines = [line.split() for line in text.splitlines()
             if line.strip() and not line.startswith("#")]
    header, rows = lines[0], lines[1:]
    if tuple(header[1:]) != tuple(ROLES):
        raise ValueError(f"the matrix's columns are {header[1:]}, not {list(ROLES)}")
    matrix: dict[str, dict[str, str]] = {}
    for cells in rows:
        route, outcomes = " ".join(cells[:2]), cells[2:]
        if len(outcomes) != len(ROLES):
            raise ValueError(f"{route}: {len(outcomes)} cells for {len(ROLES)} roles")
        unknown = set(outcomes) - set(OUTCOMES)
        if unknown:
            raise ValueError(f"{route}: unknown outcomes {sorted(unknown)}")
        if route in matrix:
            raise ValueError(f"{route}: two rows")
        matrix[route] = dict(zip(ROLES, outcomes, strict=True))
    return matrix


MATRIX: dict[str, dict[str, str]] = _load(TABLE.read_text(encoding="utf-8"))
"""route → role → outcome, in the table's order."""

LOCAL_ONLY = frozenset({"POST /v1/auth/dev-token", "GET /v1/auth/jwks.json"})
"""Rows of the dev token issuer, which only the local stage has."""
