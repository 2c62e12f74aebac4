"""Least privilege in the production synth: every wildcard an identity policy allows is in a
reviewed list, the shared idempotency table is held per function by its leading keys, and the
registry is read one record at a time (and written only by the feed, never deleted from)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from aws_cdk.assertions import Template

from etax.platform.idempotency import Idempotency
from infra.platform import IDEMPOTENCY_ACTIONS
from tests.infra.conftest import DEPLOY_TIME_FUNCTIONS, platform_functions

# Every (action, resource) allowed with a ``*`` in either, logical ids without their hash.
# A new one fails the test: review it, then add it here with the reason it is needed.
REVIEWED_WILDCARDS = {
    # active tracing: X-Ray's write calls accept only "*" (the functions' IAM5 acknowledgment)
    ("xray:PutTraceSegments", "*"),
    ("xray:PutTelemetryRecords", "*"),
    # a stream's own label is made with it: ListStreams names the table's streams
    *(("dynamodb:ListStreams", f"<{table}.Arn>/stream/*") for table in (
        "AcceptanceAcceptanceTable", "InvoiceServicesInvoicesTable", "LotteryDrawsTable",
        "RefundsRefundsTable", "SupplySupplyTable", "RegulationsRegulationsTable",
        "KnowledgeKnowledgeTable", "ViolatorsViolatorsTable", "ComplaintsComplaintsTable",
        "FilingAndPaymentFilingTable", "SharingTable")),
    # uploads: one object key per document under each prefix (infra/acceptance.py)
    ("s3:PutObject", "<AcceptanceUploadsDocumentsBucket.Arn>/incoming/*"),
    ("s3:GetObject", "<AcceptanceUploadsDocumentsBucket.Arn>/incoming/*"),
    ("s3:DeleteObject", "<AcceptanceUploadsDocumentsBucket.Arn>/incoming/*"),
    ("s3:PutObject", "<AcceptanceUploadsDocumentsBucket.Arn>/documents/*"),
    ("s3:GetObject", "<AcceptanceUploadsDocumentsBucket.Arn>/documents/*"),
    # the app square's packages: the same split, the uploads kit's (the board's own stack)
    ("s3:PutObject", "<UploadsPackagesBucket.Arn>/incoming/*"),
    ("s3:GetObject", "<UploadsPackagesBucket.Arn>/incoming/*"),
    ("s3:DeleteObject", "<UploadsPackagesBucket.Arn>/incoming/*"),
    ("s3:PutObject", "<UploadsPackagesBucket.Arn>/packages/*"),
    ("s3:GetObject", "<UploadsPackagesBucket.Arn>/packages/*"),
    # the tax school's courseware and library files: the same split (the board's own stack)
    ("s3:PutObject", "<UploadsCoursewareBucket.Arn>/incoming/*"),
    ("s3:GetObject", "<UploadsCoursewareBucket.Arn>/incoming/*"),
    ("s3:DeleteObject", "<UploadsCoursewareBucket.Arn>/incoming/*"),
    ("s3:PutObject", "<UploadsCoursewareBucket.Arn>/files/*"),
    ("s3:GetObject", "<UploadsCoursewareBucket.Arn>/files/*"),
    # search: one artefact per build under indexes/, and its pointer (infra/knowledge_search.py)
    ("s3:PutObject", "<KnowledgeSearchIndexBucket.Arn>/indexes/*"),
    ("s3:GetObject", "<KnowledgeSearchIndexBucket.Arn>/indexes/*"),
    # the analytical store: one object per batch and day under raw/, one file per day and
    # province under tables/ (infra/analytics.py)
    ("s3:PutObject", "<StoreBucket.Arn>/raw/*"),
    ("s3:GetObject", "<StoreBucket.Arn>/raw/*"),
    ("s3:PutObject", "<StoreBucket.Arn>/tables/*"),
    ("s3:DeleteObject", "<StoreBucket.Arn>/tables/*"),
    ("s3:GetObject", "<StoreBucket.Arn>/tables/*"),
    # open data: one file per data set and month under open-data/ (infra/open_data.py)
    ("s3:PutObject", "<OpenDataBucket.Arn>/open-data/*"),
    ("s3:GetObject", "<OpenDataBucket.Arn>/open-data/*"),
}
# AWS-managed policies attached to roles (each acknowledged next to its resource)
REVIEWED_MANAGED_POLICIES = {
    "service-role/AWSLambdaBasicExecutionRole",  # every function's logs
    # (the API's logging role, AmazonAPIGatewayPushToCloudWatchLogs, is the account stack's:
    # infra/account.py, tests/infra/test_delivery.py)
    "service-role/AWSBackupServiceRolePolicyForBackup",  # the daily table backups
    "service-role/AWSCodeDeployRoleForLambdaLimited",  # canary shifts of the live aliases
}
HASH = re.compile(r"[0-9A-F]{8}$")


def _name(logical_id: str) -> str:
    return HASH.sub("", logical_id)


def render(value: Any) -> str:
    """A resource as readable text: ``<Logical.Attr>`` for a GetAtt, ``<Logical>`` for a Ref."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical, attribute = value["Fn::GetAtt"]
        return f"<{_name(logical)}.{attribute}>"
    if isinstance(value, dict) and "Ref" in value:
        return f"<{_name(value['Ref'])}>"
    if isinstance(value, dict) and "Fn::Join" in value:
        return "".join(render(part) for part in value["Fn::Join"][1])
    return repr(value)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allowed(template: Template) -> Iterator[tuple[str, dict[str, Any]]]:
    """(logical id of the policy or role, statement) for every Allow of every identity policy."""
    for logical, resource in template.to_json()["Resources"].items():
        properties = resource.get("Properties", {})
        documents = []
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents = [properties["PolicyDocument"]]
        elif resource["Type"] == "AWS::IAM::Role":
            documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        for document in documents:
            for statement in document["Statement"]:
                if statement.get("Effect", "Allow") == "Allow":
                    yield logical, statement


