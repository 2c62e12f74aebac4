"""What every pynamodb model shares: table names from the environment, one region.

Tables are created by the infrastructure (CDK); a model never creates one.
Each model names the environment variable that carries its table's name, so
the same code runs against a real account, the local stack and moto.
Endpoints are never configured in code: botocore honours ``AWS_ENDPOINT_URL``
(set by LocalStack in each function's environment).
"""

from __future__ import annotations

import os


def table_name(variable: str) -> str:
    """The name of the table whose name the infrastructure put in ``variable``."""
    value = os.environ.get(variable)
    if not value:
        raise RuntimeError(f"environment variable {variable} is not set (infrastructure bug)")
    return value


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
