"""Chinese search (ADR 0022) as synthesized: two public routes served by the search function,
the indexer fed by the publication rule and a daily schedule, a private versioned bucket for
the artefacts, the search layer on these two functions only, and each role with exactly what
it uses (S3 objects under indexes/ only; the regulations table through its catalog index)."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from infra.knowledge_search import PUBLIC_ROUTES
from tests.infra.conftest import live_alias
from tests.infra.test_calculators_stack import path_of
from tests.infra.test_invoices_stack import policy_statements, role_actions
from tests.infra.test_platform_stack import functions_by_service, resources
from tests.infra.test_regulations_stack import function_id


def bucket(template: Template) -> tuple[str, dict[str, Any]]:
    [(name, found)] = [(k, v) for k, v in resources(template, "AWS::S3::Bucket").items()
                       if k.startswith("KnowledgeSearch")]
    return name, found["Properties"]


def test_the_two_search_routes_are_public_on_the_search_function(prod: Template) -> None:
    alias = live_alias(prod, function_id(prod, "knowledge_search"))
    served = {}
    for method in resources(prod, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if alias in str(props.get("Integration", {}).get("Uri", "")):
            served[f"{props['HttpMethod']} {path_of(prod, props['ResourceId']['Ref'])}"] = \
                props["AuthorizationType"]
    assert served == dict.fromkeys(PUBLIC_ROUTES, "NONE")


def test_the_bucket_is_private_encrypted_versioned_and_retained(prod: Template) -> None:
    name, props = bucket(prod)
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert prod.to_json()["Resources"][name]["DeletionPolicy"] == "Retain"


def test_roles_have_exactly_what_they_use(prod: Template) -> None:
    name, _ = bucket(prod)
    search = role_actions(prod, "knowledge_search")
    assert {a for a in search if a.startswith(("s3:", "dynamodb:"))} == {"s3:GetObject"}
    indexer = role_actions(prod, "knowledge_indexer")
    assert {a for a in indexer if a.startswith(("s3:", "dynamodb:"))} == {
        "s3:GetObject", "s3:PutObject", "dynamodb:Query"}
    for service in ("knowledge_search", "knowledge_indexer"):
        for statement in policy_statements(prod, service):
            actions = statement["Action"] if isinstance(statement["Action"], list) \
                else [statement["Action"]]
            if any(a.startswith("s3:") for a in actions):
                assert statement["Resource"] == {"Fn::Join": ["", [
                    {"Fn::GetAtt": [name, "Arn"]}, "/indexes/*"]]}
            if "dynamodb:Query" in actions:  # the catalog index only, never the table
                assert "/index/catalog" in str(statement["Resource"])


def test_publication_article_changes_and_a_daily_schedule_run_the_indexer(
        prod: Template) -> None:
    rules = resources(prod, "AWS::Events::Rule")
    [published] = [r["Properties"] for r in rules.values()
                   if r["Properties"].get("EventPattern", {}).get("detail-type")
                   == ["RegulationVersionPublished", "KnowledgeArticleChanged"]]
    assert published["EventPattern"]["source"] == ["tax.regulations", "tax.knowledge"]
    assert "KnowledgeSearchReindex" in str(published["Targets"])
    [daily] = [r["Properties"] for r in rules.values()
               if r["Properties"].get("ScheduleExpression") == "cron(5 16 * * ? *)"]
    assert "KnowledgeIndexer" in str(daily["Targets"])
    mappings = [m["Properties"] for m in resources(prod, "AWS::Lambda::EventSourceMapping")
                .values() if "KnowledgeSearchReindex" in str(m["Properties"]["EventSourceArn"])]
    assert len(mappings) == 1
    assert mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_search_layer_is_on_the_functions_that_search_only(prod: Template) -> None:
    [layer] = [k for k in resources(prod, "AWS::Lambda::LayerVersion") if "SearchLayer" in k]
    with_layer = {name for name, f in functions_by_service(prod).items()
                  if {"Ref": layer} in f["Properties"]["Layers"]}
    assert with_layer == {"knowledge_search", "knowledge_indexer", "consult"}


def test_the_bucket_and_the_indexer_are_outputs(local: Template) -> None:
    outputs = local.find_outputs("*")
    assert "SearchBucketName" in outputs
    assert "SearchIndexerFunctionName" in outputs


def test_the_readers_look_for_a_newer_index_each_minute_and_every_5_s_locally(
        local: Template, prod: Template) -> None:
    for template, seconds in ((prod, "60"), (local, "5")):
        functions = functions_by_service(template)
        for reader in ("knowledge_search", "consult"):
            env = functions[reader]["Properties"]["Environment"]["Variables"]
            assert env["SEARCH_RECHECK_SECONDS"] == seconds, reader
    indexer = functions_by_service(prod)["knowledge_indexer"]["Properties"]
    assert "SEARCH_RECHECK_SECONDS" not in indexer["Environment"]["Variables"]
