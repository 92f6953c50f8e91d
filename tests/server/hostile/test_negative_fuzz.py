"""Negative-data fuzzing of every API operation (schemathesis ``--mode negative``).

The OpenAPI document the server generates drives the run: for each operation schemathesis
sends what the schema forbids (wrong types, missing and extra fields, out-of-range numbers,
strings past their limits, undeclared methods, malformed headers) and every answer must be a
clear refusal: no 5xx, no traceback in the answer, none in the server's output, and a refusal
(4xx) leaves the database rows, the data directory's files and the user's storage listing as
they were (fuzz_hooks.py, server_state.py). The run is bounded by examples per operation
and prints how many cases it sent to each operation and how many refusals it compared, so a
shrinking count shows up in the log. tests/server/api/test_api_fuzz.py covers
valid data against the declared answers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import PROJECT_ROOT, LiveServer, account_token, start_live_server

pytestmark = pytest.mark.live  # starts real servers

MAX_EXAMPLES = 20  # per operation and phase
# Coverage cases (each operation's forbidden values, deterministic) come first, then one
# fuzzing pass of MAX_EXAMPLES per operation: 4,267 cases (3,958 distinct requests), 35 s of
# CPU. The suite's run used to add a 90 s budget over which fuzzing repeats, but generation is
# deterministic and a repeat sends the same requests again: a 90 s run sent 5,725 cases, 3,813
# distinct, all but 6 of them among this pass's; on a loaded machine the budget ran out inside
# the first pass (3,775 cases). It was the live layer's slowest test, and sent fewer cases the
# busier the machine. SYNCOXIDE_FUZZ_SECONDS gives a time-bound hunt instead.
HUNT_SECONDS = os.environ.get("SYNCOXIDE_FUZZ_SECONDS")
CHECKS = "not_a_server_error,no_traceback_in_answer,state_unchanged_after_refusal"
HOOKS = "tests.server.hostile.fuzz_hooks"
PLANTED_HOOKS = "tests.server.hostile.fuzz_hooks_planted"


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    scratch = tmp_path_factory.mktemp("negative-fuzz")
    server = start_live_server(scratch / "data")
    token = account_token(server, "fuzz", scratch)
    give_the_account_something_to_lose(server, token)
    yield server, token
    server.stop()


def give_the_account_something_to_lose(server: LiveServer, token: str) -> None:
    """A stored file and folder, a share and a request link, so that the state each refusal
    is compared against holds rows, blobs and a storage listing, not an empty account."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=server.url, headers=headers, timeout=30) as api:
        made = [
            api.put("/api/v1/storage/content?path=kept/notes.txt", content=b"kept bytes"),
            api.post("/api/v1/storage/folders", json={"path": "kept/empty"}),
            api.post("/api/v1/shares", json={"title": "kept share", "max_downloads": 5}),
            api.post("/api/v1/requests", json={"title": "kept request", "max_files": 10}),
        ]
    assert [answer.status_code for answer in made] == [200, 201, 201, 201], made


def run_negative(
    server: LiveServer, token: str, reports: Path, *limits: str, hooks: str = HOOKS
) -> subprocess.CompletedProcess[str]:
    """schemathesis in negative mode over the server's API; ``limits`` are more options."""
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
        *(("--max-time", HUNT_SECONDS) if HUNT_SECONDS else ()),
        "--generation-deterministic",
        "--exclude-operation-id",
        "revoke_token",  # the run's own token must keep working
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(reports / "run.ndjson"),
        *limits,
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=int(HUNT_SECONDS or 0) + 600,
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": hooks,
            "SYNCOXIDE_FUZZ_DATA_DIR": str(server.data_dir),
            "SYNCOXIDE_FUZZ_URL": server.url,
            "SYNCOXIDE_FUZZ_TOKEN": token,
            "SYNCOXIDE_FUZZ_STATE_REPORT": str(reports / "refusals-compared.json"),
        },
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


def refusals_compared(report: Path) -> Counter[str]:
    """Refused requests whose state before and after was compared, per operation."""
    return Counter(json.loads(report.read_text()) if report.exists() else {})


def test_the_state_check_names_what_a_refusal_changed(
    fuzzed_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    """A file planted in the blob store during each request must fail the run, by name."""
    server, token = fuzzed_server
    only_one = (
        "--include-operation-id",
        "list_shares",
        "--phases",
        "coverage",
        "--max-examples",
        "2",
    )
    try:
        result = run_negative(server, token, tmp_path, *only_one, hooks=PLANTED_HOOKS)
    finally:
        for planted in (server.data_dir / "blobs").glob("planted-*"):
            planted.unlink()
    assert result.returncode == 1, result.stdout[-3000:]
    assert "GET /api/v1/shares: refused with 4" in result.stdout, result.stdout[-3000:]
    assert "but changed the server." in result.stdout
    assert re.search(rf"Request: [A-Z]+ {server.url}/api/v1/shares", result.stdout)
    assert "file blobs/planted-" in result.stdout and ": created (24 bytes)" in result.stdout


def test_forbidden_input_gets_a_clear_refusal_from_every_operation(
    fuzzed_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, token = fuzzed_server
    result = run_negative(server, token, tmp_path)
    sent = cases_per_operation(tmp_path / "run.ndjson")
    print(f"\nnegative-data cases per operation ({sum(sent.values())} in all):")
    for label, count in sorted(sent.items(), key=lambda item: item[0].split(" ", 1)[::-1]):
        print(f"  {count:6d}  {label}")
    compared = refusals_compared(tmp_path / "refusals-compared.json")
    print(f"refused requests checked for unchanged state: {compared.total()}")
    assert result.returncode == 0, result.stdout[-6000:]
    assert "Authentication failed" not in result.stdout, "the fuzzer ran signed out"
    assert len(sent) >= 80, f"only {len(sent)} operations were reached"
    assert len(compared) >= 80, f"refusals compared on only {len(compared)} operations"
    _, output = server.stop()
    assert "Traceback" not in output, output[-4000:]
