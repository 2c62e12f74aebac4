"""Environments and delivery (docs/decisions/0017): the account stack API Gateway's logging role
lives in, one account per stage from the stage's configuration, termination protection on
production, and the pipeline that deploys test then prod."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app
from infra.account import ACCOUNT_STACK_NAME
from infra.config import ConfigError
from tests.infra.conftest import PROD_CONTEXT, Synthesized

SHARED_ACCOUNT = "111111111111"
REGION = "cn-north-1"
STAGE_KEYS = {k: v for k, v in PROD_CONTEXT.items() if k not in ("stage", "account", "region")}


def synth_into(outdir: Path, context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The templates of one stage's synth into ``outdir``, by stack name, with each stack's
    account, region and termination protection as the cloud assembly records them."""
    cdk_app = cdk.App(context=context, outdir=str(outdir),
                      builtin_cloud_formation_validation=False)
    app.build(cdk_app)
    assembly = cdk_app.synth()
    return {stack.stack_name: {"template": stack.template, "account": stack.environment.account,
                               "region": stack.environment.region,
                               "termination_protection": stack.termination_protection,
                               "dependencies": [d.id for d in stack.dependencies
                                                if not d.id.endswith(".assets")]}
            for stack in assembly.stacks}


@pytest.fixture(scope="module")
def two_stages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """``test`` and ``prod`` synthesized for one account, as two `cdk deploy` runs would."""
    root = tmp_path_factory.mktemp("two-stages")
    stages = {}
    for stage in ("test", "prod"):
        stages[stage] = synth_into(root / stage, {**STAGE_KEYS, "stage": stage,
                                                  "account": SHARED_ACCOUNT, "region": REGION})
    return stages


def resource_types(template: dict[str, Any]) -> list[str]:
    return [r["Type"] for r in template["Resources"].values()]


def test_two_stages_in_one_account_share_one_logging_role_stack(
        two_stages: dict[str, dict[str, Any]]) -> None:
    for stage, stacks in two_stages.items():
        assert set(stacks) == {ACCOUNT_STACK_NAME, f"Etax-{stage}"}
        account = stacks[ACCOUNT_STACK_NAME]
        assert resource_types(account["template"]).count("AWS::ApiGateway::Account") == 1
        assert (account["account"], account["region"]) == (SHARED_ACCOUNT, REGION)
        # the stage's stack makes no account setting, and is deployed after the account stack
        assert "AWS::ApiGateway::Account" not in resource_types(stacks[f"Etax-{stage}"]["template"])
        assert stacks[f"Etax-{stage}"]["dependencies"] == ["Account"]
    # the same stack, the same template: the second stage's deploy changes nothing
    assert (two_stages["test"][ACCOUNT_STACK_NAME]["template"]
            == two_stages["prod"][ACCOUNT_STACK_NAME]["template"])


