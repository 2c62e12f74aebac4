"""Board E, 12366 smart consultation (plan action E16 智能咨询).

Resources: the consult table (sessions and turns, hand-offs with the ``by_office`` index as
the officers' queue, weekly counters, channel nonces; TTL) and the API function ``consult``:
public questions (web, app, the WeChat-style and SMS-style channels, which share the message
platforms' token with verification), signed-in questions (a taxpayer's own records handed to
the officers of its tax office, read from the registry and the natural-person registrations),
the officers' queue (claim, answer, close), feedback, hot questions and the service figures.
An officer's answer is published on the bus with a notification: the fan-out delivers it to
the asker's inbox and channels.
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from etax.consult.rules import SLA_SECONDS
from etax.consult.tables import CONSULT
from infra.platform import Platform
from infra.platform.data import grant

PUBLIC_ROUTES = (
    "POST /v1/consult/ask",
    "POST /v1/consult/answers/{answer_id}/feedback",
    "GET /v1/consult/hot",
    "GET /v1/consult/figures",
)
CHANNEL_ROUTES = (
    "GET /v1/consult/channels/wechat",
    "POST /v1/consult/channels/wechat",
    "POST /v1/consult/channels/sms",
)
SIGNED_IN_ROUTES = (
    "POST /v1/me/consult/ask",
    "GET /v1/consult/handoffs",
    "GET /v1/consult/handoffs/{handoff_id}",
    "POST /v1/consult/handoffs/{handoff_id}/claim",
    "POST /v1/consult/handoffs/{handoff_id}/answer",
    "POST /v1/consult/handoffs/{handoff_id}/close",
)


class Consult(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable, acceptance: dynamodb.ITable,
                 channel_token: secretsmanager.ISecret) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, CONSULT)
        self.api_function: lambda_.Function = platform.function(
            self, "consult",
            description="E16: 12366 consultation on every channel, the officers' hand-off "
                        "queue, feedback, hot questions and service figures",
            environment={"CONSULT_TABLE": self.table.table_name,
                         "ACCEPTANCE_TABLE": acceptance.table_name,
                         "CHANNEL_TOKEN_SECRET": channel_token.secret_arn,
                         "CONSULT_SLA_SECONDS": str(SLA_SECONDS)},
            publishes_events=True, idempotent=True, memory_size=512)
        grant(self.api_function, self.table, "GetItem", "Query", "PutItem", "UpdateItem",
              query=["by_office"])
        platform.grant_registry_read(self.api_function, registry)
        grant(self.api_function, acceptance, "GetItem")  # a natural person's registration
        channel_token.grant_read(self.api_function)
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, *CHANNEL_ROUTES, public=True)
        platform.api.routes(self.api_function, *SIGNED_IN_ROUTES)
