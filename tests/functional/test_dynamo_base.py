"""The pynamodb base: table names from the environment, conditional writes as booleans."""

from __future__ import annotations

import boto3
import pytest
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from etax.platform.dynamo import EtaxModel


def test_a_model_without_its_table_variable_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNTER_TABLE", raising=False)
    with pytest.raises(RuntimeError, match="COUNTER_TABLE is not set"):
        class Counter(EtaxModel):
            class Meta:
                table_env = "COUNTER_TABLE"

            name = UnicodeAttribute(hash_key=True)


def test_save_if_answers_whether_the_condition_held(aws: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTER_TABLE", "counters")
    boto3.client("dynamodb").create_table(
        TableName="counters", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}])

    class Counter(EtaxModel):
        class Meta:
            table_env = "COUNTER_TABLE"

        name = UnicodeAttribute(hash_key=True)
        value = NumberAttribute()

    assert Counter.Meta.table_name == "counters"  # type: ignore[attr-defined]  # set by the base
    first = Counter(name="draws", value=1)
    assert first.save_if(Counter.name.does_not_exist())
    assert not Counter(name="draws", value=2).save_if(Counter.name.does_not_exist())
    assert Counter.get("draws").value == 1