def wildcards(template: Template, *, deploy_time: bool = False) -> set[tuple[str, str]]:
    """The wildcards the platform's identities are allowed; with ``deploy_time``, those of
    CDK's deploy-time function instead (:data:`DEPLOY_TIME_FUNCTIONS`)."""
    return {(action, render(resource))
            for logical, statement in allowed(template)
            if logical.startswith(DEPLOY_TIME_FUNCTIONS) == deploy_time
            for action in _listed(statement["Action"])
            for resource in _listed(statement["Resource"])
            if "*" in action or "*" in render(resource)}


def test_every_wildcard_allowed_in_prod_is_reviewed(prod: Template) -> None:
    found = wildcards(prod)
    assert found - REVIEWED_WILDCARDS == set(), "review these, then list them above"
    assert REVIEWED_WILDCARDS - found == set(), "no longer granted: take them off the list"


def test_the_deploy_time_function_reaches_the_portal_its_asset_and_invalidations_only(
        prod: Template) -> None:
    """CDK's bucket-deployment function (infra/portal.py) copies the portal's asset into the
    portal bucket and invalidates the distribution; its S3 grants are CDK's wildcards on those
    two buckets, and CloudFront takes invalidations on ``*`` only."""
    found = wildcards(prod, deploy_time=True)
    assert found, "the portal is published by the deployment"
    for action, resource in found:
        if action.startswith("cloudfront:"):
            assert (action, resource) in {("cloudfront:CreateInvalidation", "*"),
                                          ("cloudfront:GetInvalidation", "*")}
        else:
            assert action.startswith("s3:"), action
            assert resource.startswith(("<PortalPages.Arn>",
                                        "arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-")), \
                resource


