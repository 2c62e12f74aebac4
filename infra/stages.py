"""One stage as deployed, by the app (app.py) or by the pipeline (infra/pipeline.py): the stage's
stack, the account stack it depends on, where they go and cdk-nag's checks over them."""

from __future__ import annotations

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from infra.account import AccountStack
from infra.config import StageConfig
from infra.stack import EtaxStack


def environment(config: StageConfig) -> cdk.Environment:
    """Where ``config``'s stage deploys: its own account and region (context ``account``,
    ``region``; required for production), else the deploying CLI's."""
    return cdk.Environment(account=config.account or os.environ.get("CDK_DEFAULT_ACCOUNT"),
                           region=config.region or os.environ.get("CDK_DEFAULT_REGION"))


def build_stage(scope: Construct, config: StageConfig) -> EtaxStack:
    """Add the stage's stack and the account stack it depends on to ``scope`` (an app or a
    pipeline's stage), with cdk-nag's AwsSolutions checks."""
    env = environment(config)
    account = AccountStack(scope, "Account", env=env,
                           termination_protection=not config.is_local)
    cdk.Tags.of(account).add("project", "etax")
    stack = EtaxStack(
        scope, config.stack_name, config=config, stack_name=config.stack_name,
        description=f"e-tax platform ({config.stage})", env=env,
        termination_protection=config.is_production,
    )
    stack.add_stack_dependency(account, "API Gateway logs through the account's role")
    cdk.Tags.of(stack).add("project", "etax")
    cdk.Tags.of(stack).add("stage", config.stage)
    cdk.Validations.of(scope).add_plugins(AwsSolutionsChecks(scope))
    return stack