def test_only_production_reserves_concurrency(two_stages: dict[str, dict[str, Any]]) -> None:
    """Reservations take from the account's shared pool: a test stage beside production in
    one account reserves nothing, so the two together never exceed what Lambda allows."""
    def reserved(stage: str) -> int:
        template = two_stages[stage][f"Etax-{stage}"]["template"]
        return sum(r["Properties"].get("ReservedConcurrentExecutions", 0)
                   for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function")

    assert reserved("test") == 0
    assert reserved("prod") > 0


def test_the_logging_role_outlives_its_stack(two_stages: dict[str, dict[str, Any]]) -> None:
    template = Template.from_json(two_stages["prod"][ACCOUNT_STACK_NAME]["template"])
    template.has_resource("AWS::IAM::Role", {"DeletionPolicy": "Retain"})
    roles = template.find_resources("AWS::IAM::Role")
    assert len(roles) == 1
    template.has_resource_properties("AWS::ApiGateway::Account", {
        "CloudWatchRoleArn": {"Fn::GetAtt": [next(iter(roles)), "Arn"]}})


def test_no_stage_template_makes_an_api_gateway_account(local_synth: Synthesized,
                                                        prod_synth: Synthesized) -> None:
    for synthesized in (local_synth, prod_synth):
        for template in (synthesized.parent, *synthesized.nested.values()):
            assert "AWS::ApiGateway::Account" not in resource_types(template)
            assert "AmazonAPIGatewayPushToCloudWatchLogs" not in json.dumps(template)


def test_each_stage_deploys_to_its_configured_account(two_stages: dict[str, dict[str, Any]],
                                                      tmp_path: Path) -> None:
    prod = two_stages["prod"]["Etax-prod"]
    assert (prod["account"], prod["region"]) == (SHARED_ACCOUNT, REGION)
    # a stage's own entry in `stages` wins over the key given alone
    stacks = synth_into(tmp_path, {**STAGE_KEYS, "stage": "prod", "account": "999999999999",
                                   "region": "cn-northwest-1",
                                   "stages": {"prod": {"account": "222222222222",
                                                       "region": REGION}}})
    assert (stacks["Etax-prod"]["account"], stacks["Etax-prod"]["region"]) == (
        "222222222222", REGION)


def test_production_needs_its_account_and_region() -> None:
    for missing in ("account", "region"):
        context = {**STAGE_KEYS, "stage": "prod", "account": SHARED_ACCOUNT, "region": REGION}
        del context[missing]
        cdk_app = cdk.App(context=context, builtin_cloud_formation_validation=False)
        with pytest.raises(ConfigError, match="needs context account and region"):
            app.build(cdk_app)


def test_a_misspelt_key_of_a_stage_is_refused() -> None:
    context = {**STAGE_KEYS, "stage": "prod", "account": SHARED_ACCOUNT, "region": REGION,
               "stages": {"prod": {"alarm_emial": "ops@example.cn"}}}
    with pytest.raises(ConfigError, match=r"stages\.prod has keys this app does not read: "
                                          "alarm_emial"):
        app.build(cdk.App(context=context, builtin_cloud_formation_validation=False))


@pytest.mark.parametrize(("key", "value"), [("account", "12345"), ("region", "Beijing")])
def test_a_malformed_account_or_region_is_refused(key: str, value: str) -> None:
    context = {**STAGE_KEYS, "stage": "prod", "account": SHARED_ACCOUNT, "region": REGION,
               key: value}
    with pytest.raises(ConfigError, match=key):
        app.build(cdk.App(context=context, builtin_cloud_formation_validation=False))


def test_production_stacks_are_termination_protected(
        two_stages: dict[str, dict[str, Any]]) -> None:
    assert two_stages["prod"]["Etax-prod"]["termination_protection"] is True
    assert two_stages["test"]["Etax-test"]["termination_protection"] is False
    assert two_stages["prod"][ACCOUNT_STACK_NAME]["termination_protection"] is True


# --- the pipeline ---------------------------------------------------------------------------

PIPELINE_CONTEXT = {
    "pipeline": "true",
    "pipeline_account": "333333333333",
    "pipeline_region": REGION,
    "pipeline_connection_arn":
        f"arn:aws-cn:codeconnections:{REGION}:333333333333:connection/example",
    "pipeline_repository": "etax/etax",
    "stages": {stage: {**STAGE_KEYS, "account": account, "region": REGION}
               for stage, account in (("test", "111111111111"), ("prod", "222222222222"))},
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> cdk.cx_api.CloudAssembly:
    cdk_app = cdk.App(context=PIPELINE_CONTEXT, builtin_cloud_formation_validation=False,
                      outdir=str(tmp_path_factory.mktemp("pipeline")))
    app.main(cdk_app)
    return cdk_app.synth()  # cdk-nag's checks run in it: a finding fails the synth


def pipeline_stages(assembly: cdk.cx_api.CloudAssembly) -> list[dict[str, Any]]:
    template = assembly.get_stack_by_name("Etax-pipeline").template
    (pipeline_resource,) = [r for r in template["Resources"].values()
                            if r["Type"] == "AWS::CodePipeline::Pipeline"]
    return list(pipeline_resource["Properties"]["Stages"])


def test_the_pipeline_deploys_test_then_prod_after_an_approval(
        pipeline: cdk.cx_api.CloudAssembly) -> None:
    stages = pipeline_stages(pipeline)
    names = [stage["Name"] for stage in stages]
    assert names[:3] == ["Source", "Build", "UpdatePipeline"]
    assert names[-2:] == ["Test", "Prod"]

    def actions(name: str) -> list[tuple[str, str]]:
        (stage,) = [s for s in stages if s["Name"] == name]
        ordered = sorted(stage["Actions"], key=lambda a: a["RunOrder"])
        return [(a["Name"], a["ActionTypeId"]["Provider"]) for a in ordered]

    assert actions("Test") == [
        ("Etax-account.Prepare", "CloudFormation"), ("Etax-account.Deploy", "CloudFormation"),
        ("Etax-test.Prepare", "CloudFormation"), ("Etax-test.Deploy", "CloudFormation"),
        ("SmokeTest", "CodeBuild")]
    assert actions("Prod") == [
        ("PromoteToProd", "Manual"),
        ("Etax-account.Prepare", "CloudFormation"), ("Etax-account.Deploy", "CloudFormation"),
        ("Etax-prod.Prepare", "CloudFormation"), ("Etax-prod.Deploy", "CloudFormation")]


def test_each_pipeline_stage_goes_to_its_own_account(
        pipeline: cdk.cx_api.CloudAssembly) -> None:
    deployed = {}
    for artifact in pipeline.nested_assemblies:
        for stack in artifact.nested_assembly.stacks:
            deployed[stack.stack_name, artifact.display_name] = (
                stack.environment.account, stack.termination_protection)
    assert deployed == {
        ("Etax-account", "Test"): ("111111111111", True),
        ("Etax-test", "Test"): ("111111111111", False),
        ("Etax-account", "Prod"): ("222222222222", True),
        ("Etax-prod", "Prod"): ("222222222222", True),
    }


def test_the_pipeline_build_runs_the_suites_before_the_synth(
        pipeline: cdk.cx_api.CloudAssembly) -> None:
    template = json.dumps(pipeline.get_stack_by_name("Etax-pipeline").template)
    assert "make ci" in template
    assert template.index("make ci") < template.index("cdk synth -c pipeline=true")
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    ci_target = makefile.split("\nci:")[1].split("\n\n")[0]
    assert "lint audit unit functional infra validate" in ci_target


def test_the_pipeline_needs_a_source() -> None:
    context = {k: v for k, v in PIPELINE_CONTEXT.items() if k != "pipeline_connection_arn"}
    with pytest.raises(ConfigError, match="one source"):
        app.main(cdk.App(context=context, builtin_cloud_formation_validation=False))
