"""Board D, information services: supervision (plan action D12, 监督维权), the serious tax
violators list (重大税收违法失信主体) and the audit-case announcements (稽查案件公告).

Resources: the violators table (cases, announcements; the sparse ``published``,
``published_by_office`` and ``by_end`` indexes of the entries on the list; a stream as the
outbox), the API function ``violators`` (public reads, officers' writes), the stream → bus
function ``violator_events`` (``ViolatorListed``, ``ViolatorRemoved`` for the credit board), and
the daily removal run ``violator_removals`` on a schedule.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.violators.tables import VIOLATORS
from infra.platform import Platform
from infra.platform.data import grant

PUBLIC_ROUTES = ("GET /v1/credit/violators", "GET /v1/credit/violators/{case_id}",
                 "GET /v1/violators/announcements")
OFFICER_ROUTES = ("POST /v1/violators/cases", "GET /v1/violators/cases",
                  "GET /v1/violators/cases/{case_id}",
                  "POST /v1/violators/cases/{case_id}/approval",
                  "POST /v1/violators/cases/{case_id}/removal",
                  "POST /v1/violators/announcements")
REMOVAL_SCHEDULE_UTC = {"minute": "30", "hour": "16"}  # 00:30 in Asia/Shanghai


class Violators(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, VIOLATORS)
        env = {"VIOLATORS_TABLE": self.table.table_name}

        self.api_function: lambda_.Function = platform.function(
            self, "violators",
            description="D12: the serious tax violators list — cases, second-officer approval, "
                        "publication, removal; audit-case announcements",
            environment=env, idempotent=True)
        grant(self.api_function, self.table, "GetItem", "PutItem", "UpdateItem",
              query=["published", "published_by_office"])
        platform.grant_registry_read(self.api_function, registry)
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, public=True)
        platform.api.routes(self.api_function, *OFFICER_ROUTES)

        # the outbox: listings and removals announced for the credit board
        self.stream_failures = platform.outbox(
            self, "ViolatorStream", table=self.table, name="violator_events",
            description="Announces listings and removals of the violators list on the bus "
                        "from the violators table's stream").failures

        # the daily run: entries whose publication period ended leave the list
        self.removal_function: lambda_.Function = platform.function(
            self, "violator_removals",
            description="D12: removes the violators list's entries whose period ended (daily)",
            environment=env, timeout=Duration.minutes(5))
        grant(self.removal_function, self.table, "UpdateItem", query=["by_end"])
        self.schedule = platform.schedule(
            self, "DailyRemovals",
            description="Every day at 00:30 Asia/Shanghai: entries at the end of their "
                        "publication period leave the violators list",
            schedule=events.Schedule.cron(**REMOVAL_SCHEDULE_UTC),
            function=self.removal_function)
