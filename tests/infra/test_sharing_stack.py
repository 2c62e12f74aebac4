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


def test_the_departments_facts_reach_their_feed_and_the_pages_are_signed(
        prod_synth: Synthesized) -> None:
    """A rule sends the fact types the departments receive (from the agreements) to the
    feed's queue; the feed's function only puts into the sharing table; the sharing function
    signs with the platform's key (kms:Sign)."""
    from etax.sharing.feed import Departments

    template = Template.from_json(prod_synth.nested["Sharing"])
    facts = Departments.shipped().facts()
    [rule] = [r for r in resources(template, "AWS::Events::Rule").values()
              if "partner departments" in r["Properties"].get("Description", "")]
    pattern = rule["Properties"]["EventPattern"]
    assert set(pattern["source"]) == {s for s, _ in facts}
    assert set(pattern["detail-type"]) == {t for _, t in facts}
    feed = json.loads(_policy_of(template, "SharingFeedFunctionServiceRole"))
    actions = {a for document in feed for statement in document["Statement"]
               for a in ([statement["Action"]] if isinstance(statement["Action"], str)
                         else statement["Action"]) if a.startswith("dynamodb:")}
    assert actions == {"dynamodb:PutItem"}
    assert "kms:Sign" in _policy_of(template, "SharingFunctionServiceRole")
    assert "kms:Sign" not in _policy_of(template, "SharingFeedFunctionServiceRole")


def test_the_board_s_signing_role_is_named_and_the_key_lets_it_alone_sign(
        prod_synth: Synthesized) -> None:
    """The sharing function's role (in the board's nested stack) has a name the key's policy
    in the parent stack names it by: no reference between the two stacks, so no cycle."""
    template = Template.from_json(prod_synth.nested["Sharing"])
    [role] = [r for logical, r in resources(template, "AWS::IAM::Role").items()
              if logical.startswith("SharingFunctionServiceRole")]
    assert role["Properties"]["RoleName"] == "etax-prod-signing-SharingFunction"
    keys = resources(Template.from_json(prod_synth.parent), "AWS::KMS::Key").values()
    [key] = [k for k in keys if k["Properties"].get("KeyUsage") == "SIGN_VERIFY"]
    [deny] = [s for s in key["Properties"]["KeyPolicy"]["Statement"]
              if s.get("Sid") == "OnlyTheIssuingRolesSign"]
    allowed = json.dumps(deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"])
    assert ":role/etax-prod-signing-SharingFunction" in allowed
