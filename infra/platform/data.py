"""DynamoDB tables: one per specification a context owns (``etax/<context>/tables.py``),
all made the same way; and the least-privilege grants on them (:func:`grant`)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from etax.platform.tables import Key, TableSpec

_TYPES = {"S": "STRING", "N": "NUMBER", "B": "BINARY"}


def _attribute(key: Key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=dynamodb.AttributeType(_TYPES[key.type]))


def table(scope: Construct, spec: TableSpec, *, retain: bool) -> dynamodb.Table:
    """The table ``spec`` describes, under ``scope`` with the spec's construct id: on demand,
    encrypted, with point-in-time recovery (backups), kept when ``retain``.

    ``dynamodb.Table`` (not TableV2): the emulators behind the local stack do
    not all support the global-table resource TableV2 synthesizes.
    """
    built = dynamodb.Table(
        scope,
        spec.construct_id,
        partition_key=_attribute(spec.partition_key),
        sort_key=_attribute(spec.sort_key) if spec.sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=spec.ttl_attribute,
        stream=dynamodb.StreamViewType(spec.stream) if spec.stream else None,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )
    for index in spec.indexes:
        built.add_global_secondary_index(
            index_name=index.name,
            partition_key=_attribute(index.partition_key),
            sort_key=_attribute(index.sort_key) if index.sort_key else None,
            projection_type=dynamodb.ProjectionType(index.projection),
            non_key_attributes=list(index.non_key_attributes) or None,
        )
    return built


def index_arn(table: dynamodb.ITable, index: str) -> str:
    """The ARN of one index of ``table``, to name it alone in a grant."""
    return f"{table.table_arn}/index/{index}"


def grant(grantee: iam.IGrantable, on: dynamodb.ITable | str | list[dynamodb.ITable | str],
          *actions: str, query: Sequence[str] = ()) -> None:
    """Least privilege in one call: one statement allowing ``dynamodb:<action>`` for each of
    ``actions`` on ``on`` (tables, which covers none of their indexes, or :func:`index_arn`s),
    then, with ``query``, one allowing ``dynamodb:Query`` on those indexes of ``on`` (one
    table). Unlike ``grant_read_data`` and its kind, nothing is granted that is not named.
    """
    targets: list[dynamodb.ITable | str] = on if isinstance(on, list) else [on]
    arns = [target if isinstance(target, str) else target.table_arn for target in targets]
    if actions:
        grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
            actions=[f"dynamodb:{action}" for action in actions], resources=arns))
    if query:
        (table,) = targets
        assert not isinstance(table, str), "query= names indexes of a table, not of an ARN"
        grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
            actions=["dynamodb:Query"], resources=[index_arn(table, index) for index in query]))
