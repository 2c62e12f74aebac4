"""Every DynamoDB table is made from the specification its context owns
(``etax/<context>/tables.py``): each table in the template has one, each specification is
one table, with the specification's keys, indexes, stream and TTL, and every function that
is given a table's variable is given that table."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk.assertions import Template

from etax.platform.tables import TableSpec
from tests.tables import every_table, index_definitions, key_schema

SPECS = every_table()
# the simulated partners' books: on the stages that run the simulations only (test_simulations)
SIMULATED = {"PayoutLedgerTable", "ProviderLedgerTable", "TreasuryTable"}
# the route classes' counters: where no WAF counts them, on local only (test_edge_protection)
LOCAL_ONLY = SIMULATED | {"EdgeLimitsTable"}


def expected(spec: TableSpec) -> dict[str, Any]:
    """What CloudFormation should be given for ``spec`` (what the platform adds aside)."""
    properties: dict[str, Any] = {
        "KeySchema": key_schema(spec.partition_key, spec.sort_key),
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": kind}
                                 for name, kind in spec.attributes().items()],
    }
    if spec.indexes:
        properties["GlobalSecondaryIndexes"] = index_definitions(spec)
    if spec.stream:
        properties["StreamSpecification"] = {"StreamViewType": spec.stream}
    if spec.ttl_attribute:
        properties["TimeToLiveSpecification"] = {"AttributeName": spec.ttl_attribute,
                                                 "Enabled": True}
    return properties


def built(template: Template) -> dict[str, str]:
    """Each table's logical id → the construct id of the specification it was made from."""
    tables = template.find_resources("AWS::DynamoDB::Table")
    found: dict[str, str] = {}
    for logical_id in tables:
        owners = [s.construct_id for s in SPECS
                  if re.fullmatch(rf"[A-Za-z0-9]*{s.construct_id}[0-9A-F]{{8}}", logical_id)]
        assert len(owners) == 1, f"{logical_id}: specifications {owners}"
        found[logical_id] = owners[0]
    return found


def test_specifications_are_unique() -> None:
    assert len({s.construct_id for s in SPECS}) == len(SPECS)
    assert len({s.variable for s in SPECS}) == len(SPECS)


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_every_table_has_a_specification_and_every_specification_a_table(
        stage: str, request: pytest.FixtureRequest) -> None:
    template: Template = request.getfixturevalue(stage)
    owners = built(template)
    assert sorted(owners.values()) == sorted(s.construct_id for s in SPECS
                                            if stage == "local" or s.construct_id not in LOCAL_ONLY)
    tables = template.find_resources("AWS::DynamoDB::Table")
    by_id = {s.construct_id: s for s in SPECS}
    for logical_id, owner in owners.items():
        properties = tables[logical_id]["Properties"]
        want = expected(by_id[owner])
        assert {k: properties.get(k) for k in (*want, "GlobalSecondaryIndexes",
                                               "StreamSpecification",
                                               "TimeToLiveSpecification")
                if k in want or k in properties} == want, logical_id
        assert properties["BillingMode"] == "PAY_PER_REQUEST"


def test_every_function_given_a_tables_variable_is_given_that_table(local: Template) -> None:
    table_of = {by: logical_id for logical_id, by in built(local).items()}
    variables = {s.variable: table_of[s.construct_id] for s in SPECS}
    checked = set()
    for name, function in local.find_resources("AWS::Lambda::Function").items():
        given = function["Properties"].get("Environment", {}).get("Variables", {})
        for variable, logical_id in variables.items():
            if variable in given:
                assert given[variable] == {"Ref": logical_id}, (name, variable)
                checked.add(variable)
    assert checked == set(variables)
