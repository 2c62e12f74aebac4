"""The data-sharing board (infra/sharing.py) and the demo partner bank (infra/partner_bank.py):
the sharing function reads the other boards' records read-only (no write, no Scan on them), the
table's stream feeds the outbox of the consents' items only, and the bank's Chalice app is
deployed on ``local`` only, told where the platform's API is."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from tests.infra.conftest import Synthesized


def resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def _policy_of(template: Template, role_part: str) -> str:
    return json.dumps([p["Properties"]["PolicyDocument"]
                       for p in resources(template, "AWS::IAM::Policy").values()
                       if role_part in json.dumps(p["Properties"]["Roles"])])


def test_the_sharing_function_writes_only_its_own_table(prod_synth: Synthesized) -> None:
    template = prod_synth.nested["Sharing"]
    policy = json.loads(_policy_of(Template.from_json(template), "SharingFunctionServiceRole"))
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    for document in policy:
        for statement in document["Statement"]:
            actions = set(statement["Action"] if isinstance(statement["Action"], list)
                          else [statement["Action"]])
            assert "dynamodb:Scan" not in actions
            if actions & writes:
                written = json.dumps(statement["Resource"])
                assert "SharingTable" in written or "IdempotencyTable" in written, statement


def test_the_outbox_wakes_for_the_consents_items_only(local_synth: Synthesized) -> None:
    template = Template.from_json(local_synth.nested["Sharing"])
    [mapping] = [m for m in resources(template, "AWS::Lambda::EventSourceMapping").values()
                 if "FilterCriteria" in m["Properties"]]
    [criterion] = mapping["Properties"]["FilterCriteria"]["Filters"]
    assert json.loads(criterion["Pattern"]) == {"dynamodb": {"Keys": {"sk": {"S": ["consent"]}}}}
    [table] = resources(template, "AWS::DynamoDB::Table").values()
    assert table["Properties"]["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert {i["IndexName"] for i in table["Properties"]["GlobalSecondaryIndexes"]} == \
        {"by_taxpayer", "by_pair"}


def test_the_demo_bank_is_deployed_by_chalices_construct_on_local_only(
        local_synth: Synthesized, prod_synth: Synthesized) -> None:
    assert "PartnerBank" not in prod_synth.nested
    bank = local_synth.nested["PartnerBank"]
    assert bank["Transform"] == "AWS::Serverless-2016-10-31"
    functions = [r for r in bank["Resources"].values()
                 if r["Type"] == "AWS::Serverless::Function"]
    [function] = functions
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["PARTNER_ID"] == "bank-minjiang-demo"
    assert {"PLATFORM_API_ID", "PLATFORM_API_URL", "PLATFORM_API_STAGE"} <= set(variables)
    assert function["Properties"]["Handler"] == "app.app"
    assert "PartnerBankApiId" in local_synth.parent["Outputs"]
