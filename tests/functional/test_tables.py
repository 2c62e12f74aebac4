"""moto's tables are the contexts' specifications: keys, indexes, stream and TTL."""

from __future__ import annotations

from typing import Any

import boto3

from tests.functional.conftest import FUNCTION_ENV
from tests.tables import every_table


def test_every_table_is_its_specification(aws: None) -> None:
    client = boto3.client("dynamodb")
    specs = every_table()
    assert sorted(client.list_tables()["TableNames"]) == sorted(
        FUNCTION_ENV[s.variable] for s in specs)
    for spec in specs:
        name = FUNCTION_ENV[spec.variable]
        table: dict[str, Any] = client.describe_table(TableName=name)["Table"]
        keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
        assert keys == {"HASH": spec.partition_key.name,
                        **({"RANGE": spec.sort_key.name} if spec.sort_key else {})}, name
        assert {a["AttributeName"]: a["AttributeType"]
                for a in table["AttributeDefinitions"]} == spec.attributes(), name
        indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i.name for i in spec.indexes}, name
        for index in spec.indexes:
            got = indexes[index.name]
            assert {k["KeyType"]: k["AttributeName"] for k in got["KeySchema"]} == {
                "HASH": index.partition_key.name,
                **({"RANGE": index.sort_key.name} if index.sort_key else {})}, index.name
            assert got["Projection"]["ProjectionType"] == index.projection, index.name
            assert tuple(got["Projection"].get("NonKeyAttributes", ())) == \
                index.non_key_attributes, index.name
        stream = table.get("StreamSpecification", {})
        assert (stream.get("StreamViewType") if stream.get("StreamEnabled") else None) == \
            spec.stream, name
        ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert (ttl.get("AttributeName") if ttl["TimeToLiveStatus"] == "ENABLED" else None) \
            == spec.ttl_attribute, name
