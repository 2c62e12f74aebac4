"""The environment LocalStack is started with (scripts/localstack_ctl.py): the host-mode
settings, another environment's Python settings and endpoints left out, and the event-source
pollers' short backoff unless the caller chose one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import load_localstack_ctl

BACKOFF = "LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC"


def environment(tmp_path: Path) -> dict[str, str]:
    ctl = load_localstack_ctl()
    return dict(ctl.localstack_environment(4599, ctl.StatePaths(tmp_path)))


def test_the_pollers_wait_a_second_at_most_on_an_empty_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BACKOFF, raising=False)
    env = environment(tmp_path)
    assert env[BACKOFF] == "1"
    assert env["GATEWAY_LISTEN"] == "127.0.0.1:4599"
    monkeypatch.setenv(BACKOFF, "10")
    assert environment(tmp_path)[BACKOFF] == "10"


def test_another_environment_s_settings_stay_out(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")
    env = environment(tmp_path)
    assert "PYTHONPATH" not in env
    assert "AWS_ENDPOINT_URL_S3" not in env
    assert env["HOME"] == str(tmp_path / "home")
