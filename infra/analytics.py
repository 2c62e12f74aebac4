"""Board E, tax big data: the analytical store (plan action E19, docs/analytics.md), a board
in a nested stack of its own (:class:`infra.platform.boards.Board`).

Resources: the store's bucket (``raw/`` the archive, ``tables/`` the Parquet tables,
``athena-results/`` on the stages with Athena); its state table (the dirty days); the
pseudonyms' key; the analytics layer (DuckDB, ``.build/layers/analytics[-arm64]``); the
archive function behind a queue every event of the bus reaches (a rule on the bus: every
``tax.*`` source, notification requests left out: they carry the message and the address,
not a fact); the compactor and its schedule; the analytics API function (officers: reports, the
watch-list, the revenue desk); the risk indicators' daily run and the daily revenue briefing,
each on its schedule. Outside
``local``, the same tables are declared for Athena: a Glue database and one table per
store table (Parquet, partition projection on ``date`` and ``province``, so no crawler and no
partition to add), and an Athena workgroup writing its results under ``athena-results/``.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from etax.analytics.archive import RAW_PREFIX
from etax.analytics.schemas import ATHENA_TYPES, FIRST_DAY, PARTITIONS, TABLES, Table
from etax.analytics.tables import ANALYTICS
from etax.invoices.tables import QUOTAS
from infra.nag import acknowledge
from infra.open_data import OpenData
from infra.platform import Platform
from infra.platform.boards import Board
from infra.platform.data import grant, listing, private_bucket
from infra.platform.events import QueueConsumer

ROOT = Path(__file__).resolve().parents[1]
LAYER_DIRS = {"x86_64": ROOT / ".build" / "layers" / "analytics",  # scripts/build_layers.py
              "arm64": ROOT / ".build" / "layers" / "analytics-arm64"}
ROUTES = ("GET /v1/analytics/revenue", "GET /v1/analytics/risk-warnings",
          "POST /v1/analytics/risk-runs", "GET /v1/analytics/risk-cases",
          "GET /v1/analytics/risk-cases/{case_id}",
          "POST /v1/analytics/risk-cases/{case_id}/verdict",
          "GET /v1/analytics/revenue/movements", "GET /v1/analytics/revenue-plans/{year}",
          "PUT /v1/analytics/revenue-plans/{year}/{office}",
          "GET /v1/analytics/revenue-plans/{year}/{office}",
          "GET /v1/analytics/charts/revenue", "GET /v1/analytics/charts/plan",
          "GET /v1/analytics/briefings/me", "PUT /v1/analytics/briefings/me",
          "DELETE /v1/analytics/briefings/me",
          "GET /v1/analytics/enterprises/{credit_code}", "GET /v1/analytics/key-enterprises",
          "PUT /v1/analytics/key-enterprises/{credit_code}",
          "DELETE /v1/analytics/key-enterprises/{credit_code}")
RISK_RUN_MINUTES = 5
TABLES_PREFIX = "tables/"
RESULTS_PREFIX = "athena-results/"
COMPACTION_MINUTES = 15
# the spill files and the day's Parquet: about 600 bytes an event (docs/benchmarks.md)
COMPACTION_TMP_MB = 10240
QUERY_SCAN_CUTOFF_BYTES = 200 * 1024 ** 3  # a national year, all columns: about 0.4 TB


class Analytics(Board):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 quotas: dynamodb.ITable, registry: dynamodb.ITable,
                 credit: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id,
                         description="E19: the analytical store (archive, Parquet tables, "
                                     "DuckDB queries; Athena outside local)")
        architecture = platform.functions.architecture.name
        layer_dir = LAYER_DIRS[architecture]
        if not (layer_dir / "python").is_dir():
            raise FileNotFoundError(f"{layer_dir} is missing: run "
                                    "`python scripts/build_layers.py` (make does)")
        self.layer = lambda_.LayerVersion(
            self, "AnalyticsLayer", code=lambda_.Code.from_asset(str(layer_dir)),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
            compatible_architectures=[platform.functions.architecture],
            description="DuckDB (Parquet, SQL) for the analytical store")
        self.bucket = private_bucket(
            self, "StoreBucket", retain=platform.retain,
            lifecycle_rules=[s3.LifecycleRule(
                id="athena-results", prefix=RESULTS_PREFIX, expiration=Duration.days(30))])
        acknowledge(self.bucket, "AwsSolutions-S1",
                    "written by the store's functions only, each write logged by them; "
                    "CloudTrail data events cover reads where an account wants them")
        self.table = platform.table(self, ANALYTICS)
        self.pseudonym_key = platform.secret(
            self, "PseudonymKey",
            description="The analytical store's key for the pseudonyms of natural persons",
            key="key", length=48,
            not_rotated="a new key changes every pseudonym: the tables would be compacted "
                        "again from the raw archive, an operator's step")
        store_env = {"ANALYTICS_BUCKET": self.bucket.bucket_name,
                     ANALYTICS.variable: self.table.table_name}

        # the archive: every event of the bus, raw
        self.archive: lambda_.Function = platform.function(
            self, "analytics_archive",
            description="E19: archives every event of the bus to the analytical store",
            environment=store_env, timeout=Duration.seconds(30))
        self.archive.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:PutObject"], resources=[self.bucket.arn_for_objects(f"{RAW_PREFIX}*")]))
        grant(self.archive, self.table, "UpdateItem")
        self.archived: QueueConsumer = platform.consumer(
            self, "Archive", function=self.archive, batch_size=100)
        platform.rule(self, "ArchiveRule",
                      description="Every fact of the platform's contexts, to the analytical "
                                  "store's raw archive",
                      pattern=events.EventPattern(
                          source=events.Match.prefix("tax."),
                          detail_type=events.Match.anything_but("NotificationRequested")),
                      to=self.archived)

        # the compactor: the dirty days into the tables
        self.compactor: lambda_.Function = platform.function(
            self, "analytics_compactor",
            description="E19: compacts the archived days into the Parquet tables",
            environment={**store_env,
                         "ANALYTICS_PSEUDONYM_SECRET": self.pseudonym_key.secret_arn},
            timeout=Duration.minutes(15), memory_size=2048, layers=[self.layer],
            ephemeral_mb=COMPACTION_TMP_MB)
        self.compactor.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject"], resources=[self.bucket.arn_for_objects(f"{RAW_PREFIX}*")]))
        self.compactor.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:PutObject", "s3:DeleteObject"],
            resources=[self.bucket.arn_for_objects(f"{TABLES_PREFIX}*")]))
        self.compactor.add_to_role_policy(listing(self.bucket, RAW_PREFIX, TABLES_PREFIX))
        grant(self.compactor, self.table, "Query", "DeleteItem")
        self.pseudonym_key.grant_read(self.compactor)
        platform.schedule(self, "Compaction",
                          description=f"Every {COMPACTION_MINUTES} minutes: the days the "
                                      "archive wrote to since, compacted",
                          schedule=events.Schedule.rate(Duration.minutes(COMPACTION_MINUTES)),
                          function=self.compactor)

        # the officers' reports and the risk indicators' watch-list
        self.function: lambda_.Function = platform.function(
            self, "analytics",
            description="E19: revenue analytics, risk warnings and the watch-list for "
                        "officers over the analytical store",
            environment=store_env, timeout=Duration.seconds(29), memory_size=2048,
            layers=[self.layer], publishes_events=True, idempotent=True)
        # the risk indicators' monthly run, each day until the month due is run
        self.risk_run: lambda_.Function = platform.function(
            self, "analytics_risk",
            description="E19: runs the risk indicators for the month whose VAT returns fell "
                        "due, opening the watch-list's cases",
            environment=store_env, timeout=Duration.minutes(RISK_RUN_MINUTES),
            memory_size=2048, layers=[self.layer], publishes_events=True)
        for reader in (self.function, self.risk_run):
            reader.add_to_role_policy(iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects(f"{TABLES_PREFIX}*")]))
            reader.add_to_role_policy(listing(self.bucket, TABLES_PREFIX))
            # cases opened (Put), announced and judged (Update, a transaction), listed (Query)
            grant(reader, self.table, "GetItem", "PutItem", "UpdateItem", "Query")
            # the sellers' monthly issuing quotas (顶额开具), read in batches
            grant(reader, quotas, "BatchGetItem")
            reader.add_environment(QUOTAS.variable, quotas.table_name)
        platform.schedule(self, "RiskRun",
                          description="Each day at 03:00 Asia/Shanghai: the risk indicators "
                                      "of the month whose VAT returns fell due, once",
                          schedule=events.Schedule.cron(minute="0", hour="19"),
                          function=self.risk_run)
        # the daily revenue briefing to the officers subscribed
        self.briefing: lambda_.Function = platform.function(
            self, "analytics_briefing",
            description="E18/E19: the daily revenue briefing to the officers subscribed",
            environment=store_env, timeout=Duration.minutes(RISK_RUN_MINUTES),
            memory_size=2048, layers=[self.layer], publishes_events=True)
        self.briefing.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject"],
            resources=[self.bucket.arn_for_objects(f"{TABLES_PREFIX}*")]))
        self.briefing.add_to_role_policy(listing(self.bucket, TABLES_PREFIX))
        grant(self.briefing, self.table, "GetItem", "Query")  # the plans, the subscriptions
        platform.schedule(self, "Briefing",
                          description="Each day at 07:30 Asia/Shanghai: yesterday's revenue "
                                      "to the officers subscribed",
                          schedule=events.Schedule.cron(minute="30", hour="23"),
                          function=self.briefing)
        # a briefing's subscription ended, a key enterprise no longer (Delete); the plans'
        # revisions (a transaction of Puts)
        grant(self.function, self.table, "DeleteItem")
        # the 360° view: the enterprise's registration (its office) and its newest rating
        platform.grant_registry_read(self.function, registry)
        self.function.add_environment("CREDIT_TABLE", credit.table_name)
        grant(self.function, credit, "Query")
        platform.api.routes(self.function, *ROUTES)

        # open data: the released aggregates, public (infra/open_data.py)
        self.open_data = OpenData(self, "OpenData", platform=platform, store=self.bucket,
                                  tables_prefix=TABLES_PREFIX, layer=self.layer,
                                  store_env=store_env)

        bucket_logical = Stack.of(self).resolve(
            self.bucket.node.default_child.logical_id)  # type: ignore[union-attr]
        for function, prefixes in ((self.archive, (RAW_PREFIX,)),
                                   (self.compactor, (RAW_PREFIX, TABLES_PREFIX)),
                                   (self.function, (TABLES_PREFIX,)),
                                   (self.risk_run, (TABLES_PREFIX,)),
                                   (self.briefing, (TABLES_PREFIX,))):
            for prefix in prefixes:
                acknowledge(function,
                            f"AwsSolutions-IAM5[Resource::<{bucket_logical}.Arn>/{prefix}*]",
                            "the store's objects are named per day and province under this "
                            "prefix; only the prefix can be named")

        if not platform.config.is_local:
            self.declare_for_athena(platform)

    def declare_for_athena(self, platform: Platform) -> None:
        """The Glue database, one Glue table per store table, and the Athena workgroup."""
        database_name = f"etax_{platform.config.stage}".replace("-", "_")
        database = glue.CfnDatabase(self, "Catalog", catalog_id=self.account,
                                    database_input=glue.CfnDatabase.DatabaseInputProperty(
                                        name=database_name,
                                        description="The e-tax analytical store"))
        for table in TABLES:
            declared = glue.CfnTable(
                self, f"{table.name.capitalize()}Table", catalog_id=self.account,
                database_name=database_name, table_input=athena_table(table, self.bucket))
            declared.add_resource_dependency(database)
        athena.CfnWorkGroup(
            self, "WorkGroup", name=f"etax-{platform.config.stage}-analytics",
            description="Queries of the analytical store",
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                # a query naming no partition scans every file: refused past this, not billed
                bytes_scanned_cutoff_per_query=QUERY_SCAN_CUTOFF_BYTES,
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=self.bucket.s3_url_for_object(RESULTS_PREFIX),
                    encryption_configuration=athena.CfnWorkGroup
                    .EncryptionConfigurationProperty(encryption_option="SSE_S3"))))


def athena_table(table: Table, bucket: s3.IBucket) -> glue.CfnTable.TableInputProperty:
    """A store table for Athena: Parquet under its prefix, partitions projected (every day
    from :data:`FIRST_DAY`, every two-digit province), so a new partition needs nothing."""
    location = bucket.s3_url_for_object(table.prefix.rstrip("/"))
    return glue.CfnTable.TableInputProperty(
        name=table.name, description=table.description, table_type="EXTERNAL_TABLE",
        parameters={
            "classification": "parquet", "EXTERNAL": "TRUE",
            "projection.enabled": "true",
            "projection.date.type": "date", "projection.date.format": "yyyy-MM-dd",
            "projection.date.range": f"{FIRST_DAY},NOW",
            "projection.date.interval": "1", "projection.date.interval.unit": "DAYS",
            "projection.province.type": "integer", "projection.province.range": "0,99",
            "projection.province.digits": "2",
            "storage.location.template":
                f"{location}/date=${{date}}/province=${{province}}",
        },
        partition_keys=[glue.CfnTable.ColumnProperty(name=name, type=ATHENA_TYPES[kind],
                                                     comment=about)
                        for name, kind, about in PARTITIONS],
        storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
            location=location,
            input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            serde_info=glue.CfnTable.SerdeInfoProperty(
                serialization_library="org.apache.hadoop.hive.ql.io.parquet.serde."
                                      "ParquetHiveSerDe"),
            columns=[glue.CfnTable.ColumnProperty(name=c.name, type=ATHENA_TYPES[c.type],
                                                  comment=c.description)
                     for c in table.columns]))
