"""Every DynamoDB table specification the contexts own (``etax/<context>/tables.py``), found
by looking, so a context's new table is in the infrastructure tests and in moto without
being listed again; and moto's tables made from them."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import etax
from etax.platform.tables import Key, TableSpec


def every_table() -> tuple[TableSpec, ...]:
    """Each specification once, in the order the contexts are found."""
    found: dict[str, TableSpec] = {}
    for package in pkgutil.iter_modules(etax.__path__):
        if not package.ispkg:
            continue
        name = f"etax.{package.name}.tables"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        for value in vars(module).values():
            if isinstance(value, TableSpec):
                assert found.setdefault(value.construct_id, value) == value, value.construct_id
    return tuple(found.values())


def key_schema(partition: Key, sort: Key | None) -> list[dict[str, str]]:
    """A key schema as DynamoDB's API (and CloudFormation) write it."""
    return [{"AttributeName": partition.name, "KeyType": "HASH"},
            *([{"AttributeName": sort.name, "KeyType": "RANGE"}] if sort else [])]


def index_definitions(spec: TableSpec) -> list[dict[str, Any]]:
    """The table's global secondary indexes as DynamoDB's API (and CloudFormation) write them."""
    return [{
        "IndexName": index.name,
        "KeySchema": key_schema(index.partition_key, index.sort_key),
        "Projection": {"ProjectionType": index.projection,
                       **({"NonKeyAttributes": list(index.non_key_attributes)}
                          if index.non_key_attributes else {})},
    } for index in spec.indexes]


def create_table(client: Any, spec: TableSpec, name: str) -> None:
    """The table ``spec`` describes, named ``name``, made with the low-level client (moto's)."""
    options: dict[str, Any] = {}
    if spec.indexes:
        options["GlobalSecondaryIndexes"] = index_definitions(spec)
    if spec.stream:
        options["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": spec.stream}
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=key_schema(spec.partition_key, spec.sort_key),
        AttributeDefinitions=[{"AttributeName": attribute, "AttributeType": kind}
                              for attribute, kind in spec.attributes().items()],
        **options)
    if spec.ttl_attribute:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": spec.ttl_attribute})
