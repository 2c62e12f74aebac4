"""The examples of README.md and docs/**/*.md run as written, against the local stack.

Every ```sh and ```python block of those files is an example a reader runs from the project's
root after ``make up``: the README's tour, and each board's page under docs/usage/ (every page
starts with the README's helpers, so that it runs on its own). Here each one runs, in the order
of the page, against the session's stack: the sh blocks of a page as in one terminal (each
block a script with ``set -euo pipefail``; the variables and functions a block defines carry
over to the next), the python blocks with the project's interpreter. The examples read the
stack from ``local-outputs.json``, as a reader's do: the runner writes the session stack's
outputs there, in a scratch copy of the project root (``scripts`` copied, ``.venv``, ``layers``
and ``docs`` linked) so that the files the examples write stay out of the repository.
LocalStack's default endpoint ``http://127.0.0.1:4566`` is replaced by the session's, and
nothing of the caller's AWS configuration is passed on (``HOME`` is the scratch folder), so an
example that needs credentials or a region must set them itself.

Before the first block of each page the demo data is reset (``scripts/local.py reset``): a
page expects a fresh ``make up`` (a natural person not yet registered, no lottery draw today),
whatever the pages before it did. After the last one it is reset again, so that what the
examples leave (a paper invoice batch, a registered person, …) does not meet the modules that
run after this one.

Every ``curl`` of an example fails the block on an HTTP status of 400 or more, unless the line
starts with ``curl`` and its comment begins with the status it expects (``curl … # 409 while
the period is open``): then any other status fails it.

A block that must not run here (``make up``, a deploy to a real account, Docker) is marked
with ``<!-- example: skip (the reason) -->`` on the line before its fence; the reason is
required.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
USAGE = ROOT / "docs" / "usage"
# One usage page per board of infra/ (the plan's names; docs/architecture.md lists them).
BOARD_PAGES = ("platform", "acceptance", "filing", "refunds", "supply", "invoices",
               "verification", "lottery", "calculators", "notifications", "consult",
               "crowd", "knowledge", "search", "outreach", "violators", "complaints",
               "credit", "feedback", "analytics", "sharing", "open-data", "office", "ideas",
               "school", "apps")
RUNNABLE = frozenset({"sh", "python"})
DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w+-]*)\s*$")
SKIP = re.compile(r"^\s*<!--\s*example:\s*skip\b\s*(?:\((?P<reason>.*)\))?\s*-->\s*$")
PLACEHOLDER = re.compile(r"<[A-Za-z_][^<>\n]*>")
EXPECTED_STATUS = re.compile(r"^(?P<command>\s*curl\s.*?)\s#\s*(?P<status>[1-5]\d\d)\b")
HEREDOC = re.compile(r"<<-?\s*'?(?P<tag>\w+)'?\n.*?\n(?P=tag)\n", re.DOTALL)
BLOCK_TIMEOUT_SECONDS = 300

# What every sh block runs in: strict mode, the previous blocks' variables and functions, and a
# curl that fails on an HTTP error (or on any status but the one the line's comment names).
PRELUDE = r"""set -euo pipefail
set -a
source "$EXAMPLE_STATE"
curl() {
  local headers body status args="$*"
  headers=$(mktemp) body=$(mktemp)
  if ! command curl -D "$headers" "$@" > "$body"; then
    echo "example: curl failed: curl ${args:0:300}" >&2; head -c 2000 "$body" >&2; return 1
  fi
  status=$(awk 'toupper($1) ~ /^HTTP\// { s = $2 } END { print s }' "$headers")
  cat "$body"
  if [ -n "${EXAMPLE_EXPECT_STATUS:-}" ]; then
    if [ "$status" != "$EXAMPLE_EXPECT_STATUS" ]; then
      echo "example: expected HTTP $EXAMPLE_EXPECT_STATUS, got ${status:-none}:" \
        "curl ${args:0:300}" >&2
      head -c 2000 "$body" >&2; echo >&2; return 1
    fi
  elif [ "${status:-0}" -ge 400 ]; then
    echo "example: HTTP $status: curl ${args:0:300}" >&2; head -c 2000 "$body" >&2; echo >&2
    return 1
  fi
}
"""
# After a block: what it defined, for the next block of the page.
EPILOGUE = r"""
{ export -p; declare -f; } > "$EXAMPLE_STATE"
"""


@dataclass(frozen=True)
class Block:
    """One fenced example: where it is, its language, its text, and why it is skipped."""

    page: Path
    line: int
    lang: str
    code: str
    skip: str | None  # None: runs; "": marked skip without a reason; else the reason

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks_of(page: Path) -> list[Block]:
    """The fenced blocks of ``page`` (any language), with the skip mark before each."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None or not opening["lang"]:
            index += 1
            continue
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index])
            index += 1
        index += 1
        previous = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        mark = SKIP.match(previous)
        skip = None if mark is None else (mark["reason"] or "").strip()
        found.append(Block(page, start + 1, opening["lang"], "\n".join(body) + "\n", skip))
    return found


