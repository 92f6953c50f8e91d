"""Longest test groups first: the order pytest-xdist hands out ``--dist loadgroup`` groups
and ``--dist loadfile`` modules.

xdist orders groups (and modules) by their number of tests, most first. The longest groups
of the live layer hold one or two tests (the two schemathesis runs, 80 and 90 s), so they
came last: one worker ran them alone while the other had finished. Measured on a loaded
two-core machine (layer of 982 tests): the last groups of one worker ended minutes after the
other's. The e2e layer (``--dist loadfile``) had the same tail: its longest module, the
512 MiB transfer (one test, 80 s of a loaded run), came 20th of 22 on its worker, which
ended 47 s after the other.

Here every worker sorts its collection by the group's expected seconds (the sum of its tests'
times recorded in ``group_seconds.json``; a module not recorded counts ``UNRECORDED_SECONDS``
per test), longest first, keeping a group's own order, and xdist is told to keep that order.
This is the longest-processing-time-first rule: the short groups at the end fill the gaps.
A stale table only makes the order less good, never a test fail or be skipped;
``python -m tests.scheduling JUNIT.xml...`` records again the modules of runs' JUnit reports
(one layer's run at a time; the other modules' figures are kept).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path
from typing import Protocol

import pytest

TABLE = Path(__file__).with_name("group_seconds.json")
UNRECORDED_SECONDS = 0.5  # about the median of a live test


SORTED_DISTS = ("loadgroup", "loadfile")
_WORKER_DIST = "syncoxide_dist"  # the run's --dist, in each worker's workerinput


class _WorkerNode(Protocol):  # what the hook reads of pytest-xdist's WorkerController
    config: pytest.Config
    workerinput: dict[str, object]


def _module_of(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


def _group_of(item: pytest.Item, dist: str) -> str:
    marker = item.get_closest_marker("xdist_group")
    if dist == "loadgroup" and marker and marker.args:
        return str(marker.args[0])
    return _module_of(item)


def _sorted_dist(config: pytest.Config) -> str:
    """The run's ``--dist`` if it hands out groups or modules, else "". An xdist worker sees
    ``dist`` as "no": the controller passes the run's own in its workerinput."""
    workerinput: dict[str, object] = getattr(config, "workerinput", {})
    dist = str(workerinput.get(_WORKER_DIST) or config.getoption("dist", default="no"))
    return dist if dist in SORTED_DISTS else ""


def pytest_configure(config: pytest.Config) -> None:
    if _sorted_dist(config) and hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # keep the order sorted below


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook, called on the controller
def pytest_configure_node(node: _WorkerNode) -> None:
    node.workerinput[_WORKER_DIST] = node.config.getoption("dist")


@pytest.hookimpl(trylast=True)  # after tests/conftest.py gave every test its group
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    dist = _sorted_dist(config)
    if not dist:
        return
    recorded: dict[str, float] = json.loads(TABLE.read_text()) if TABLE.exists() else {}
    per_module: dict[str, int] = defaultdict(int)
    for item in items:
        per_module[_module_of(item)] += 1
    seconds: dict[str, float] = defaultdict(float)
    for item in items:
        module = _module_of(item)
        known = recorded.get(module)
        share = known / per_module[module] if known is not None else UNRECORDED_SECONDS
        seconds[_group_of(item, dist)] += share
    # Stable: a group's tests keep their order; equal groups keep the collection's order.
    items.sort(key=lambda item: -seconds[_group_of(item, dist)])


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
    recorded = {}
    for report in sys.argv[1:]:
        recorded.update(record(Path(report)))
    kept: dict[str, float] = json.loads(TABLE.read_text()) if TABLE.exists() else {}
    table = dict(sorted({**kept, **recorded}.items()))
    TABLE.write_text(json.dumps(table, indent=0) + "\n")
    print(f"{len(recorded)} modules recorded, {sum(recorded.values()):.0f} s, in {TABLE}")
