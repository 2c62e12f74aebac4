"""Board B, tax handling (办税服务): B4 online acceptance — the taxpayer registry, the public
credit-code check, the taxpayer's own record and the registration feed; the details a
taxpayer maintains itself, temporary, withholding-agent and natural-person registration;
applications with supporting documents in S3, reviewed by officers, announced through the
acceptance table's stream."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from etax.acceptance.tables import ACCEPTANCE, REGISTRY
from infra.platform import Platform
from infra.platform.data import grant, grant_uploads, upload_bucket
from infra.platform.events import QueueConsumer

REGISTRATION_ROUTES = (  # signed in; the credit-code check is public
    "GET /v1/registration/records/{credit_code}", "PATCH /v1/registration/records/{credit_code}",
    "POST /v1/registration/temporary", "POST /v1/registration/withholding-agents",
    "POST /v1/registration/natural-persons", "GET /v1/registration/natural-persons/{resident_id}")
APPLICATION_ROUTES = (  # signed in; the list of application items is public
    "POST /v1/applications", "GET /v1/applications", "GET /v1/applications/{application_id}",
    "POST /v1/applications/{application_id}/documents",
    "GET /v1/applications/{application_id}/documents/{document_id}",
    "POST /v1/applications/{application_id}/documents/{document_id}/confirm",
    "POST /v1/applications/{application_id}/submit",
    "POST /v1/applications/{application_id}/decision")
ABANDONED_UPLOAD_DAYS = 1   # an upload not confirmed within a day is deleted


class Acceptance(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.registry: dynamodb.Table = platform.table(self, REGISTRY)
        env = {"REGISTRY_TABLE": self.registry.table_name}
        self.table: dynamodb.Table = platform.table(self, ACCEPTANCE)
        acceptance_env = {"ACCEPTANCE_TABLE": self.table.table_name}

        self.registration: lambda_.Function = platform.function(
            self, "acceptance_registration",
            description="B4: public credit-code check, the taxpayer's registration record and "
                        "details, temporary, withholding-agent and natural-person registration",
            environment={**env, **acceptance_env, **platform.simulated("bank")},
            idempotent=True,
        )
        platform.grant_registry_read(self.registration, self.registry)  # the credit-code check
        self._grant_acceptance(self.registration, query_index=False)
        api = platform.api
        api.route("GET", "/v1/registration/verify/{credit_code}", self.registration, public=True)
        api.routes(self.registration, *REGISTRATION_ROUTES)

        self.acceptance_feed: lambda_.Function = platform.function(
            self, "acceptance_feed",
            description="B4: applies the market-supervision registration feed to the registry",
            environment=env,
            publishes_events=True,
            timeout=Duration.seconds(5),
        )
        grant(self.acceptance_feed, self.registry,  # a conditional put per record; no delete
              "GetItem", "PutItem")
        self.feed: QueueConsumer = platform.consumer(self, "RegistrationFeed",
                                                     function=self.acceptance_feed)

        # applications: documents in S3, the API, the stream announcing state changes
        self.documents = self._documents_bucket(platform)
        self.applications: lambda_.Function = platform.function(
            self, "acceptance_applications",
            description="B4: applications (record-filing, qualification, preferential) with "
                        "documents, officer review and the progress trail",
            environment={**env, **acceptance_env,
                         "DOCUMENTS_BUCKET": self.documents.bucket_name,
                         **platform.simulated("bank")},
            idempotent=True,
        )
        grant(self.applications, self.registry, "GetItem")  # the applicant's office
        self._grant_acceptance(self.applications, query_index=True)
        # the presigned POST is signed by this role; a confirmed upload is copied to documents/
        grant_uploads(self.applications, self.documents, "documents")
        api.route("GET", "/v1/applications/items", self.applications, public=True)
        api.routes(self.applications, *APPLICATION_ROUTES)

        self.acceptance_stream_failures = platform.outbox(
            self, "AcceptanceStream", table=self.table, name="acceptance_events",
            description="Announces application state changes (with the applicant's "
                        "notification) on the bus from the acceptance table's stream").failures

    def _grant_acceptance(self, function: lambda_.Function, *, query_index: bool) -> None:
        """Reads, conditional writes and transactions on the acceptance table; no Scan."""
        grant(function, self.table, "GetItem", "Query", "PutItem", "UpdateItem",
              "ConditionCheckItem", query=["by_office"] if query_index else [])

    def _documents_bucket(self, platform: Platform) -> s3.Bucket:
        """Private, encrypted, TLS only; abandoned uploads expire; browsers may POST forms
        (the uploads kit's bucket)."""
        return upload_bucket(self, "Documents", retain=platform.retain,
                             origins=platform.config.upload_origins,
                             abandoned_days=ABANDONED_UPLOAD_DAYS)