def examples() -> list[Block]:
    return [block for page in PAGES for block in blocks_of(page) if block.lang in RUNNABLE]


def runnable() -> list[Block]:
    return [block for block in examples() if block.skip is None]


# --- the pages themselves (no stack needed) ------------------------------------------------------

def test_the_examples_are_found() -> None:
    readme = [block for block in runnable() if block.page.name == "README.md"]
    assert len(readme) >= 2, [block.id for block in examples()]  # the helpers, the tour
    assert any(block.lang == "sh" and block.skip for block in examples())
    assert sorted(page.stem for page in USAGE.glob("*.md")) == sorted(BOARD_PAGES)
    for name in BOARD_PAGES:
        page = [block for block in runnable() if block.page == USAGE / f"{name}.md"]
        assert len(page) >= 2, f"docs/usage/{name}.md: the helpers and an example at least"


def test_every_usage_page_starts_with_the_readmes_helpers() -> None:
    """A usage page runs on its own after ``make up``: its first block is the README's first."""
    helpers = runnable()[0]
    assert helpers.page.name == "README.md"
    assert "API=$(out ApiUrl)" in helpers.code
    for name in BOARD_PAGES:
        first = next(block for block in runnable() if block.page == USAGE / f"{name}.md")
        assert first.code == helpers.code, f"docs/usage/{name}.md: start with the README's helpers"


def test_every_skipped_example_says_why() -> None:
    unexplained = [block.id for block in examples() if block.skip == ""]
    assert not unexplained, "mark with <!-- example: skip (the reason) -->: " + ", ".join(
        unexplained)


def test_the_examples_have_no_placeholders_to_fill_in() -> None:
    """A reader can paste a block as it is: ids come from earlier commands' output."""
    left = {block.id: PLACEHOLDER.findall(HEREDOC.sub("", block.code)) for block in runnable()}
    assert not {k: v for k, v in left.items() if v}


def test_the_examples_use_nothing_a_machine_may_lack() -> None:
    assert not [block.id for block in examples() if "uuidgen" in block.code]


