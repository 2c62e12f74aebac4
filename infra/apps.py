"""Board A, the app square (plan action A3, 应用广场; docs/usage/apps.md), a board in a nested
stack of its own (:class:`infra.platform.boards.Board`).

Resources: the apps table (apps, versions, ratings; the ``by_listing``, ``by_owner`` and
``by_review`` indexes), the packages bucket of the uploads kit (``incoming/`` written by the
presigned forms, expired when abandoned; ``packages/`` the checked packages, read through
expiring links) and the API function ``apps``.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from etax.apps.tables import APPS, LISTING_INDEX, OWNER_INDEX, REVIEW_INDEX
from infra.platform import Platform
from infra.platform.boards import Board
from infra.platform.data import grant, grant_uploads, upload_bucket

PUBLIC_ROUTES = ("GET /v1/apps", "GET /v1/apps/{app_id}",
                 "POST /v1/apps/{app_id}/versions/{version}/downloads")
ROUTES = ("POST /v1/apps", "GET /v1/apps/reviews", "GET /v1/me/apps",
          "POST /v1/apps/{app_id}/versions", "POST /v1/apps/{app_id}/versions/{version}/submit",
          "POST /v1/apps/{app_id}/versions/{version}/decision",
          "POST /v1/apps/{app_id}/versions/{version}/withdraw", "POST /v1/apps/{app_id}/ratings",
          "POST /v1/apps/{app_id}/reports")


class Apps(Board):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id,
                         description="A3: the app square (apps, versions and their packages, "
                                     "review, downloads, ratings)")
        self.table = platform.table(self, APPS)
        self.packages: s3.Bucket = upload_bucket(self, "Packages", retain=platform.retain,
                                                 origins=platform.config.upload_origins)
        self.function: lambda_.Function = platform.function(
            self, "apps",
            description="A3: taxpayer apps submitted, checked, reviewed, published, "
                        "downloaded and rated",
            environment={APPS.variable: self.table.table_name,
                         "PACKAGES_BUCKET": self.packages.bucket_name},
            idempotent=True, publishes_events=True, memory_size=1024)  # a package in memory
        grant(self.function, self.table, "GetItem", "PutItem", "UpdateItem", "Query",
              query=(LISTING_INDEX, OWNER_INDEX, REVIEW_INDEX))
        # the presigned POST is signed by this role; a checked package is copied to packages/
        grant_uploads(self.function, self.packages, "packages")
        platform.api.routes(self.function, *PUBLIC_ROUTES, public=True)
        platform.api.routes(self.function, *ROUTES)
