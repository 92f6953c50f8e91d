"""The test runners (tests/run-all, tests/run-check) never pass a layer that ran no tests.

pytest exits 5 when it collected nothing: a layer whose marker or folder was lost, or a typo
in ``-k``. The runners here are the real scripts, run in a scratch copy of the project whose
``.venv/bin/python`` is a FAKE stand-in for pytest, ruff, mypy and the client generator (and
``node_modules/.bin/biome`` one for Biome): each layer answers as the test says, in a
fraction of a second, so the runners' own decisions are what is checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import LAYERS, PROJECT_ROOT

pytestmark = pytest.mark.live  # runs the runners: bash and their child processes

# FAKE python: `-m pytest -m LAYER ...` exits 5 (nothing collected) for a layer named in
# $EMPTY_LAYERS, with or without options; for one in $NARROWED_LAYERS only when run (the
# options deselected its tests), not for `--collect-only` (run-all asks that without options).
# Every other command passes.
FAKE_PYTHON = """#!/usr/bin/env bash
[ "$1 $2" = "-m pytest" ] || exit 0
shift 2
layer="" collect=0
while [ $# -gt 0 ]; do
  case $1 in
    -m) layer=$2; shift ;;
    --collect-only) collect=1 ;;
  esac
  shift
done
case " $EMPTY_LAYERS " in *" $layer "*) echo "no tests ran"; exit 5 ;; esac
[ $collect -eq 1 ] && exit 0
case " $NARROWED_LAYERS " in *" $layer "*) echo "1 deselected"; exit 5 ;; esac
echo "1 passed"
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch project: the real runners, FAKE tools."""
    root = tmp_path_factory.mktemp("runner")
    (root / "tests").mkdir()
    for script in ("run-all", "run-check", "steps.sh"):
        shutil.copy2(PROJECT_ROOT / "tests" / script, root / "tests" / script)
    for tool in (root / ".venv" / "bin" / "python", root / "node_modules" / ".bin" / "biome"):
        tool.parent.mkdir(parents=True)
        tool.write_text(FAKE_PYTHON if tool.name == "python" else "#!/bin/sh\nexit 0\n")
        tool.chmod(0o755)
    return root


def run(
    project: Path, runner: str, *options: str, empty: str = "", narrowed: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "EMPTY_LAYERS": empty, "NARROWED_LAYERS": narrowed}
    return subprocess.run(
        ["bash", str(project / "tests" / runner), *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment,
    )


def test_every_layer_with_tests_passes(project: Path) -> None:
    done = run(project, "run-all")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all layers finished" in done.stdout
    for layer in LAYERS:
        assert f"==> {layer}: " in done.stdout, done.stdout  # every layer ran


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_that_collects_nothing_fails_the_run(project: Path, layer: str) -> None:
    done = run(project, "run-all", empty=layer)
    assert done.returncode != 0, done.stdout
    assert "collected no tests" in done.stderr


@pytest.mark.parametrize("layer", LAYERS)
def test_options_that_narrow_nothing_do_not_hide_a_layer_without_tests(
    project: Path, layer: str
) -> None:
    done = run(project, "run-all", "-x", empty=layer)
    assert done.returncode != 0, done.stdout
    assert "collected no tests" in done.stderr


def test_a_layer_the_options_select_none_of_is_skipped(project: Path) -> None:
    done = run(project, "run-all", "-k", "healthz", narrowed="live e2e")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "==> live: the options select none of its tests; skipped" in done.stdout
    assert "==> e2e: the options select none of its tests; skipped" in done.stdout


def test_options_that_select_no_test_anywhere_fail(project: Path) -> None:
    done = run(project, "run-all", "-k", "no-such-test", narrowed=" ".join(LAYERS))
    assert done.returncode != 0, done.stdout
    assert "collected no tests" in done.stderr


def test_the_inner_loop_fails_when_the_unit_layer_collects_nothing(project: Path) -> None:
    assert run(project, "run-check").returncode == 0
    done = run(project, "run-check", "-k", "no-such-test", narrowed="unit")
    assert done.returncode != 0, done.stdout
    assert "collected no tests" in done.stderr
