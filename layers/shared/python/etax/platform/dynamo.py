"""Table names from the environment, for the repositories over the low-level client
(:class:`etax.platform.aws.DynamoAccess`; docs/decisions/0014).

Tables are created by the infrastructure (CDK) from the contexts' specifications
(``etax/<context>/tables.py``); a repository never creates one. Each repository names the
environment variable that carries its table's name (the specification's ``variable``), so
the same code runs against a real account, the local stack and moto. Endpoints are never
configured in code: botocore honours ``AWS_ENDPOINT_URL`` (set by LocalStack in each
function's environment).
"""

from __future__ import annotations

from etax.platform.settings import table_name

__all__ = ["table_name"]
