"""Secrets: a field of a JSON secret in Secrets Manager, read once per process, on first use.

The infrastructure puts the secret's ARN in a function's environment; the function declares
``SECRET = SecretField("PAYMENT_CALLBACK_SECRET", "key")`` at module level (no call is made
then) and reads ``SECRET.value()`` where it needs it. The first read costs one
``GetSecretValue``; later reads in a warm function cost nothing.
"""

from __future__ import annotations

import json

from etax.platform.aws import client
from etax.platform.settings import required


class SecretField:
    def __init__(self, variable: str, field: str) -> None:
        self.variable = variable
        self.field = field
        self._value: str | None = None

    def value(self) -> str:
        """The field's value (string), fetched on the first call."""
        if self._value is None:
            answer = client("secretsmanager").get_secret_value(SecretId=required(self.variable))
            self._value = str(json.loads(answer["SecretString"])[self.field])
        return self._value
