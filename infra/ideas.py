"""Board A, the idea space (plan action A2, 创意空间; docs/usage/ideas.md), a board in a nested
stack of its own (:class:`infra.platform.boards.Board`).

Resources: the ideas table (ideas with their trail, supports, comments and the people's daily
counters with TTL; the ``by_listing``, ``by_hidden`` and ``by_author`` indexes) and the API
function ``ideas``: the public lists, reads and finds similar ideas; people signed in submit,
comment and support (a support and its count in one transaction); officers decide, hide and
merge.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.ideas.tables import AUTHOR_INDEX, HIDDEN_INDEX, IDEAS, LISTING_INDEX
from infra.platform import Platform
from infra.platform.boards import Board
from infra.platform.data import grant

PUBLIC_ROUTES = ("GET /v1/ideas", "GET /v1/ideas/similar", "GET /v1/ideas/{idea_id}")
ROUTES = ("POST /v1/ideas", "GET /v1/ideas/hidden", "GET /v1/me/ideas",
          "POST /v1/ideas/{idea_id}/supports", "POST /v1/ideas/{idea_id}/comments",
          "POST /v1/ideas/{idea_id}/decision", "POST /v1/ideas/{idea_id}/withdraw",
          "POST /v1/ideas/{idea_id}/hide", "POST /v1/ideas/{idea_id}/merge")


class Ideas(Board):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id,
                         description="A2: the idea space (ideas, supports, the review "
                                     "workflow, moderation)")
        self.table = platform.table(self, IDEAS)
        self.function: lambda_.Function = platform.function(
            self, "ideas",
            description="A2: ideas submitted, supported, reviewed and moderated",
            environment={IDEAS.variable: self.table.table_name}, idempotent=True)
        # an idea, a comment (Put); a change of state, a counter (Update); a support and its
        # count (a transaction of Put and Update); comments, supporters and the lists (Query)
        grant(self.function, self.table, "GetItem", "PutItem", "UpdateItem", "Query",
              query=(LISTING_INDEX, HIDDEN_INDEX, AUTHOR_INDEX))
        platform.api.routes(self.function, *PUBLIC_ROUTES, public=True)
        platform.api.routes(self.function, *ROUTES)
