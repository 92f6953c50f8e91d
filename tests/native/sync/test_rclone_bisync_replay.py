"""rclone's own bisync scenarios, replayed against syncoxide: a standing test (issue 26).

Each scenario must lose no content and never crash; how its final tree compares with rclone's
(pass, differs and why, skipped and why) is printed, not asserted: our conflict names and a
few policies differ on purpose. ``python -m tests.native.sync.rclone_replay`` prints the table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.native.sync.rclone_replay import (
    ENV,
    MisplacedTestdata,
    Replay,
    find_testdata,
    missing_reason,
    scenarios,
)

PROJECT = Path(__file__).resolve().parents[3]
try:
    DATA, MISPLACED = find_testdata(PROJECT), ""
except MisplacedTestdata as error:
    DATA, MISPLACED = None, str(error)
SCENARIOS = scenarios(DATA) if DATA is not None else []

needs_data = pytest.mark.skipif(DATA is None, reason=MISPLACED or missing_reason(PROJECT))


def test_a_data_folder_named_in_the_environment_exists() -> None:
    # A wrong path in the environment is a setup mistake: fail, do not skip in silence.
    assert not MISPLACED, MISPLACED


@needs_data
@pytest.mark.parametrize("scenario", SCENARIOS or [None], ids=lambda s: s.name if s else "none")
def test_rclone_scenario_loses_nothing_and_never_crashes(scenario: Path, tmp_path: Path) -> None:
    result = Replay(scenario, tmp_path).run()
    print(result.row())
    if result.verdict == "skipped":
        pytest.skip(result.reasons[0])
    assert not result.violations, result.row()
    assert result.runs > 0


@needs_data
def test_the_replay_covers_rclone_scenarios() -> None:
    assert len(SCENARIOS) >= 20  # rclone's head holds 28: a missing folder would hide them
    runnable = [s for s in SCENARIOS if Replay(s, Path("/nonexistent"))._supported()]
    assert len(runnable) >= 14


def test_a_fresh_clone_without_the_data_skips_with_its_reason_and_exits_0(tmp_path: Path) -> None:
    """What CI sees: the project alone in a temporary folder, no shared/ above it, no variable.

    pytest must say why the layer is skipped, and exit 0: the test command treats exit 5
    (nothing collected) as a failure."""
    clone = tmp_path / "clone"
    for part in ("tests/__init__.py", "tests/native/__init__.py", "tests/native/sync/__init__.py"):
        (clone / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT / part, clone / part)
    for name in ("rclone_replay.py", "test_rclone_bisync_replay.py"):
        shutil.copy(Path(__file__).with_name(name), clone / "tests/native/sync" / name)
    env = {key: value for key, value in os.environ.items() if key != ENV}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-ra", "-q"]
    command += ["-k", "not fresh_clone", "tests/native/sync/test_rclone_bisync_replay.py"]
    done = subprocess.run(
        [*command, "-o", "addopts=", "--rootdir", str(clone)],
        cwd=clone,
        env={**env, "PYTHONPATH": str(clone)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 2 skipped" in done.stdout, done.stdout
    assert missing_reason(clone) in " ".join(done.stdout.split()), done.stdout
