"""DynamoDB tables: one per specification a context owns (``etax/<context>/tables.py``),
all made the same way; and the least-privilege grants on them (:func:`grant`)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from etax.platform.tables import Key, TableSpec
from infra.nag import acknowledge

_TYPES = {"S": "STRING", "N": "NUMBER", "B": "BINARY"}
BACKUP_TAG = "etax-backup"  # valued with the stack's name: the tables its backup plan selects


def _attribute(key: Key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=dynamodb.AttributeType(_TYPES[key.type]))


class _Table(dynamodb.Table):
    """A table whose stream grant names its own streams only.

    ``dynamodb.Table.grant_stream_read`` (which a stream event source calls) allows
    ``dynamodb:ListStreams`` on ``*``, every stream of the account; AWS's own example policy
    for a Lambda function reading a stream names ``<table>/stream/*`` for it.
    """

    def grant_stream_read(self, grantee: iam.IGrantable) -> iam.Grant:
        assert self.table_stream_arn, "a table with a stream"
        iam.Grant.add_to_principal(grantee=grantee, actions=["dynamodb:ListStreams"],
                                   resource_arns=[f"{self.table_arn}/stream/*"])
        holder = grantee.grant_principal  # the role (a stream read through an alias too)
        if isinstance(holder, Construct):
            cfn = self.node.default_child
            assert isinstance(cfn, dynamodb.CfnTable)
            logical = Stack.of(self).resolve(cfn.logical_id)
            acknowledge(holder, f"AwsSolutions-IAM5[Resource::<{logical}.Arn>/stream/*]",
                        "dynamodb:ListStreams on this table's streams only (the stream's own "
                        "label is not known before it exists)")
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["dynamodb:DescribeStream", "dynamodb:GetRecords",
                     "dynamodb:GetShardIterator"],
            resource_arns=[self.table_stream_arn])


def table(scope: Construct, spec: TableSpec, *, retain: bool) -> dynamodb.Table:
    """The table ``spec`` describes, under ``scope`` with the spec's construct id: on demand,
    encrypted, with point-in-time recovery (backups), kept when ``retain``; and when
    ``retain`` and the spec ``holds_records``, protected from deletion and tagged
    :data:`BACKUP_TAG` for the daily backup plan (:func:`backup_plan`).

    ``dynamodb.Table`` (not TableV2): the emulators behind the local stack do
    not all support the global-table resource TableV2 synthesizes.
    """
    built = _Table(
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
        deletion_protection=retain and spec.holds_records,
    )
    if retain and spec.holds_records:  # the stage's plan selects by its own stack's name,
        stack = Stack.of(built)           # a board's nested stack included
        while stack.nested_stack_parent is not None:
            stack = stack.nested_stack_parent
        Tags.of(built).add(BACKUP_TAG, stack.stack_name)
    for index in spec.indexes:
        built.add_global_secondary_index(
            index_name=index.name,
            partition_key=_attribute(index.partition_key),
            sort_key=_attribute(index.sort_key) if index.sort_key else None,
            projection_type=dynamodb.ProjectionType(index.projection),
            non_key_attributes=list(index.non_key_attributes) or None,
        )
    return built


def backup_plan(scope: Construct, construct_id: str, *, stage: str) -> backup.BackupPlan:
    """AWS Backup's daily plan (kept 35 days) for the tables tagged :data:`BACKUP_TAG` by this
    stage, in a vault of the stage kept when the stack goes: copies outside DynamoDB's own
    point-in-time recovery, which ends with the table."""
    vault = backup.BackupVault(scope, f"{construct_id}Vault",
                               backup_vault_name=f"etax-{stage}",
                               removal_policy=RemovalPolicy.RETAIN)
    plan = backup.BackupPlan.daily35_day_retention(scope, construct_id, vault)
    selection = plan.add_selection("Tables", resources=[  # this stack's tables only
        backup.BackupResource.from_tag(BACKUP_TAG, Stack.of(scope).stack_name)])
    acknowledge(selection, "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                "service-role/AWSBackupServiceRolePolicyForBackup]",
                "AWS Backup's own service-role policy (kept current by AWS for the resource "
                "types it backs up); the tag selection, not the role, limits what is copied")
    return plan


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


def private_bucket(scope: Construct, construct_id: str, *, retain: bool, versioned: bool = False,
                   lifecycle_rules: Sequence[s3.LifecycleRule] = ()) -> s3.Bucket:
    """A bucket no public access reaches: encrypted (S3-managed keys), TLS only, kept with
    its objects when the stage is retained (and never emptied by a deployment)."""
    return s3.Bucket(
        scope, construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        versioned=versioned or None,
        lifecycle_rules=list(lifecycle_rules) or None,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        auto_delete_objects=False,
    )


def listing(bucket: s3.IBucket, *prefixes: str) -> iam.PolicyStatement:
    """``s3:ListBucket`` on ``bucket``, for keys under ``prefixes`` only."""
    return iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn],
                               conditions={"StringLike": {"s3:prefix": [
                                   f"{p}*" for p in prefixes]}})


def upload_bucket(scope: Construct, name: str, *, retain: bool, origins: Sequence[str],
                  incoming_prefix: str = "incoming/", abandoned_days: int = 1) -> s3.Bucket:
    """The bucket of an uploads kit (:mod:`etax.platform.uploads`), in ``Uploads`` under
    ``scope``: private, encrypted, TLS only, versioned (an overwritten or deleted file can be
    recovered), its access logged to a bucket of its own (``<name>AccessLogs``), what stays
    under ``incoming_prefix`` unconfirmed expired after ``abandoned_days``, and browsers of
    ``origins`` allowed to POST forms and GET downloads."""
    removal = RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY
    holder = Construct(scope, "Uploads")
    # access-log delivery granted by a bucket policy, not the legacy log-delivery ACL
    holder.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
    logs = s3.Bucket(
        holder, f"{name}AccessLogs",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True,
        lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs",
                                          expiration=Duration.days(365))],
        removal_policy=removal)
    acknowledge(logs, "AwsSolutions-S1",
                f"this bucket is itself the access-log destination of the {name.lower()} "
                "bucket")
    return s3.Bucket(
        holder, f"{name}Bucket",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=True,
        server_access_logs_bucket=logs, server_access_logs_prefix=f"{name.lower()}/",
        lifecycle_rules=[s3.LifecycleRule(
            id="abandoned-uploads", prefix=incoming_prefix,
            expiration=Duration.days(abandoned_days),
            noncurrent_version_expiration=Duration.days(abandoned_days),
            abort_incomplete_multipart_upload_after=Duration.days(abandoned_days))],
        cors=[s3.CorsRule(
            allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET],
            allowed_origins=list(origins), allowed_headers=["*"],
            exposed_headers=["ETag", "Location"], max_age=3000)],
        removal_policy=removal)


def grant_uploads(function: lambda_.Function, bucket: s3.Bucket, kept_prefix: str,
                  incoming_prefix: str = "incoming") -> None:
    """``function`` signs the presigned forms of an uploads kit's ``bucket`` and checks what
    arrives: it writes, reads and deletes under ``incoming_prefix`` only (where the forms put
    files), and copies a checked file to ``kept_prefix`` and reads it there (for the download
    links), never deleting it. Object keys are made per file under each prefix, so only the
    prefix can be named: each wildcard is acknowledged."""
    arn = bucket.bucket_arn
    function.add_to_role_policy(iam.PolicyStatement(
        actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
        resources=[f"{arn}/{incoming_prefix}/*"]))
    function.add_to_role_policy(iam.PolicyStatement(
        actions=["s3:PutObject", "s3:GetObject"], resources=[f"{arn}/{kept_prefix}/*"]))
    cfn = bucket.node.default_child
    assert isinstance(cfn, s3.CfnBucket)
    logical = Stack.of(bucket).resolve(cfn.logical_id)
    for prefix in (incoming_prefix, kept_prefix):
        acknowledge(function, f"AwsSolutions-IAM5[Resource::<{logical}.Arn>/{prefix}/*]",
                    "object keys are made per file under this prefix; only the prefix can be "
                    "named")
