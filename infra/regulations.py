"""Board D, information disclosure (plan action D13 信息公开): the regulations library (法规库).

Resources: the regulations table (works, their immutable versions and officers' drafts; a
``catalog`` index; a stream as the outbox of published versions), the API function
``regulations`` (public reads, officers' drafts, review and publication) and the stream → bus
function ``regulation_events`` (``RegulationVersionPublished``).
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.regulations.tables import REGULATIONS
from infra.platform import Platform
from infra.platform.data import grant

PUBLIC_ROUTES = ("GET /v1/regulations/works", "GET /v1/regulations/works/{work_id}")
OFFICER_ROUTES = (
    "POST /v1/regulations/works/{work_id}/drafts",
    "GET /v1/regulations/works/{work_id}/drafts/{draft_id}",
    "POST /v1/regulations/works/{work_id}/drafts/{draft_id}/submit",
    "POST /v1/regulations/works/{work_id}/drafts/{draft_id}/approve",
    "POST /v1/regulations/works/{work_id}/drafts/{draft_id}/publish",
)


class Regulations(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, REGULATIONS)
        self.api_function: lambda_.Function = platform.function(
            self, "regulations",
            description="D13: the regulations library, read as of a day; officers' drafts, "
                        "four-eyes review and publication",
            environment={"REGULATIONS_TABLE": self.table.table_name}, idempotent=True)
        # the publishing transaction: Put (version, draft) and Update (the work's guard)
        grant(self.api_function, self.table, "GetItem", "Query", "PutItem", "UpdateItem",
              query=["catalog"])
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, public=True)
        platform.api.routes(self.api_function, *OFFICER_ROUTES)
        self.stream_failures = platform.outbox(
            self, "RegulationStream", table=self.table, name="regulation_events",
            description="Announces each published version of a regulation on the bus").failures
