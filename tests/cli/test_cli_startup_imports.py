"""The CLI's startup imports stay within a budget: it answers at once because it loads little.

Counted, not timed: a module count is the same on a busy machine and an idle one, and every
module is paid for on every run. The budgets sit at or a little above today's counts (--help: 19
beyond a bare interpreter; a local sync: 195, the local provider, the engine's outcome, its
resume of an interrupted run, its part reads and the deferral of aiohttp's TLS certificates in
modules of their own; not the remotes' store, which a plain path never needs, nor the server's
table of commands, which only the top-level --help lists), so an accidental import of a whole
stack fails here and bench/cli_startup.py shows what it costs in milliseconds.

``backup create`` nobody watches (a timer, a script) is counted twice: what is loaded before
borg starts, which its wall time pays for in full (42 modules: argparse, dataclasses,
subprocess and the few modules that build borg's command line), and what is loaded in all (51),
the rest being read while borg runs (reading its answer, printing it). bench/backup_local.py
shows the wall and CPU time beside plain borg.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HELP_BUDGET = 25
LOCAL_SYNC_BUDGET = 195
BACKUP_BEFORE_BORG_BUDGET = 44
BACKUP_CREATE_BUDGET = 54

# Stacks a command that does not use them must never pay for.
NETWORK_AND_CRYPTO = (
    "cryptography",
    "argon2",
    "pysequoia",
    "aiortc",
    "httpx",
    "aiohttp",
    "aiobotocore",
    "botocore",
    "asyncssh",
    "websockets",
    "starlette",
    "uvicorn",
    "segno",
    "importlib.metadata",
)

PROBE = """
import json, sys
before = set(sys.modules)
from syncoxide.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(set(sys.modules) - before)), file=sys.stderr)
"""


def modules_loaded_by(*argv: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    return json.loads(run.stderr.strip().splitlines()[-1])


def from_stacks(loaded: list[str], stacks: tuple[str, ...]) -> list[str]:
    return [name for name in loaded if name.split(".")[0] in stacks or name in stacks]


def test_help_loads_argparse_and_the_command_table_only() -> None:
    loaded = modules_loaded_by("--help")
    assert len(loaded) <= HELP_BUDGET, loaded
    assert from_stacks(loaded, (*NETWORK_AND_CRYPTO, "asyncio", "ssl", "shutil")) == []
    assert [name for name in loaded if name.startswith("syncoxide.")] == [
        "syncoxide.cli",
        "syncoxide.cli.main",
        "syncoxide.cli.plugins",
        "syncoxide.errors",
        "syncoxide.server",
        "syncoxide.server.commands",
    ]


def test_a_local_sync_loads_no_network_crypto_or_server_stack(tmp_path: Path) -> None:
    source, target = tmp_path / "one", tmp_path / "two"
    source.mkdir()
    (source / "a.txt").write_text("alpha")
    state = tmp_path / "state"
    loaded = modules_loaded_by("sync", str(source), str(target), "--state-dir", str(state))
    assert (target / "a.txt").read_text() == "alpha"  # the run really ran
    assert len(loaded) <= LOCAL_SYNC_BUDGET, len(loaded)
    assert from_stacks(loaded, NETWORK_AND_CRYPTO) == []
    assert [n for n in loaded if n.startswith("syncoxide.server")] == []
    # Two plain paths name no remote: the store (platformdirs, tempfile, sealing) stays out.
    assert "syncoxide.native.remotes.store" not in loaded
    assert from_stacks(loaded, ("platformdirs", "tempfile")) == []


def test_files_loads_only_its_own_client() -> None:
    """`syncoxide files` talks to the server over urllib: no server, crypto or async stack."""
    loaded = modules_loaded_by("files", "ls", "home:../refused")  # stops before the network
    assert "syncoxide.cli.files.command" in loaded
    assert from_stacks(loaded, NETWORK_AND_CRYPTO) == []
    server_side = [name for name in loaded if name.startswith("syncoxide.server.")]
    assert server_side in ([], ["syncoxide.server.commands"])  # the table of server commands


# As PROBE, noting what was loaded when the first child process (borg) was started.
PROBE_BEFORE_CHILD = """
import subprocess, sys
before = set(sys.modules)
started = []
popen_init = subprocess.Popen.__init__
def noting(self, *args, **kwargs):
    started.append(sorted(set(sys.modules) - before))
    popen_init(self, *args, **kwargs)
subprocess.Popen.__init__ = noting
from syncoxide.cli.main import main
code = main(sys.argv[1:])
import json
print(json.dumps([started[0], sorted(set(sys.modules) - before), code]), file=sys.stderr)
"""

# Not needed before borg starts: its answer's reader, the retention rules (nothing pruned),
# the progress line (nobody sees it), the log reader (borg did not fail), bz2 and lzma.
NOT_BEFORE_BORG = (
    "json",
    "datetime",
    "shutil",
    "pathlib",
    "getpass",
    "syncoxide.backup.listing",
    "syncoxide.backup.borg_log",
    "syncoxide.backup.retention",
    "syncoxide.cli.backup.progress",
    "syncoxide.units",
)


@pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")
def test_a_backup_nobody_watches_starts_borg_before_loading_what_its_end_needs(
    tmp_path: Path,
) -> None:
    source, repository = tmp_path / "src", tmp_path / "repo"
    source.mkdir()
    (source / "a.txt").write_text("alpha")
    env = {**os.environ, "BORG_BASE_DIR": str(tmp_path / "borg"), "BORG_PASSPHRASE": "pass"}
    subprocess.run(["borg", "init", "-e", "repokey-blake2", str(repository)], env=env,
                   capture_output=True, check=True)  # fmt: skip
    argv = ["backup", "create", f"{repository}::first", str(source)]
    run = subprocess.run(  # stderr is no terminal: the run without asyncio or progress
        [sys.executable, "-c", PROBE_BEFORE_CHILD, *argv], env=env, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    before_borg, loaded, code = json.loads(run.stderr.strip().splitlines()[-1])
    assert code == 0 and "Archive first: 1 files" in run.stdout  # the backup really ran
    assert len(before_borg) <= BACKUP_BEFORE_BORG_BUDGET, before_borg
    assert len(loaded) <= BACKUP_CREATE_BUDGET, loaded
    assert from_stacks(loaded, (*NETWORK_AND_CRYPTO, "asyncio", "ssl", "bz2", "lzma")) == []
    assert [n for n in loaded if n.startswith("syncoxide.server")] == []
    assert [name for name in NOT_BEFORE_BORG if name in before_borg] == []
    assert "syncoxide.backup.listing" in loaded  # read while borg ran
