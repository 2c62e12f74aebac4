"""Board D, supervision: tax payment credit ratings (plan action D12, 纳税缴费信用).

Resources: the credit table (ratings, listings and repair applications in each taxpayer's
partition, evaluation runs; the sparse ``by_level`` index of the public A-list); the API
function ``credit``; the annual run's worker ``credit_runs`` fed by its own queue (+ dead
letters, alarm), one message a page of a segment of the register; ``credit_annual``, which a
schedule invokes each 1 April to start the run of the previous year; and ``credit_violators``
fed by a rule with the violators board's ``ViolatorListed`` / ``ViolatorRemoved`` events.
Ratings read the platform's records: a taxpayer's obligations (one Query on its partition of
the filing table) and its registration (the registry: GetItem; the run's worker alone Scans
it, a segment at a time).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.credit.tables import CREDIT, LEVEL_INDEX
from infra.platform import Platform
from infra.platform.data import grant

PUBLIC_ROUTES = ("GET /v1/credit/a-list",)
ROUTES = ("GET /v1/credit/ratings/{credit_code}", "GET /v1/me/credit/preview",
          "POST /v1/credit/repairs", "GET /v1/credit/repairs/{repair_id}",
          "POST /v1/credit/repairs/{repair_id}/decision", "POST /v1/credit/evaluations",
          "GET /v1/credit/evaluations/{run_id}")
VIOLATOR_EVENTS = ["ViolatorListed", "ViolatorRemoved"]
ANNUAL_RUN_SCHEDULE_UTC = {"minute": "0", "hour": "1", "day": "1", "month": "4"}
"""1 April, 09:00 in Asia/Shanghai"""


class Credit(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable, filing: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, CREDIT)
        env = {"CREDIT_TABLE": self.table.table_name, "FILING_TABLE": filing.table_name}

        # the run's worker and its queue first: the API sends the run's first messages
        self.run_worker: lambda_.Function = platform.function(
            self, "credit_runs",
            description="D12: the annual credit evaluation, a page of a segment of the "
                        "register a message", environment=env, timeout=Duration.minutes(2))
        self.runs = platform.consumer(self, "Runs", function=self.run_worker, batch_size=1)
        queue_env = {"CREDIT_RUN_QUEUE_URL": self.runs.queue.queue_url}

        self.api_function: lambda_.Function = platform.function(
            self, "credit",
            description="D12: credit ratings, the A-list, repairs, evaluation runs",
            environment={**env, **queue_env}, idempotent=True)
        grant(self.api_function, self.table, "GetItem", "PutItem", "UpdateItem", "Query",
              query=[LEVEL_INDEX])
        grant(self.api_function, filing, "Query")  # a taxpayer's obligations, its partition
        platform.grant_registry_read(self.api_function, registry)
        self.runs.queue.grant_send_messages(self.api_function)
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, public=True)
        platform.api.routes(self.api_function, *ROUTES)

        self.run_worker.add_environment(*next(iter(queue_env.items())))
        grant(self.run_worker, self.table, "PutItem", "UpdateItem", "Query")
        grant(self.run_worker, filing, "Query")
        platform.grant_registry_read(self.run_worker, registry)
        grant(self.run_worker, registry, "Scan")  # the register, a segment at a time
        self.runs.queue.grant_send_messages(self.run_worker)

        # the annual run, on a schedule: the measures evaluate the year before and publish
        # its results in April (docs/sources.md#credit: first results under the 2025 measures
        # in April 2026; docs/sources.md#credit-choices: the schedule).
        # 1 April, 09:00 Asia/Shanghai, starts the run of the previous year; the run's id is
        # the year's (annual-<year>), so a retried or repeated start sends nothing again.
        self.annual_function: lambda_.Function = platform.function(
            self, "credit_annual",
            description="D12: starts the annual credit evaluation of the previous year "
                        "(1 April, once a year)",
            environment={"CREDIT_TABLE": self.table.table_name, **queue_env})
        grant(self.annual_function, self.table, "GetItem", "PutItem")
        self.runs.queue.grant_send_messages(self.annual_function)
        self.annual_schedule = platform.schedule(
            self, "AnnualRun",
            description="Every 1 April at 09:00 Asia/Shanghai: the credit evaluation of the "
                        "previous year over the register",
            schedule=events.Schedule.cron(**ANNUAL_RUN_SCHEDULE_UTC),
            function=self.annual_function)

        # serious-violator listings: records that rate D while they stand
        self.violator_worker: lambda_.Function = platform.function(
            self, "credit_violators",
            description="D12: serious-violator listings kept as credit records, the year "
                        "rated again", environment=env)
        grant(self.violator_worker, self.table, "PutItem", "UpdateItem", "Query")
        grant(self.violator_worker, filing, "Query")
        platform.grant_registry_read(self.violator_worker, registry)
        self.violators = platform.consumer(self, "Violators", function=self.violator_worker,
                                           batch_size=5)
        self.violators_rule = platform.rule(
            self, "ViolatorsRule", description="Serious-violator listings rate D",
            pattern=events.EventPattern(source=["tax.violators"], detail_type=VIOLATOR_EVENTS),
            to=self.violators)

    def grant_levels_read(self, function: lambda_.Function) -> None:
        """Let ``function`` read taxpayers' latest credit levels (``etax.credit.levels``: one
        Query on a taxpayer's partition of the credit table, nothing else)."""
        function.add_environment("CREDIT_TABLE", self.table.table_name)
        grant(function, self.table, "Query")
