"""Keys and data in the production synth: only the issuing roles sign (the key's policy denies
everyone else, the account root included), with an alias and a rule reporting other callers;
the tables of money, invoices and registrations protected from deletion and backed up daily;
the documents bucket versioned, its browser origins named by the stage."""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

import app
from infra.config import ConfigError
from tests.infra.conftest import PROD_CONTEXT, platform_functions
from tests.infra.test_least_privilege import _name

ISSUERS = {"InvoiceServicesInvoicesFunctionServiceRole",
           "FilingAndPaymentFilingFunctionServiceRole",
           "CertificatesCertificatesFunctionServiceRole",
           "SharingFunctionServiceRole",  # a board's, in its nested stack: a named role
           "OfficeFunctionServiceRole",
           "SchoolFunctionServiceRole"}  # completion certificates
RECORD_TABLES = {"AcceptanceRegistryTable", "AcceptanceAcceptanceTable",
                 "InvoiceServicesInvoicesTable", "InvoiceServicesSequencesTable",
                 "InvoiceServicesQuotaTable", "FilingAndPaymentFilingTable",
                 "RefundsRefundsTable", "LotteryDrawsTable", "CertificatesCertificatesTable",
                 "RegulationsRegulationsTable", "ComplaintsComplaintsTable",
                 "OutreachOutreachTable",
                 "CreditCreditTable", "SharingTable", "OfficeTable", "SchoolTable"}


def _signing_key(template: Template) -> tuple[str, Any]:
    (logical, key), = [(k, v) for k, v in template.find_resources("AWS::KMS::Key").items()
                       if _name(k) == "PlatformSigningKey"]
    return logical, key


def _role(arn: Any) -> str:
    """The role an ARN of the key's policy names, by its construct: a role of the parent stack
    by its ``GetAtt``, a board's by its name (``etax-<stage>-signing-<Function>``)."""
    if "Fn::GetAtt" in arn:
        assert arn["Fn::GetAtt"][1] == "Arn"
        return _name(arn["Fn::GetAtt"][0])
    (function,) = re.findall(r":role/etax-[a-z]+-signing-(\w+)", json.dumps(arn))
    return f"{function}ServiceRole"


def _signers(template: Template) -> set[str]:
    """The roles of the functions that sign (those given ``SIGNING_KEY_ID``)."""
    return {_name(function["Properties"]["Role"]["Fn::GetAtt"][0])
            for function in platform_functions(template).values()
            if "SIGNING_KEY_ID" in function["Properties"].get("Environment", {})
            .get("Variables", {})}


@pytest.mark.parametrize("stage", ["prod", "local"])
def test_only_the_issuing_roles_may_sign(stage: str, request: pytest.FixtureRequest) -> None:
    template: Template = request.getfixturevalue(stage)
    assert _signers(template) == ISSUERS
    _, key = _signing_key(template)
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Principal"] == {"AWS": "*"}
    assert deny["Action"] == "kms:Sign"
    exempt = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert {_role(arn) for arn in exempt} == ISSUERS


def test_the_signing_key_has_an_alias(prod: Template) -> None:
    logical, _ = _signing_key(prod)
    prod.has_resource_properties("AWS::KMS::Alias", {
        "AliasName": "alias/etax-prod/signing",
        "TargetKeyId": {"Fn::GetAtt": [logical, "Arn"]}})


def test_any_other_signer_is_reported_on_the_alarm_topic(prod: Template, local: Template) -> None:
    logical, _ = _signing_key(prod)
    (rule,) = [r for r in prod.find_resources("AWS::Events::Rule").values()
               if r["Properties"].get("EventPattern", {}).get("source") == ["aws.kms"]]
    properties = rule["Properties"]
    assert properties["State"] == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    assert "EventBusName" not in properties  # the account's default bus, where CloudTrail's go
    detail = properties["EventPattern"]["detail"]
    assert detail["eventName"] == ["Sign"]
    assert detail["resources"] == {"ARN": [{"Fn::GetAtt": [logical, "Arn"]}]}
    not_a_role, other_role = detail["$or"]
    assert not_a_role == {"userIdentity": {"type": [{"anything-but": ["AssumedRole"]}]}}
    (anything_but,) = other_role["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
    assert {_role(arn) for arn in anything_but["anything-but"]} == ISSUERS
    (target,) = properties["Targets"]
    topic = target["Arn"]["Ref"]  # the alarm topic, in the Monitoring nested stack
    assert _name(topic) == "Alarms"
    assert prod.to_json()["Resources"][topic]["Type"] == "AWS::SNS::Topic"
    assert not [r for r in local.find_resources("AWS::Events::Rule").values()
                if r["Properties"].get("EventPattern", {}).get("source") == ["aws.kms"]]


def test_record_tables_are_protected_and_backed_up_in_prod(prod: Template) -> None:
    tables = prod.find_resources("AWS::DynamoDB::Table")
    protected = {_name(k) for k, t in tables.items()
                 if t["Properties"].get("DeletionProtectionEnabled")}
    assert protected == RECORD_TABLES
    tagged = {_name(k) for k, t in tables.items()
              if {"Key": "etax-backup", "Value": "Etax-prod"} in t["Properties"].get("Tags", [])}
    assert tagged == RECORD_TABLES
    prod.has_resource_properties("AWS::Backup::BackupSelection", {"BackupSelection": {
        "ListOfTags": [{"ConditionKey": "etax-backup", "ConditionValue": "Etax-prod",
                        "ConditionType": "STRINGEQUALS"}]}})
    prod.has_resource_properties("AWS::Backup::BackupPlan", {"BackupPlan": {"BackupPlanRule": [
        Match.object_like({"ScheduleExpression": "cron(0 5 * * ? *)",
                           "Lifecycle": {"DeleteAfterDays": 35}})]}})
    prod.has_resource("AWS::Backup::BackupVault", {"DeletionPolicy": "Retain"})


def test_the_local_stack_has_no_protection_to_tear_down(local: Template) -> None:
    assert not [t for t in local.find_resources("AWS::DynamoDB::Table").values()
                if t["Properties"].get("DeletionProtectionEnabled")]
    assert not local.find_resources("AWS::Backup::BackupPlan")


def _documents_bucket(template: Template) -> Any:
    (bucket,) = [b for k, b in template.find_resources("AWS::S3::Bucket").items()
                 if _name(k) == "AcceptanceUploadsDocumentsBucket"]
    return bucket["Properties"]


def test_the_documents_bucket_is_versioned_and_names_its_origins(prod: Template,
                                                                 local: Template) -> None:
    bucket = _documents_bucket(prod)
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = bucket["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == PROD_CONTEXT["upload_origins"].split(",")
    (incoming,) = [r for r in bucket["LifecycleConfiguration"]["Rules"]
                   if r["Id"] == "abandoned-uploads"]
    assert incoming["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    (rule,) = _documents_bucket(local)["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == ["*"]


@pytest.mark.parametrize("origins", [None, "", "*", "https://a.example.org,*"])
def test_outside_local_the_upload_origins_are_required(origins: str | None) -> None:
    context = {k: v for k, v in PROD_CONTEXT.items() if k != "upload_origins"}
    if origins is not None:
        context["upload_origins"] = origins
    with pytest.raises(ConfigError, match="upload_origins"):
        app.build(cdk.App(context=context))
