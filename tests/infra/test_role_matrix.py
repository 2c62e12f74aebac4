"""The role matrix (tests/role_matrix.py) has one row for every route the app serves, and its
public column agrees with how each route is guarded: a new route without a row fails here."""

from __future__ import annotations

from aws_cdk.assertions import Template

from tests.infra.test_edge_protection import methods
from tests.role_matrix import LOCAL_ONLY, MATRIX


def test_every_route_has_a_row_and_every_row_a_route(local: Template) -> None:
    served = set(methods(local))
    assert sorted(served - set(MATRIX)) == [], "routes without a row in tests/role_matrix.py"
    assert sorted(set(MATRIX) - served) == [], "rows of tests/role_matrix.py with no route"


def test_production_serves_the_rows_but_the_dev_issuers(prod: Template) -> None:
    assert set(methods(prod)) == set(MATRIX) - LOCAL_ONLY


def test_the_public_column_says_401_exactly_where_the_authorizer_guards(
        local: Template) -> None:
    guarded = {route for route, props in methods(local).items()
               if props["AuthorizationType"] != "NONE"}
    assert {route for route, row in MATRIX.items() if row["public"] == "401"} == guarded
