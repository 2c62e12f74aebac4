"""Settings every function reads from its environment (set by the infrastructure)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

LOCAL_STAGE = "local"


@dataclass(frozen=True, slots=True)
class Settings:
    stage: str
    version: str
    region: str
    event_bus_name: str | None

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this execution environment, read once."""
    return Settings(
        stage=os.environ.get("ETAX_STAGE", LOCAL_STAGE),
        version=os.environ.get("ETAX_VERSION", "dev"),
        region=os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")),
        event_bus_name=os.environ.get("EVENT_BUS_NAME"),
    )


def required(name: str) -> str:
    """An environment variable the infrastructure must set; a clear error if it did not."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set (infrastructure bug)")
    return value


def table_name(variable: str) -> str:
    """The name of the table whose name the infrastructure put in ``variable``."""
    value = os.environ.get(variable)
    if not value:
        raise RuntimeError(f"environment variable {variable} is not set (infrastructure bug)")
    return value
