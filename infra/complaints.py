"""Board D, information services: complaints and reports (plan action D12, 投诉举报).

Resources: the complaints table (cases; the ``by_office`` queue, the ``by_filer`` list and
the sparse ``by_deadline`` overdue index); the API function ``complaints`` (signed-in filing,
following and rating; anonymous reports by tracking code and secret; the responsible
office's accepting, refusing and answering), which reads the registry to route a report to
the office in charge of the reported taxpayer; the escalation function and its daily
schedule, announcing escalated cases on the bus (a named filer notified by the fan-out); the
table's stream announcing each case answered (``ComplaintAnswered``, the outbox), which the
service ratings' invitations follow.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.complaints.outbox import ANNOUNCING
from etax.complaints.tables import COMPLAINTS, DEADLINE_INDEX, FILER_INDEX, OFFICE_INDEX
from infra.platform import Platform
from infra.platform.data import grant

FILER_ROUTES = ("POST /v1/complaints", "GET /v1/complaints/{complaint_id}",
                "GET /v1/me/complaints", "POST /v1/complaints/{complaint_id}/rating")
OFFICER_ROUTES = ("GET /v1/complaints", "POST /v1/complaints/{complaint_id}/accept",
                  "POST /v1/complaints/{complaint_id}/refuse",
                  "POST /v1/complaints/{complaint_id}/answer")
SECRET_ROUTES = ("GET /v1/reports/{tracking_code}",)
"""followed with the report's secret in a header (X-Report-Secret)"""
PUBLIC_ROUTES = ("POST /v1/reports", *SECRET_ROUTES,
                 "POST /v1/reports/{tracking_code}/rating")
ESCALATION_SCHEDULE_UTC_HOUR = "2"  # 10:00 in Asia/Shanghai, after the filing reminders


class Complaints(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, COMPLAINTS)
        table_env = {"COMPLAINTS_TABLE": self.table.table_name}

        self.api_function: lambda_.Function = platform.function(
            self, "complaints",
            description="D12: complaints and reports — filing (named or anonymous), the "
                        "responsible office's handling, following and rating",
            environment=table_env, idempotent=True, memory_size=512)
        grant(self.api_function, self.table, "GetItem", "PutItem", "UpdateItem",
              query=[OFFICE_INDEX, FILER_INDEX])
        platform.grant_registry_read(self.api_function, registry)
        platform.api.routes(self.api_function, *FILER_ROUTES, *OFFICER_ROUTES)
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, public=True, own_headers=True)

        # the daily escalation run: Query the overdue index, mark once, publish
        self.escalation_function: lambda_.Function = platform.function(
            self, "complaints_escalation",
            description="D12: daily escalation of complaints and reports past their deadline",
            environment=table_env, publishes_events=True, timeout=Duration.minutes(5))
        grant(self.escalation_function, self.table, "UpdateItem", query=[DEADLINE_INDEX])
        self.schedule = platform.schedule(
            self, "DailyEscalation",
            description="Every day at 10:00 Asia/Shanghai: escalate cases past their deadline",
            schedule=events.Schedule.cron(minute="0", hour=ESCALATION_SCHEDULE_UTC_HOUR),
            function=self.escalation_function)

        # the outbox: a case answered is announced (the filer's notice, the rating invitation)
        self.stream_failures = platform.outbox(
            self, "ComplaintStream", table=self.table, name="complaint_events",
            description="D12: announces each complaint or report answered on the bus",
            filters=ANNOUNCING).failures
