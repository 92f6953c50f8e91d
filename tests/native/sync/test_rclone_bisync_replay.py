"""rclone's own bisync scenarios, replayed against syncoxide: a standing test (issue 26).

Each scenario must lose no content and never crash; how its final tree compares with rclone's
(pass, differs and why, skipped and why) is printed, not asserted: our conflict names and a
few policies differ on purpose. ``python -m tests.native.sync.rclone_replay`` prints the table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.native.sync.rclone_replay import ENV, Replay, find_testdata, scenarios

PROJECT = Path(__file__).resolve().parents[3]
DATA = find_testdata(PROJECT)
SCENARIOS = scenarios(DATA) if DATA is not None else []

pytestmark = pytest.mark.skipif(
    DATA is None,
    reason=f"rclone's bisync test data is not beside the project (shared/rclone-bisync-"
    f"testdata in a parent folder) and {ENV} is not set",
)


@pytest.mark.parametrize("scenario", SCENARIOS or [None], ids=lambda s: s.name if s else "none")
def test_rclone_scenario_loses_nothing_and_never_crashes(scenario: Path, tmp_path: Path) -> None:
    result = Replay(scenario, tmp_path).run()
    print(result.row())
    if result.verdict == "skipped":
        pytest.skip(result.reasons[0])
    assert not result.violations, result.row()
    assert result.runs > 0


def test_the_replay_covers_rclone_scenarios() -> None:
    assert len(SCENARIOS) >= 20  # rclone's head holds 28: a missing folder would hide them
    runnable = [s for s in SCENARIOS if Replay(s, Path("/nonexistent"))._supported()]
    assert len(runnable) >= 14