def curl_commands(code: str) -> Iterator[list[str]]:
    """Each ``curl`` command of a shell block, as its words."""
    lexer = shlex.shlex(HEREDOC.sub("\n", code), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    command: list[str] | None = None
    for word in lexer:
        if word == "curl":
            if command:
                yield command
            command = [word]
        elif command is not None and set(word) <= set("();<>|&"):
            yield command
            command = None
        elif command is not None:
            command.append(word)
    if command:
        yield command


def test_every_example_that_sends_json_says_so() -> None:
    """``-d`` with ``Content-Type: application/json``: the API's contract, whatever it accepts."""
    missing = []
    for block in runnable():
        if block.lang != "sh":
            continue
        for words in curl_commands(block.code):
            sends = any(w in ("-d", "--data", "--data-raw", "--data-binary") for w in words)
            headers = [words[i + 1].lower() for i, w in enumerate(words[:-1]) if w == "-H"]
            if sends and "content-type: application/json" not in headers:
                missing.append(f"{block.id}: {' '.join(words)[:120]}")
    assert not missing


def test_the_command_parser_sees_the_body_and_its_header() -> None:
    code = ("X=$(curl -s -X POST $API/a -H 'Content-Type: application/json' \\\n"
            "  -d '{\"a\":\n 1}' | field token)\ncurl -s $API/b -d x   # 201\n")
    commands = list(curl_commands(code))
    assert len(commands) == 2
    assert "content-type: application/json" in [w.lower() for w in commands[0]]
    assert "-d" in commands[1]
    assert "content-type: application/json" not in [w.lower() for w in commands[1]]


def test_a_curl_line_may_name_the_status_it_expects() -> None:
    assert expect_statuses("curl -s $API/x   # 409 while open\n") == (
        "EXAMPLE_EXPECT_STATUS=409 curl -s $API/x   # 409 while open\n")
    assert expect_statuses("curl -s $API/x   # the 5 checks\n") == (
        "curl -s $API/x   # the 5 checks\n")


# --- running them --------------------------------------------------------------------------------

def expect_statuses(code: str) -> str:
    """Prefix a ``curl`` line whose comment begins with a status with that expectation."""
    out = []
    for line in code.splitlines(keepends=True):
        match = EXPECTED_STATUS.match(line)
        if match:
            indent = len(line) - len(line.lstrip())
            line = f"{line[:indent]}EXAMPLE_EXPECT_STATUS={match['status']} {line[indent:]}"
        out.append(line)
    return "".join(out)


@dataclass
class Workspace:
    """A scratch project root for the examples, and the stack they run against."""

    root: Path
    endpoint: str
    env: dict[str, str]
    states: dict[Path, Path]
    pages: list[Path] = field(default_factory=list)  # the pages begun, in order

    def state_of(self, page: Path) -> Path:
        """The file carrying one page's shell variables and functions from block to block."""
        if page not in self.states:
            path = self.root / f".example-state-{len(self.states)}.sh"
            path.write_text("")
            self.states[page] = path
        return self.states[page]

    def run(self, block: Block) -> subprocess.CompletedProcess[str]:
        if block.page not in self.pages:
            if self.pages:  # a page after the first (reset by the fixture): from the demo data
                reset = local_py(self.root, self.env, "reset")
                assert reset.returncode == 0, reset.stdout + reset.stderr
            self.pages.append(block.page)
        code = block.code.replace(DEFAULT_ENDPOINT, self.endpoint)
        if block.lang == "python":
            script = self.root / ".example.py"
            script.write_text(code, encoding="utf-8")
            command = [str(self.root / ".venv" / "bin" / "python"), str(script)]
            env = self.env
        else:
            script = self.root / ".example.sh"
            script.write_text(PRELUDE + expect_statuses(code) + EPILOGUE, encoding="utf-8")
            command = ["bash", str(script)]
            env = {**self.env, "EXAMPLE_STATE": str(self.state_of(block.page))}
        return subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True,
                              encoding="utf-8", errors="replace",
                              timeout=BLOCK_TIMEOUT_SECONDS, check=False)


