"""Longest test groups first: the order pytest-xdist hands out ``--dist loadgroup`` groups.

xdist orders groups by their number of tests, most first. The longest groups of the live
layer hold one or two tests (the two schemathesis runs, 80 and 90 s), so they came last: one
worker ran them alone while the other had finished. Measured on a loaded two-core machine
(layer of 982 tests): the last groups of one worker ended minutes after the other's.

Here every worker sorts its collection by the group's expected seconds (the sum of its tests'
times recorded in ``group_seconds.json``; a module not recorded counts ``UNRECORDED_SECONDS``
per test), longest first, keeping a group's own order, and xdist is told to keep that order.
This is the longest-processing-time-first rule: the short groups at the end fill the gaps.
A stale table only makes the order less good, never a test fail or be skipped;
``python -m tests.scheduling JUNIT.xml`` records it again from a run's JUnit report.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

import pytest

TABLE = Path(__file__).with_name("group_seconds.json")
UNRECORDED_SECONDS = 0.5  # about the median of a live test


def _group_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker and marker.args else item.nodeid.split("::")[0]


def _sorting_groups(config: pytest.Config) -> bool:
    # An xdist worker sees ``dist`` as "no" and ``loadgroup`` set when the run hands out groups.
    dist = config.getoption("dist", default="no")
    return dist == "loadgroup" or bool(getattr(config.option, "loadgroup", False))


def pytest_configure(config: pytest.Config) -> None:
    if _sorting_groups(config) and hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # keep the order sorted below


@pytest.hookimpl(trylast=True)  # after tests/conftest.py gave every test its group
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _sorting_groups(config):
        return
    recorded: dict[str, float] = json.loads(TABLE.read_text()) if TABLE.exists() else {}
    per_module: dict[str, int] = defaultdict(int)
    for item in items:
        per_module[item.nodeid.split("::")[0]] += 1
    seconds: dict[str, float] = defaultdict(float)
    for item in items:
        module = item.nodeid.split("::")[0]
        known = recorded.get(module)
        share = known / per_module[module] if known is not None else UNRECORDED_SECONDS
        seconds[_group_of(item)] += share
    # Stable: a group's tests keep their order; equal groups keep the collection's order.
    items.sort(key=lambda item: -seconds[_group_of(item)])


def record(junit: Path) -> dict[str, float]:
    """Seconds per test module (setup, call and teardown) from a JUnit XML report."""
    totals: dict[str, float] = defaultdict(float)
    for case in ElementTree.parse(junit).iter("testcase"):
        totals[_module_path(case.get("classname", ""))] += float(case.get("time", "0"))
    return {path: round(total, 1) for path, total in sorted(totals.items())}


def _module_path(classname: str) -> str:
    """`tests.server.test_x` (or `...test_x.TestClass`) as `tests/server/test_x.py`."""
    parts = classname.split(".")
    root = TABLE.parent.parent
    for end in range(len(parts), 0, -1):
        candidate = Path(*parts[:end]).with_suffix(".py")
        if (root / candidate).exists():
            return candidate.as_posix()
    return classname


if __name__ == "__main__":
    recorded = record(Path(sys.argv[1]))
    TABLE.write_text(json.dumps(recorded, indent=0) + "\n")
    print(f"{len(recorded)} modules, {sum(recorded.values()):.0f} s, written to {TABLE}")
