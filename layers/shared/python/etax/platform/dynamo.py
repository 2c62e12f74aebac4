"""The base of every pynamodb model: table names from the environment, conditional writes.

Tables are created by the infrastructure (CDK); a model never creates one.
Each model names the environment variable that carries its table's name, so
the same code runs against a real account, the local stack and moto.
Endpoints are never configured in code: botocore honours ``AWS_ENDPOINT_URL``
(set by LocalStack in each function's environment).
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from etax.platform.aws import region
from etax.platform.settings import table_name

__all__ = ["EtaxModel", "table_name"]


class EtaxModel(Model):
    """Base model. A subclass names the variable holding its table's name::

        class RegistryItem(EtaxModel):
            class Meta:
                table_env = "REGISTRY_TABLE"

    ``Meta.table_name`` and ``Meta.region`` are filled from the environment when the
    class is defined (pynamodb does not inherit ``Meta``, so the base fills it in).
    """

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        meta = cls.__dict__.get("Meta")
        if meta is not None and not getattr(meta, "abstract", False):
            if not getattr(meta, "table_name", None):
                meta.table_name = table_name(meta.table_env)
            if not getattr(meta, "region", None):
                meta.region = region()
        super().__init_subclass__(**kwargs)

    def save_if(self, condition: Condition) -> bool:
        """Put this item if ``condition`` holds; False (not an error) when it does not.

        The one way invariants are written: a counter, a state transition, "once
        only" — a conditional write that loses a race answers False.
        """
        try:
            self.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
