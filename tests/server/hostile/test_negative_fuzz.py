"""Negative-data fuzzing of every API operation (schemathesis ``--mode negative``).

The OpenAPI document the server generates drives the run: for each operation schemathesis
sends what the schema forbids (wrong types, missing and extra fields, out-of-range numbers,
strings past their limits, undeclared methods, malformed headers) and every answer must be a
clear refusal: no 5xx, no traceback in the answer, none in the server's output. The run is
bounded (examples per operation and a time budget) and prints how many cases it sent to each
operation, so a shrinking count shows up in the log. tests/server/api/test_api_fuzz.py covers
valid data against the declared answers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, LiveServer, account_token, start_live_server

pytestmark = pytest.mark.live  # starts real servers

MAX_EXAMPLES = 20  # per operation and phase
TIME_BUDGET_SECONDS = 150  # coverage cases come first; fuzzing repeats until it is spent
CHECKS = "not_a_server_error,no_traceback_in_answer"
HOOKS = "tests.server.hostile.fuzz_hooks"


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    scratch = tmp_path_factory.mktemp("negative-fuzz")
    server = start_live_server(scratch / "data")
    yield server, account_token(server, "fuzz", scratch)
    server.stop()


def run_negative(server: LiveServer, token: str, reports: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert tool, "pip install schemathesis"
    command = [
        tool,
        "run",
        f"{server.url}/api/v1/openapi.json",
        "--mode",
        "negative",
        "--phases",
        "coverage,fuzzing",
        "--checks",
        CHECKS,
        "-H",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(TIME_BUDGET_SECONDS),
        "--generation-deterministic",
        "--exclude-operation-id",
        "revoke_token",  # the run's own token must keep working
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(reports / "run.ndjson"),
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TIME_BUDGET_SECONDS + 300,
        cwd=PROJECT_ROOT,
        env={**os.environ, "SCHEMATHESIS_HOOKS": HOOKS},
    )


def cases_per_operation(report: Path) -> Counter[str]:
    """Cases sent per operation ("METHOD /path"), from the run's NDJSON events."""
    sent: Counter[str] = Counter()
    with report.open() as events:
        for line in events:
            finished = json.loads(line).get("ScenarioFinished")
            if finished and finished["status"] != "skip":
                recorder = finished["recorder"]
                sent[recorder["label"]] += len(recorder["cases"])
    return sent


def test_forbidden_input_gets_a_clear_refusal_from_every_operation(
    fuzzed_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, token = fuzzed_server
    result = run_negative(server, token, tmp_path)
    sent = cases_per_operation(tmp_path / "run.ndjson")
    print(f"\nnegative-data cases per operation ({sum(sent.values())} in all):")
    for label, count in sorted(sent.items(), key=lambda item: item[0].split(" ", 1)[::-1]):
        print(f"  {count:6d}  {label}")
    assert result.returncode == 0, result.stdout[-6000:]
    assert "Authentication failed" not in result.stdout, "the fuzzer ran signed out"
    assert len(sent) >= 80, f"only {len(sent)} operations were reached"
    _, output = server.stop()
    assert "Traceback" not in output, output[-4000:]
