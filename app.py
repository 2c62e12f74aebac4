#!/usr/bin/env python3
"""CDK app entry: the e-tax platform stack for one stage (see infra/config.py for context keys)."""

from __future__ import annotations

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.config import StageConfig
from infra.stack import EtaxStack


def build(app: cdk.App) -> EtaxStack:
    """Add the stack for the app's context to ``app``, with cdk-nag's AwsSolutions checks."""
    config = StageConfig.from_context(app.node)
    stack = EtaxStack(
        app, config.stack_name, config=config,
        description=f"e-tax platform ({config.stage})",
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
                            region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    cdk.Tags.of(stack).add("project", "etax")
    cdk.Tags.of(stack).add("stage", config.stage)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack


if __name__ == "__main__":
    cdk_app = cdk.App()
    build(cdk_app)
    cdk_app.synth()