def test_every_managed_policy_in_prod_is_reviewed(prod: Template) -> None:
    attached = {render(arn).split(":policy/")[-1]
                for role in prod.find_resources("AWS::IAM::Role").values()
                for arn in role["Properties"].get("ManagedPolicyArns", [])}
    assert attached == REVIEWED_MANAGED_POLICIES


def test_the_x_ray_acknowledgment_is_true_nothing_else_is_on_every_resource(
        prod: Template) -> None:
    """The functions acknowledge ``AwsSolutions-IAM5[Resource::*]`` for X-Ray alone."""
    on_everything = {action for action, resource in wildcards(prod) if resource == "*"}
    assert on_everything == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _table(template: Template, name: str) -> str:
    (logical,) = [k for k in template.find_resources("AWS::DynamoDB::Table")
                  if _name(k) == name]
    return logical


def _statements_on(template: Template, table: str) -> list[tuple[str, dict[str, Any]]]:
    arn = {"Fn::GetAtt": [table, "Arn"]}
    return [(logical, statement) for logical, statement in allowed(template)
            if arn in _listed(statement["Resource"])]


def test_nothing_may_delete_from_the_registry_and_one_worker_scans_it(prod: Template) -> None:
    registry = _table(prod, "AcceptanceRegistryTable")
    actions = {action for _, statement in _statements_on(prod, registry)
               for action in _listed(statement["Action"])}
    assert actions == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"}
    scanners = {_name(logical) for logical, statement in _statements_on(prod, registry)
                if "dynamodb:Scan" in _listed(statement["Action"])}
    assert scanners == {"CreditCreditRunsFunctionServiceRoleDefaultPolicy"}
    writers = {_name(logical) for logical, statement in _statements_on(prod, registry)
               if "dynamodb:PutItem" in _listed(statement["Action"])}
    assert writers == {"AcceptanceAcceptanceFeedFunctionServiceRoleDefaultPolicy"}


def test_no_function_scans_any_table_but_the_annual_credit_run_the_register(
        prod: Template) -> None:
    """The annual credit evaluation reads every taxpayer (a parallel Scan of the registry, a
    segment a message): the one Scan, on the one table."""
    registry = {"Fn::GetAtt": [_table(prod, "AcceptanceRegistryTable"), "Arn"]}
    scans = [(_name(logical), statement["Resource"]) for logical, statement in allowed(prod)
             if "dynamodb:Scan" in _listed(statement["Action"])]
    assert scans == [("CreditCreditRunsFunctionServiceRoleDefaultPolicy", registry)]


def _idempotent_functions(template: Template) -> set[str]:
    functions = platform_functions(template)
    return {logical for logical, function in functions.items()
            if "IDEMPOTENCY_TABLE" in function["Properties"].get("Environment", {})
            .get("Variables", {})}


def test_each_function_reaches_only_its_own_idempotency_records(prod: Template) -> None:
    """``dynamodb:LeadingKeys`` on the function's own key prefix, the one Powertools writes
    (tests/functional/test_invoices.py proves the keys match), on every grant of the table."""
    table = _table(prod, "PlatformIdempotencyTable")
    statements = _statements_on(prod, table)
    functions = _idempotent_functions(prod)
    assert len(functions) >= 8
    held: set[str] = set()
    for _, statement in statements:
        assert sorted(_listed(statement["Action"])) == sorted(
            f"dynamodb:{action}" for action in IDEMPOTENCY_ACTIONS)
        (prefix,) = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        parts = prefix["Fn::Join"][1]
        assert parts[1:] == [Idempotency.key_pattern("")]
        held.add(parts[0]["Ref"])
    assert held == functions
    assert len(statements) == len(functions)


def test_no_stream_is_listed_account_wide(prod: Template, local: Template) -> None:
    for template in (prod, local):
        assert not [statement for _, statement in allowed(template)
                    if "dynamodb:ListStreams" in _listed(statement["Action"])
                    and "*" in _listed(statement["Resource"])]
