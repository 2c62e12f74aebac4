"""The simulated partners (docs/partners.md) deploy on ``local`` and test stages only: their
ledger tables, the grants on them and the settings that wire them (``<PARTNER>_PROVIDER``,
the ledgers' names, the simulations' timings) are in the local template and nowhere in
production, where each partner's adapter is missing and fails closed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.config import ConfigError, StageConfig
from tests.infra.conftest import PROD_CONTEXT, platform_functions

ROOT = Path(__file__).resolve().parents[2]
LEDGER_TABLES = ("LotteryPayoutLedgerTable", "NotificationsProviderLedgerTable",
                 "RefundsTreasuryTable")
LEDGER_OUTPUTS = ("LotteryLedgerTableName", "NotificationLedgerTableName",
                  "RefundTreasuryTableName")
SIMULATION_SETTINGS = ("LOTTERY_LEDGER_TABLE", "NOTIFICATION_LEDGER_TABLE",
                       "REFUND_TREASURY_TABLE", "PAYOUT_SIMULATED_SLOW_SECONDS",
                       "LOGISTICS_STEP_SECONDS")


def ledger_tables(template: Template) -> list[str]:
    return [logical_id for logical_id in template.find_resources("AWS::DynamoDB::Table")
            if logical_id.startswith(LEDGER_TABLES)]


def environments(template: Template) -> list[tuple[str, dict[str, Any]]]:
    """Each function's service name and environment (the four channel senders share one)."""
    found = []
    for function in platform_functions(template).values():
        variables = function["Properties"]["Environment"]["Variables"]
        found.append((variables["POWERTOOLS_SERVICE_NAME"], variables))
    return found


def partners_of_handlers() -> dict[str, set[str]]:
    """Each function's partners, as its handler chooses them: ``adapter("<partner>", …)``."""
    found: dict[str, set[str]] = {}
    for handler in sorted((ROOT / "functions").glob("*/handler.py")):
        partners = set(re.findall(r'\badapter\(\s*"(\w+)"', handler.read_text()))
        if partners:
            found[handler.parent.name] = partners
    return found


def test_local_has_every_ledger_table_and_prod_none(local: Template, prod: Template) -> None:
    assert len(ledger_tables(local)) == len(LEDGER_TABLES)
    assert ledger_tables(prod) == []
    assert set(LEDGER_OUTPUTS) <= set(local.find_outputs("*"))
    assert not set(LEDGER_OUTPUTS) & set(prod.find_outputs("*"))


def test_prod_has_no_grant_on_a_ledger(local: Template, prod: Template) -> None:
    local_ids = ledger_tables(local)
    policies = json.dumps(local.find_resources("AWS::IAM::Policy"))
    assert all(table in policies for table in local_ids)  # the simulations' grants, locally
    assert not any(name in json.dumps(prod.find_resources("AWS::IAM::Policy"))
                   for name in LEDGER_TABLES)


def test_every_partner_is_simulated_on_local_and_missing_on_prod(local: Template,
                                                                 prod: Template) -> None:
    partners = partners_of_handlers()
    assert set(partners) == {"acceptance_applications", "acceptance_registration", "refunds",
                             "refund_payment", "lottery_payout", "notification_sender",
                             "supply", "supply_worker", "filing"}
    local_env = environments(local)
    for function, named in partners.items():
        envs = [env for service, env in local_env if service == function]
        assert envs, function
        for env in envs:
            for partner in named:
                assert env.get(f"{partner.upper()}_PROVIDER") == "simulated", (function, partner)
    for service, env in environments(prod):
        assert not [k for k in env if k.endswith("_PROVIDER")], service
        assert not set(SIMULATION_SETTINGS) & set(env), service
    assert {k for _, env in local_env for k in env} >= set(SIMULATION_SETTINGS)


def config(**context: Any) -> StageConfig:
    return StageConfig.from_context(cdk.App(context=context).node)


REAL = {k: v for k, v in PROD_CONTEXT.items() if k not in ("stage", "account", "region")}


def test_which_stages_run_the_simulations() -> None:
    assert config(stage="local").simulations
    assert config(stage="test", **REAL).simulations
    assert not config(stage="dev", **REAL).simulations
    assert config(stage="dev", simulations="true", **REAL).simulations
    assert not config(stage="test", simulations=False, **REAL).simulations
    assert not config(**PROD_CONTEXT).simulations


def test_prod_never_runs_the_simulations() -> None:
    with pytest.raises(ConfigError, match="never runs the simulated partners"):
        config(**PROD_CONTEXT, simulations="true")
    with pytest.raises(ConfigError, match="simulations must be true or false"):
        config(stage="local", simulations="yes")
