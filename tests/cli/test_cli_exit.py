"""Run as the program, the CLI freezes its objects on the way out (shutdown's collection then
walks none of them); called with arguments, as tests and other code do, it freezes nothing."""

import gc
import json
import subprocess
import sys
from pathlib import Path

from syncoxide.cli.main import main

PROBE = """
import atexit, gc, sys
from syncoxide.cli.main import main
atexit.register(lambda: print(gc.get_freeze_count(), file=sys.stderr))
sys.argv = ["syncoxide", *sys.argv[1:]]
sys.exit(main())
"""


def test_the_program_freezes_its_objects_before_shutdown(tmp_path: Path) -> None:
    source, target = tmp_path / "one", tmp_path / "two"
    source.mkdir()
    (source / "a.txt").write_text("alpha")
    run = subprocess.run(
        [sys.executable, "-c", PROBE, "sync", str(source), str(target), "--json",
         "--state-dir", str(tmp_path / "state")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert int(run.stderr.strip().splitlines()[-1]) > 0
    assert json.loads(run.stdout)["exit_code"] == 0  # the output is whole: flushed as before
    assert (target / "a.txt").read_text() == "alpha"


def test_a_call_with_arguments_leaves_the_collector_alone(capsys) -> None:
    assert main(["version"]) == 0
    assert gc.get_freeze_count() == 0
    assert "syncoxide" in capsys.readouterr().out
