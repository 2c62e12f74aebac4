"""The delivery pipeline (CDK Pipelines): source, the test suites and a synth, then ``test``, then
``prod`` after a manual approval. Synthesized only with ``-c pipeline=true`` (app.py); its stack,
``Etax-pipeline``, lives in the delivery account and deploys each stage into that stage's own
account (docs/deploying.md, docs/decisions/0017).

=============================  =================================================================
context key                    meaning
=============================  =================================================================
``pipeline_account``           the delivery account that holds the pipeline (12 digits)
``pipeline_region``            its region
``pipeline_connection_arn``    a CodeStar (CodeConnections) connection to the hosted repository,
``pipeline_repository``        with the repository, ``owner/name``
``pipeline_codecommit``        or a CodeCommit repository name in the delivery account instead
``pipeline_branch``            the branch that is delivered (default ``main``)
``stages``                     each stage's keys (infra/config.py): ``test`` and ``prod`` each
                               with their ``account`` and ``region``, identity provider, alarms
=============================  =================================================================

The synth step runs what CI runs before a merge (``make ci``: ruff, mypy, the dependency
audit, the unit, functional and infra suites, and the synth with CloudFormation validation and
cfn-lint), then ``cdk synth``. Not
the e2e suite: it starts LocalStack on the host (its own Python 3.13 environment and plugin) and
deploys the app to it, tens of minutes on a small build host, and it proves what a merge already
proved on the same commit. The pipeline checks the real thing instead: after ``test`` deploys,
a step calls the deployed API's health route before ``prod`` may be approved.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codecommit as codecommit
from aws_cdk import pipelines
from cdk_nag import AwsSolutionsChecks
from constructs import Construct, Node

from infra.config import ConfigError, StageConfig
from infra.nag import acknowledge
from infra.stages import build_stage

PIPELINE_STACK_NAME = "Etax-pipeline"
STAGES = ("test", "prod")  # in delivery order; prod waits for a person's approval
PYTHON_RUNTIME = "3.12"  # the functions' runtime (Makefile PYTHON312)
NODE_RUNTIME = "22"
BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0  # Ubuntu 22.04: Python 3.12, Node 22
INSTALL_COMMANDS = ["python3.12 --version", "node --version"]
# `make ci`: lint, the dependency audit, unit, functional, infra, validate (Makefile) — what
# runs without LocalStack.
TEST_COMMANDS = ["make ci"]
SYNTH_COMMANDS = ["make node_modules/.stamp",
                  "npx cdk synth -c pipeline=true --output cdk.out"]


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    account: str
    region: str
    branch: str
    connection_arn: str | None = None
    repository: str | None = None
    codecommit: str | None = None

    @classmethod
    def from_context(cls, node: Node) -> PipelineConfig:
        def get(key: str) -> str | None:
            value = node.try_get_context(key)
            return str(value) if value not in (None, "") else None

        account, region = get("pipeline_account"), get("pipeline_region")
        if not (account and region):
            raise ConfigError("the pipeline needs context pipeline_account and pipeline_region "
                              "(the delivery account); see docs/deploying.md")
        config = cls(account=account, region=region, branch=get("pipeline_branch") or "main",
                     connection_arn=get("pipeline_connection_arn"),
                     repository=get("pipeline_repository"), codecommit=get("pipeline_codecommit"))
        hosted = bool(config.connection_arn and config.repository)
        if hosted == bool(config.codecommit):
            raise ConfigError("the pipeline needs one source: context pipeline_connection_arn "
                              "with pipeline_repository (owner/name), or pipeline_codecommit")
        return config


class EtaxStage(cdk.Stage):
    """One stage of the platform as the pipeline deploys it: the account stack and the stage's
    stack, in the stage's own account and region."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        if not (config.account and config.region):
            raise ConfigError(f"the pipeline's stage {config.stage!r} needs account and region "
                              "in context stages (one account per stage)")
        super().__init__(scope, construct_id,
                         env=cdk.Environment(account=config.account, region=config.region))
        self.stack = build_stage(self, config)
        api_url = self.stack.node.find_child("ApiUrl")
        assert isinstance(api_url, cdk.CfnOutput)
        self.api_url = api_url


class PipelineStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: PipelineConfig,
                 stages: list[StageConfig]) -> None:
        super().__init__(scope, construct_id, stack_name=PIPELINE_STACK_NAME,
                         description="e-tax platform: the delivery pipeline",
                         env=cdk.Environment(account=config.account, region=config.region),
                         termination_protection=True)
        if config.codecommit:
            repository = codecommit.Repository.from_repository_name(self, "Repository",
                                                                     config.codecommit)
            source = pipelines.CodePipelineSource.code_commit(repository, config.branch)
        else:
            assert config.repository
            assert config.connection_arn
            source = pipelines.CodePipelineSource.connection(
                config.repository, config.branch, connection_arn=config.connection_arn)
        self.pipeline = pipelines.CodePipeline(
            self, "Pipeline",
            pipeline_name="etax",
            cross_account_keys=True,  # each stage deploys into its own account
            enable_key_rotation=True,
            docker_enabled_for_synth=False,
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(
                    build_image=BUILD_IMAGE, compute_type=codebuild.ComputeType.MEDIUM),
                partial_build_spec=codebuild.BuildSpec.from_object({"phases": {"install": {
                    "runtime-versions": {"python": PYTHON_RUNTIME, "nodejs": NODE_RUNTIME}}}}),
            ),
            synth=pipelines.ShellStep(
                "Synth", input=source,
                install_commands=INSTALL_COMMANDS,
                commands=[*TEST_COMMANDS, *SYNTH_COMMANDS],
                primary_output_directory="cdk.out",
            ),
        )
        for config_of_stage in stages:
            stage = EtaxStage(scope, config_of_stage.stage.capitalize(), config=config_of_stage)
            pre: list[pipelines.Step] = []
            post: list[pipelines.Step] = []
            if config_of_stage.is_production:
                pre.append(pipelines.ManualApprovalStep(
                    "PromoteToProd",
                    comment="The test stage is deployed and answers: promote this commit?"))
            else:
                post.append(pipelines.ShellStep(
                    "SmokeTest", env_from_cfn_outputs={"API_URL": stage.api_url},
                    commands=['curl --fail --silent --show-error "${API_URL}v1/health"']))
            self.pipeline.add_stage(stage, pre=pre, post=post)
        self.pipeline.build_pipeline()
        acknowledge_generated_roles(self.pipeline, config.account, config.region)


def acknowledge_generated_roles(pipeline: pipelines.CodePipeline, account: str,
                                region: str) -> None:
    """cdk-nag's wildcard findings on the roles CDK Pipelines generates, each with its reason:
    the pipeline's roles are CDK's, scoped by it to the pipeline's own bucket, key, build
    projects and the stages' bootstrap roles."""
    codebuild_arn = f"arn:<AWS::Partition>:codebuild:{region}:{account}"
    logs_arn = f"arn:<AWS::Partition>:logs:{region}:{account}:log-group:/aws/codebuild"
    artifacts = ("the pipeline's own artifact bucket and KMS key (objects under it, "
                 "CDK Pipelines' grants)")
    projects = "the build project's own log group and report groups (CodeBuild's grants)"
    for scope, rules, reason in (
        (pipeline,
         ["Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*",
          "Action::s3:DeleteObject*", "Action::s3:Abort*", "Action::kms:ReEncrypt*",
          "Action::kms:GenerateDataKey*", "Resource::<PipelineArtifactsBucketAEA9A052.Arn>/*"],
         artifacts),
        (pipeline, [f"Resource::{logs_arn}/<{project}>:*" for project in PROJECTS]
         + [f"Resource::{codebuild_arn}:report-group/<{project}>-*" for project in PROJECTS],
         projects),
        (pipeline, [f"Resource::{logs_arn}/*", f"Resource::{codebuild_arn}:report-group/*"],
         "the asset publishing projects' log and report groups, named by CodeBuild at run time"),
        (pipeline, [f"Resource::arn:*:iam::{account}:role/*", "Resource::*"],
         "self-mutation assumes the CDK bootstrap roles (cdk-hnb659fds-*) and reads "
         "CloudFormation stacks, as `cdk deploy` does"),
    ):
        for rule in rules:
            acknowledge(scope, f"AwsSolutions-IAM5[{rule}]", reason)
    acknowledge(pipeline.pipeline.artifact_bucket, "AwsSolutions-S1",
                "the pipeline's artifacts: written and read by its own roles only, encrypted "
                "with its key; CloudTrail records the API calls on it")


# The logical ids of the build projects CDK Pipelines makes (stable: from construct paths).
PROJECTS = ("PipelineBuildSynthCdkBuildProject6BEFA8E6", "PipelineTestSmokeTestEDE7007F",
            "PipelineUpdatePipelineSelfMutationDAA41400")


def build_pipeline(app: cdk.App) -> PipelineStack:
    """Add the pipeline stack (and the stages it deploys) to ``app``, with cdk-nag's checks."""
    config = PipelineConfig.from_context(app.node)
    stages = [StageConfig.from_context(app.node, stage=name) for name in STAGES]
    stack = PipelineStack(app, PIPELINE_STACK_NAME, config=config, stages=stages)
    cdk.Tags.of(stack).add("project", "etax")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack
