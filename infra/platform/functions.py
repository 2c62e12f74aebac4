"""Lambda functions and their two layers, made one way for every plan action.

Every function: Python 3.12 on x86_64 (the architecture the local stack runs,
so the same dependency layer serves both), its own folder under
``functions/`` as code, the shared layer (``layers/shared``: the domain
library) and the dependencies layer (``.build/layers/deps``, built from
pinned manylinux wheels by ``scripts/build_layers.py``), active tracing, JSON
logs in a log group with a retention, and the Powertools settings.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.nag import LAMBDA_BASIC_EXECUTION, acknowledge

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = ROOT / "functions"
SHARED_LAYER_DIR = ROOT / "layers" / "shared"
DEPS_LAYER_DIR = ROOT / ".build" / "layers" / "deps"

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.X86_64
METRICS_NAMESPACE = "ETax"


class Functions(Construct):
    """The layers, and a factory for functions that use them."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str, version: str,
                 retain_logs: bool) -> None:
        super().__init__(scope, construct_id)
        if not (DEPS_LAYER_DIR / "python").is_dir():
            raise FileNotFoundError(
                f"{DEPS_LAYER_DIR} is missing: run `python scripts/build_layers.py` (make does)"
            )
        self.stage = stage
        self.version = version
        self.retain_logs = retain_logs
        self.deps_layer = self._layer("DepsLayer", DEPS_LAYER_DIR,
                                      "Third-party packages (pinned manylinux wheels)")
        self.shared_layer = self._layer("SharedLayer", SHARED_LAYER_DIR,
                                        "The etax domain library and platform helpers")

    def _layer(self, construct_id: str, directory: Path, description: str) -> lambda_.LayerVersion:
        return lambda_.LayerVersion(
            self, construct_id,
            code=lambda_.Code.from_asset(str(directory), exclude=["**/__pycache__"]),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description=description,
        )

    def create(
        self,
        scope: Construct,
        name: str,
        *,
        description: str,
        environment: dict[str, str] | None = None,
        timeout: Duration | None = None,
        memory_size: int = 256,
    ) -> lambda_.Function:
        """The function whose code is ``functions/<name>/`` (entry point ``handler.handler``)."""
        code_dir = FUNCTIONS_DIR / name
        if not (code_dir / "handler.py").is_file():
            raise FileNotFoundError(f"{code_dir}/handler.py does not exist")
        construct_id = "".join(part.capitalize() for part in name.split("_"))
        log_group = logs.LogGroup(
            scope, f"{construct_id}Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.RETAIN if self.retain_logs else RemovalPolicy.DESTROY,
        )
        function = lambda_.Function(
            scope, f"{construct_id}Function",
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=lambda_.Code.from_asset(str(code_dir), exclude=["__pycache__", "*.pyc"]),
            handler="handler.handler",
            layers=[self.deps_layer, self.shared_layer],
            timeout=timeout or Duration.seconds(10),
            memory_size=memory_size,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            environment={
                "POWERTOOLS_SERVICE_NAME": name,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                "ETAX_STAGE": self.stage,
                "ETAX_VERSION": self.version,
                **(environment or {}),
            },
        )
        acknowledge(function, LAMBDA_BASIC_EXECUTION,
                    "grants only CreateLogStream/PutLogEvents, the minimum a function needs to log")
        acknowledge(function, "AwsSolutions-IAM5[Resource::*]",
                    "active tracing: xray:PutTraceSegments/PutTelemetryRecords accept only '*'")
        acknowledge(function, "AwsSolutions-L1",
                    "Python 3.12 is pinned: the dependency layer is built for it; moved on purpose")
        return function
