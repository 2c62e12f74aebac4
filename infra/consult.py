"""Board E, 12366 smart consultation (plan action E16 智能咨询).

Resources: the consult table (sessions and turns, hand-offs with the ``by_office`` index as
the officers' queue, weekly counters, channel nonces; TTL) and the API function ``consult``:
public questions (web, app, the WeChat-style and SMS-style channels, which share the message
platforms' token with verification), signed-in questions (a taxpayer's own records handed to
the officers of its tax office, read from the registry and the natural-person registrations),
the officers' queue (claim, answer, close), feedback, hot questions and the service figures.
Answers come from the search function's index artefact (its bucket, read on cold start and
rechecked each minute, with the search layer's jieba) fused with a question index built at
cold start.
An officer's answer is published on the bus with a notification: the fan-out delivers it to
the asker's inbox and channels.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from etax.consult.rules import SLA_SECONDS
from etax.consult.tables import CONSULT
from etax.knowledge.indexing import PREFIX
from infra.knowledge_search import KnowledgeSearch
from infra.nag import acknowledge
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
                 channel_token: secretsmanager.ISecret, search: KnowledgeSearch) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, CONSULT)
        self.api_function: lambda_.Function = platform.function(
            self, "consult",
            description="E16: 12366 consultation on every channel, the officers' hand-off "
                        "queue, feedback, hot questions and service figures",
            environment={"CONSULT_TABLE": self.table.table_name,
                         "ACCEPTANCE_TABLE": acceptance.table_name,
                         "CHANNEL_TOKEN_SECRET": channel_token.secret_arn,
                         "CONSULT_SLA_SECONDS": str(SLA_SECONDS),
                         **search.reader_environment},
            publishes_events=True, idempotent=True, memory_size=1024, layers=[search.layer])
        grant(self.api_function, self.table, "GetItem", "Query", "PutItem", "UpdateItem",
              query=["by_office"])
        platform.grant_registry_read(self.api_function, registry)
        grant(self.api_function, acceptance, "GetItem")  # a natural person's registration
        channel_token.grant_read(self.api_function)
        # the search function's index artefact and its pointer, read on cold start
        self.api_function.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject"], resources=[f"{search.bucket.bucket_arn}/{PREFIX}*"]))
        logical = Stack.of(self).resolve(
            search.bucket.node.default_child.logical_id)  # type: ignore[union-attr]
        acknowledge(self.api_function, f"AwsSolutions-IAM5[Resource::<{logical}.Arn>/{PREFIX}*]",
                    "the artefacts are named per build under this prefix; only the prefix can "
                    "be named")
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, *CHANNEL_ROUTES, public=True)
        platform.api.routes(self.api_function, *SIGNED_IN_ROUTES)
