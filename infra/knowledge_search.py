"""Boards D and E, Chinese search over the regulations library and the 12366 knowledge base
(plan actions D13 信息公开 and E16 智能咨询; ADR 0022).

Resources: the search layer (jieba with its bytecode, ``.build/layers/search``: attached to
these two functions only), a versioned bucket for the index artefacts and their pointer,
the indexer ``knowledge_indexer`` (fed each ``RegulationVersionPublished`` and each
``KnowledgeArticleChanged`` — an article flagged for review or reviewed — through a queue, run
every day just after midnight China time, and invoked directly by the local stack's seeding),
and the search function ``knowledge_search`` serving the two public search routes.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from etax.knowledge.indexing import PREFIX, RECHECK_SECONDS
from infra.nag import acknowledge
from infra.platform import Platform
from infra.platform.data import grant, private_bucket
from infra.platform.events import QueueConsumer

ROOT = Path(__file__).resolve().parents[1]
SEARCH_LAYER_DIR = ROOT / ".build" / "layers" / "search"  # scripts/build_layers.py
PUBLIC_ROUTES = ("GET /v1/regulations/search", "GET /v1/kb/search")
LOCAL_RECHECK_SECONDS = 5
REINDEX_UTC_HOUR = "16"  # 00:05 Asia/Shanghai: a version or an article whose day has come
NONCURRENT_DAYS = 30  # the pointer's earlier versions


class KnowledgeSearch(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 regulations: dynamodb.ITable, knowledge: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        if not (SEARCH_LAYER_DIR / "python").is_dir():
            raise FileNotFoundError(f"{SEARCH_LAYER_DIR} is missing: run "
                                    "`python scripts/build_layers.py` (make does)")
        self.layer = lambda_.LayerVersion(
            self, "SearchLayer",
            code=lambda_.Code.from_asset(str(SEARCH_LAYER_DIR)),  # with its .pyc (build_layers)
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
            compatible_architectures=[lambda_.Architecture.X86_64, lambda_.Architecture.ARM_64],
            description="Chinese segmentation (jieba), bytecode compiled")
        self.bucket = private_bucket(
            self, "IndexBucket", retain=platform.retain,
            versioned=True,  # an artefact or the pointer overwritten by mistake is recovered
            lifecycle_rules=[s3.LifecycleRule(
                id="earlier-pointers",
                noncurrent_version_expiration=Duration.days(NONCURRENT_DAYS))])
        acknowledge(self.bucket, "AwsSolutions-S1",
                    "holds only an index derived from public texts, written by one function; "
                    "each build is logged by the indexer")
        env = {"SEARCH_BUCKET": self.bucket.bucket_name}
        self.reader_environment = {
            **env, "SEARCH_RECHECK_SECONDS": str(
                LOCAL_RECHECK_SECONDS if platform.config.is_local else RECHECK_SECONDS)}
        """what a function reading the index needs: its bucket, and how often it looks for a
        newer build (once a minute; every few seconds on the local stack, where a tester
        publishes and searches at once)"""
        objects = f"{self.bucket.bucket_arn}/{PREFIX}*"

        self.indexer: lambda_.Function = platform.function(
            self, "knowledge_indexer",
            description="D13/E16: builds the search index of the library and the knowledge "
                        "base into S3",
            environment={**env, "REGULATIONS_TABLE": regulations.table_name,
                         "KNOWLEDGE_TABLE": knowledge.table_name},
            timeout=Duration.minutes(2), memory_size=1024, layers=[self.layer])
        grant(self.indexer, regulations, query=["catalog"])  # the published works, one Query
        grant(self.indexer, knowledge, query=["catalog"])  # the articles served as current
        self.indexer.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject"], resources=[objects]))
        self.published: QueueConsumer = platform.consumer(self, "Reindex",
                                                          function=self.indexer, batch_size=10)
        platform.rule(self, "ReindexRule",
                      description="Each published version of a regulation, and each article "
                                  "flagged for review or reviewed, rebuilds the index",
                      pattern=events.EventPattern(
                          source=["tax.regulations", "tax.knowledge"],
                          detail_type=["RegulationVersionPublished", "KnowledgeArticleChanged"]),
                      to=self.published)
        platform.schedule(self, "DailyIndex",
                          description="Every day at 00:05 Asia/Shanghai: the index of the day",
                          schedule=events.Schedule.cron(minute="5", hour=REINDEX_UTC_HOUR),
                          function=self.indexer)

        self.function: lambda_.Function = platform.function(
            self, "knowledge_search",
            description="D13/E16: Chinese search over the regulations library and the "
                        "knowledge base",
            environment=self.reader_environment, memory_size=1024, layers=[self.layer])
        self.function.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject"], resources=[objects]))
        logical = Stack.of(self).resolve(
            self.bucket.node.default_child.logical_id)  # type: ignore[union-attr]
        for function in (self.indexer, self.function):
            acknowledge(function, f"AwsSolutions-IAM5[Resource::<{logical}.Arn>/{PREFIX}*]",
                        "the artefacts are named per build under this prefix; only the prefix "
                        "can be named")
        platform.api.routes(self.function, *PUBLIC_ROUTES, public=True)
