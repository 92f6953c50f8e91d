"""``syncoxide backup ...`` as a user runs it, against real borg; plain borg reads the result."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.native.backup.conftest import PASSPHRASE, make_tree, read_tree

pytestmark = pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BORG_BASE_DIR", str(tmp_path / "borg-base"))
    monkeypatch.delenv("BORG_PASSPHRASE", raising=False)
    (tmp_path / "pass").write_text(PASSPHRASE + "\n")
    make_tree(tmp_path / "Documents", files=30)
    return tmp_path


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("backup", *args, "--passphrase-file", str(home / "pass"))


def plain_borg(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BORG_PASSPHRASE": PASSPHRASE}
    return subprocess.run(
        ["borg", *args], env=env, capture_output=True, text=True, cwd=cwd, check=False
    )


def test_init_create_list_restore_and_plain_borg_agrees(home: Path) -> None:
    repo = str(home / "repo")
    made = cli(home, "init", repo)
    assert made.returncode == 0, made.stderr
    assert plain_borg(home, "list", repo).returncode == 0  # same passphrase opens it
    first = cli(home, "create", repo, str(home / "Documents"), "--json")
    assert first.returncode == 0, first.stderr
    stats = json.loads(first.stdout)
    assert stats["archive"].startswith("Documents-") and stats["files"] == 30
    listed = cli(home, "list", repo, "--json")
    assert [a["name"] for a in json.loads(listed.stdout)["archives"]] == [stats["archive"]]
    archive = f"{repo}::{stats['archive']}"
    contents = cli(home, "list", archive)
    assert contents.returncode == 0 and "f0.bin" in contents.stdout
    restored = cli(home, "restore", archive, "--to", str(home / "out"))
    assert restored.returncode == 0, restored.stderr
    original = read_tree(home / "Documents")
    inside = home / "out" / str(home / "Documents").lstrip("/")
    assert read_tree(inside) == original
    plain_out = home / "plain-out"
    plain_out.mkdir()
    assert plain_borg(home, "extract", archive, cwd=plain_out).returncode == 0
    assert read_tree(plain_out / str(home / "Documents").lstrip("/")) == original


def test_restore_refuses_to_overwrite_and_names_bad_input(home: Path) -> None:
    repo = str(home / "repo")
    assert cli(home, "init", repo).returncode == 0
    created = cli(home, "create", repo, str(home / "Documents"), "--prefix", "docs", "--json")
    archive = f"{repo}::{json.loads(created.stdout)['archive']}"
    occupied = home / "occupied"
    occupied.mkdir()
    (occupied / "mine.txt").write_text("keep me")
    refused = cli(home, "restore", archive, "--to", str(occupied))
    assert refused.returncode == 2 and "not empty" in refused.stderr
    assert [p.name for p in occupied.iterdir()] == ["mine.txt"]
    no_archive = cli(home, "restore", repo, "--to", str(home / "x"))
    assert no_archive.returncode == 2 and "names no archive" in no_archive.stderr
    missing = cli(home, "create", repo, str(home / "nothing-here"))
    assert missing.returncode == 2 and "Nothing at" in missing.stderr


def test_wrong_passphrase_and_missing_repository_are_clear(home: Path) -> None:
    repo = str(home / "repo")
    assert cli(home, "init", repo).returncode == 0
    (home / "wrong").write_text("nope\n")
    wrong = run_cli("backup", "list", repo, "--passphrase-file", str(home / "wrong"))
    assert wrong.returncode == 1
    assert "passphrase does not open" in wrong.stderr
    missing = cli(home, "list", str(home / "no-repo"))
    assert missing.returncode == 1 and "backup init" in missing.stderr


def test_prune_and_check(home: Path) -> None:
    repo = str(home / "repo")
    assert cli(home, "init", repo).returncode == 0
    for name in ("docs-a", "docs-b", "other-a"):
        assert cli(home, "create", f"{repo}::{name}", str(home / "Documents")).returncode == 0
    dry = cli(home, "prune", repo, "--prefix", "docs", "--keep-secondly", "1", "--dry-run")
    assert dry.returncode == 0 and "keep" in dry.stdout
    pruned = cli(home, "prune", repo, "--prefix", "docs", "--keep-secondly", "1")
    assert pruned.returncode == 0, pruned.stderr
    names = [a["name"] for a in json.loads(cli(home, "list", repo, "--json").stdout)["archives"]]
    assert sorted(names) == ["docs-b", "other-a"]
    nothing = cli(home, "prune", repo)
    assert nothing.returncode == 2 and "at least one rule" in nothing.stderr
    checked = cli(home, "check", repo)
    assert checked.returncode == 0 and "no problems" in checked.stdout


def test_schedule_writes_a_timer_whose_command_backs_up(home: Path) -> None:
    repo = str(home / "repo")
    assert cli(home, "init", repo).returncode == 0
    units = home / "units"
    made = cli(home, "schedule", repo, str(home / "Documents"), "--every", "daily at 02:30",
               "--keep-daily", "7", "--unit-dir", str(units))  # fmt: skip
    assert made.returncode == 0, made.stderr
    timer = (units / "syncoxide-backup-Documents.timer").read_text()
    assert "OnCalendar=*-*-* 02:30:00" in timer and "Persistent=true" in timer
    service = (units / "syncoxide-backup-Documents.service").read_text()
    exec_line = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    ran = subprocess.run(shlex.split(exec_line.removeprefix("ExecStart=")), capture_output=True,
                         text=True, check=False)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    names = [a["name"] for a in json.loads(cli(home, "list", repo, "--json").stdout)["archives"]]
    assert len(names) == 1 and names[0].startswith("Documents-")
    cron = cli(home, "schedule", repo, str(home / "Documents"), "--every", "every 6h", "--cron")
    assert cron.stdout.startswith("0 */6 * * * ") and "backup create" in cron.stdout
    bad = cli(home, "schedule", repo, str(home / "Documents"), "--every", "sometimes")
    assert bad.returncode == 2 and "not a schedule" in bad.stderr


# `backup create` with no terminal to draw progress on (a timer, a script) runs borg without
# asyncio; its failures must read exactly as they did on the asyncio path.
PROBE = """
import json, sys
from syncoxide.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print(json.dumps({"asyncio": "asyncio" in sys.modules, "code": code}), file=sys.stderr)
"""


def test_a_backup_nobody_watches_never_loads_asyncio(home: Path) -> None:
    repo = str(home / "repo")
    assert cli(home, "init", repo).returncode == 0
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, "backup", "create", repo, str(home / "Documents"),
         "--json", "--passphrase-file", str(home / "pass")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert json.loads(probe.stderr.strip().splitlines()[-1]) == {"asyncio": False, "code": 0}
    assert json.loads(probe.stdout)["files"] == 30


def test_a_wrong_passphrase_says_so_as_before(home: Path) -> None:
    repo = str(home / "repo")
    assert cli(home, "init", repo).returncode == 0
    (home / "wrong").write_text("nope\n")
    wrong = run_cli(
        "backup", "create", repo, str(home / "Documents"), "--passphrase-file", home / "wrong"
    )
    assert wrong.returncode == 1
    assert "The passphrase does not open this repository." in wrong.stderr
    assert "Nothing was changed. Check the passphrase" in wrong.stderr
    assert "nope" not in wrong.stderr


def test_a_locked_repository_says_so_as_before(home: Path) -> None:
    repo = str(home / "repo")
    assert cli(home, "init", repo).returncode == 0
    env = {**os.environ, "BORG_PASSPHRASE": PASSPHRASE}
    holder = subprocess.Popen(["borg", "with-lock", repo, "sleep", "60"], env=env)
    try:
        deadline = time.monotonic() + 10
        while not (home / "repo" / "lock.exclusive").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        locked = cli(home, "create", repo, str(home / "Documents"))
    finally:
        holder.terminate()
        holder.wait()
    assert locked.returncode == 1
    assert "The repository is locked: another borg is using it" in locked.stderr
    assert "syncoxide backup break-lock REPO" in locked.stderr
    assert cli(home, "create", repo, str(home / "Documents")).returncode == 0


def test_each_verb_builds_its_own_parser_when_it_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """``backup --help`` lists every verb; a run builds the chosen verb's parser alone, with
    its own -h and arguments."""
    from syncoxide.cli.backup.command import VERBS
    from syncoxide.cli.main import build_parser

    argv = ["backup", "create", "repo", "folder", "--keep-daily", "7"]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    assert (args.repository, args.paths, args.keep_daily) == ("repo", ["folder"], 7)
    backup = parser._subparsers._group_actions[0].choices["backup"]  # type: ignore[union-attr,index]
    verbs = backup._subparsers._group_actions[0].choices
    assert [name for name, verb in verbs.items() if verb.add_help] == ["create"]
    with pytest.raises(SystemExit):
        build_parser(["backup", "--help"]).parse_args(["backup", "--help"])
    listing = capsys.readouterr().out
    assert all(f"    {verb}" in listing for verb in VERBS), listing
    for verb in VERBS:
        with pytest.raises(SystemExit):
            build_parser(["backup", verb, "--help"]).parse_args(["backup", verb, "--help"])
        text = capsys.readouterr().out
        assert text.startswith(f"usage: syncoxide backup {verb} [-h]"), text
