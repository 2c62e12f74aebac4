#!/usr/bin/env python3
"""CDK app entry: the e-tax platform for one stage (see infra/config.py for context keys), or
with ``-c pipeline=true`` the delivery pipeline that deploys the stages (infra/pipeline.py)."""

from __future__ import annotations

import aws_cdk as cdk

from infra.config import StageConfig
from infra.stack import EtaxStack
from infra.stages import build_stage


def build(app: cdk.App) -> EtaxStack:
    """Add the stage of the app's context (its stack and the account stack) to ``app``."""
    return build_stage(app, StageConfig.from_context(app.node))


def main(app: cdk.App) -> None:
    if str(app.node.try_get_context("pipeline") or "").lower() in ("true", "1", "yes"):
        from infra.pipeline import build_pipeline

        build_pipeline(app)
    else:
        build(app)


if __name__ == "__main__":
    cdk_app = cdk.App()
    main(cdk_app)
    cdk_app.synth()