def scratch_root(stack: dict[str, Any], root: Path) -> tuple[Path, dict[str, str]]:
    """A scratch project root for the stack, and the environment the examples run in."""
    shutil.copytree(ROOT / "scripts", root / "scripts",
                    ignore=shutil.ignore_patterns("__pycache__", "localstack_plugin"))
    for name in (".venv", "layers", "docs"):
        (root / name).symlink_to(ROOT / name)
    (root / "local-outputs.json").write_text(json.dumps(stack, ensure_ascii=False, indent=2))
    (root / "home").mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "PYTEST", "PYTHON", "VIRTUAL_ENV"))}
    env.update({"HOME": str(root / "home"), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
    return root, env


def local_py(root: Path, env: dict[str, str], *args: str,
             timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(root / "scripts" / "local.py"), *args], cwd=root,
                          env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def workspace(stack: dict[str, Any],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The examples start from the demo data alone; after them the stack is reset again, so
    that the modules after this one find it as they would when run alone."""
    root, env = scratch_root(stack, tmp_path_factory.mktemp("examples"))
    reset = local_py(root, env, "reset")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    yield Workspace(root, str(stack["Endpoint"]), env, {})
    reset = local_py(root, env, "reset")
    assert reset.returncode == 0, reset.stdout + reset.stderr


def test_reset_empties_every_table_and_queue_and_seeds_again(
        stack: dict[str, Any], aws: Any, tmp_path: Path) -> None:
    """``make reset``: what was there is gone (counters included), the demo data is back."""
    root, env = scratch_root(stack, tmp_path)
    dynamodb, sqs = aws("dynamodb"), aws("sqs")
    planted = {}
    for table in dynamodb.list_tables()["TableNames"]:
        description = dynamodb.describe_table(TableName=table)["Table"]
        if not table.startswith(f"{stack['StackName']}-") or description.get(
                "StreamSpecification", {}).get("StreamEnabled"):
            continue  # a stream would hand the marker to the app's functions
        types = {a["AttributeName"]: a["AttributeType"]
                 for a in description["AttributeDefinitions"]}
        key = {k["AttributeName"]: ({"S": "reset-marker"} if types[k["AttributeName"]] == "S"
                                    else {"N": "7"}) for k in description["KeySchema"]}
        dynamodb.put_item(TableName=table, Item=key)
        planted[table] = key
    assert len(planted) >= 5
    sqs.send_message(QueueUrl=stack["RegistrationFeedDeadLetterQueueUrl"], MessageBody="{}")

    done = local_py(root, env, "reset")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "emptied" in done.stdout
    left = [t for t, key in planted.items() if "Item" in dynamodb.get_item(TableName=t, Key=key)]
    assert not left
    waiting = sqs.get_queue_attributes(QueueUrl=stack["RegistrationFeedDeadLetterQueueUrl"],
                                       AttributeNames=["ApproximateNumberOfMessages"])
    assert waiting["Attributes"]["ApproximateNumberOfMessages"] == "0"
    seller = dynamodb.get_item(TableName=stack["RegistryTableName"],
                               Key={"credit_code": {"S": "91350100M000100Y43"}})
    assert "Item" in seller
    outputs = json.loads((root / "local-outputs.json").read_text())
    campaign = outputs["DemoLotteryCampaign"]
    assert campaign.startswith("fujian-demo-")
    page = subprocess.run(["curl", "-sf", f"{stack['ApiUrl']}/v1/lottery/campaigns/{campaign}"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert page.returncode == 0, page.stderr


def test_logs_prints_a_functions_output(stack: dict[str, Any], tmp_path: Path) -> None:
    root, env = scratch_root(stack, tmp_path)
    called = subprocess.run(["curl", "-sf", f"{stack['ApiUrl']}/v1/registration/verify/9135"
                             "0100M000100Y43"], capture_output=True, timeout=60, check=False)
    assert called.returncode == 0
    for _ in range(30):
        done = local_py(root, env, "logs", "acceptance_registration", "--since", "5", timeout=60)
        assert done.returncode == 0, done.stderr
        if "START RequestId" in done.stdout and "REPORT RequestId" in done.stdout:
            break
        time.sleep(1)
    else:
        raise AssertionError(f"no log events of the registration function:\n{done.stdout}")
    assert done.stdout.startswith("# acceptance_registration: ")
    unknown = local_py(root, env, "logs", "no_such_function", timeout=60)
    assert unknown.returncode != 0
    assert "no function 'no_such_function'; the functions are:" in unknown.stderr
    assert "acceptance_feed" in unknown.stderr


@pytest.mark.parametrize("block", runnable(), ids=lambda block: block.id)
def test_the_example_runs(block: Block, workspace: Workspace) -> None:
    done = workspace.run(block)
    assert done.returncode == 0, (
        f"{block.id} ({block.lang}) exited {done.returncode}\n--- stdout\n"
        f"{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}")
