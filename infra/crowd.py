"""Board A, social collaboration (plan action A1 众包互助): crowd help.

Resources: the crowd table (threads, votes, profiles, day counters with TTL, article drafts,
the moderation log; ``feed`` and ``by_topic`` indexes) and the API function ``crowd``: public
reading, taxpayers asking, answering, voting and accepting, officers moderating. Reputation
moves in the vote's or acceptance's transaction; the per-person day limits are settings.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.crowd.service import CrowdSettings
from etax.crowd.tables import CROWD
from infra.platform import Platform
from infra.platform.data import grant

PUBLIC_ROUTES = ("GET /v1/crowd/questions", "GET /v1/crowd/questions/{question_id}")
TAXPAYER_ROUTES = (
    "POST /v1/crowd/questions",
    "POST /v1/crowd/questions/{question_id}/answers",
    "POST /v1/crowd/questions/{question_id}/votes",
    "POST /v1/crowd/answers/{answer_id}/votes",
    "POST /v1/crowd/questions/{question_id}/accept",
    "GET /v1/crowd/me",
)
OFFICER_ROUTES = (
    "POST /v1/crowd/questions/{question_id}/pin",
    "POST /v1/crowd/questions/{question_id}/hide",
    "POST /v1/crowd/answers/{answer_id}/hide",
    "POST /v1/crowd/answers/{answer_id}/verify",
    "GET /v1/crowd/article-drafts",
    "GET /v1/crowd/moderation",
)
SETTINGS = CrowdSettings()


class Crowd(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, CROWD)
        self.api_function: lambda_.Function = platform.function(
            self, "crowd",
            description="A1: crowd help — questions, answers, votes, reputation and the "
                        "public tax guide badge; officers' moderation and article drafts",
            environment={
                "CROWD_TABLE": self.table.table_name,
                "CROWD_QUESTIONS_PER_DAY": str(SETTINGS.questions_per_day),
                "CROWD_ANSWERS_PER_DAY": str(SETTINGS.answers_per_day),
                "CROWD_VOTES_PER_DAY": str(SETTINGS.votes_per_day),
                "CROWD_GUIDE_THRESHOLD": str(SETTINGS.guide_threshold)},
            idempotent=True)
        # transactions: Put (posts, votes, events, drafts, the log), Update (counters,
        # reputations, scores), ConditionCheck (an accepted answer not hidden)
        grant(self.api_function, self.table, "GetItem", "BatchGetItem", "Query", "PutItem",
              "UpdateItem", "ConditionCheckItem", query=["feed", "by_topic"])
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, public=True)
        platform.api.routes(self.api_function, *TAXPAYER_ROUTES, *OFFICER_ROUTES)
