"""Hosted repositories: each key reaches only its owner's area, append-only keys keep history.

sshd's part (pick the line of the key that logged in, run its forced command whatever the
client asked) is played by a BORG_RSH script that reads our authorized_keys file and runs
that line's command, exactly as sshd would with ``command=`` (FACTS: borg serve behaves the
same either way). Everything else is real: borg client, borg serve, the restrictions.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syncoxide.errors import UsageError
from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository
from syncoxide.server.backups.hosted import HostedKey, HostedRepositories, parse_public_key

pytestmark = pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")

FORCED_COMMAND_SSH = """#!{python}
# Stand-in for sshd with command=: run the forced command of the key named in argv[0]'s file.
import os, re, sys
comment = open({comment_file!r}).read().strip()
for line in open({keys!r}):
    if line.rstrip().endswith(comment):
        command = re.match(r'command="((?:[^"\\\\]|\\\\.)*)"', line).group(1).replace('\\\\"', '"')
        args = sys.argv[1:]
        while args[0].startswith("-"):  # ssh's own options (-p PORT) come before the host
            args = args[2:]
        os.environ["SSH_ORIGINAL_COMMAND"] = " ".join(args[1:])  # what the client asked
        os.execvp("sh", ["sh", "-c", command])
sys.exit("no such key")
"""


def keypair(folder: Path, name: str) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)],
                   check=True)  # fmt: skip
    return (folder / f"{name}.pub").read_text()


@pytest.fixture
def hosted(tmp_path: Path) -> tuple[HostedRepositories, Path]:
    repos = HostedRepositories(tmp_path / "backups")
    keys = [
        HostedKey(7, 1, keypair(tmp_path, "ann")),
        HostedKey(8, 2, keypair(tmp_path, "bob"), append_only=True, quota="20M"),
    ]
    authorized = tmp_path / "authorized_keys"
    repos.write_authorized_keys(authorized, keys)
    return repos, authorized


def client(tmp_path: Path, authorized: Path, comment: str) -> BorgSettings:
    (tmp_path / "who").write_text(comment)
    script = tmp_path / "fake-sshd"
    script.write_text(
        FORCED_COMMAND_SSH.format(
            python=sys.executable, comment_file=str(tmp_path / "who"), keys=str(authorized)
        )
    )
    script.chmod(0o755)
    return BorgSettings("client secret", base_dir=tmp_path / "client-borg", rsh=str(script))


def test_authorized_keys_lines_force_a_restricted_borg_serve(
    hosted: tuple[HostedRepositories, Path],
) -> None:
    repos, authorized = hosted
    lines = authorized.read_text().splitlines()
    assert lines[0].startswith(
        f'command="borg serve --restrict-to-path {repos.area(7)}",restrict ssh-ed25519 '
    )
    assert "--append-only --storage-quota 20M" in lines[1]
    assert oct(authorized.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(UsageError):
        parse_public_key("ssh-ed25519 not-base64!")
    with pytest.raises(UsageError):
        parse_public_key("hello")


def test_keys_given_as_a_generator_are_all_written(tmp_path: Path) -> None:
    repos = HostedRepositories(tmp_path / "backups")
    keys = [HostedKey(7, 1, keypair(tmp_path, "ann")), HostedKey(9, 2, keypair(tmp_path, "cy"))]
    authorized = tmp_path / "authorized_keys"
    repos.write_authorized_keys(authorized, (key for key in keys))
    lines = authorized.read_text().splitlines()
    assert [line.rsplit(" ", 1)[1] for line in lines] == [
        "syncoxide-user-7-key-1",
        "syncoxide-user-9-key-2",
    ]
    assert repos.area(7).is_dir() and repos.area(9).is_dir()


def test_a_key_reaches_its_own_area_and_nothing_else(
    hosted: tuple[HostedRepositories, Path], tmp_path: Path
) -> None:
    repos, authorized = hosted
    settings = client(tmp_path, authorized, "syncoxide-user-7-key-1")
    own = BorgRepository(f"ssh://backup@server{repos.area(7)}/laptop", settings)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("hello")
    asyncio.run(own.init())
    asyncio.run(own.create("first", ["src"], cwd=tmp_path))
    assert [a.name for a in asyncio.run(own.summary()).archives] == ["first"]
    other = BorgRepository(f"ssh://backup@server{repos.area(8)}/stolen", settings)
    with pytest.raises(UsageError, match="refused that repository path"):
        asyncio.run(other.init())
    assert not (repos.area(8) / "stolen").exists()
    settings_text = repos.client_settings(
        user_id=7, repository="laptop", host="backup.example", port=2222, login="backup"
    )
    assert (
        settings_text["repository_url"] == f"ssh://backup@backup.example:2222{repos.area(7)}/laptop"
    )


def test_an_append_only_key_cannot_remove_history(
    hosted: tuple[HostedRepositories, Path], tmp_path: Path
) -> None:
    repos, authorized = hosted
    settings = client(tmp_path, authorized, "syncoxide-user-8-key-2")
    repo = BorgRepository(f"ssh://backup@server{repos.area(8)}/phone", settings)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("precious")
    asyncio.run(repo.init())
    asyncio.run(repo.create("kept", ["src"], cwd=tmp_path))
    segments_before = sorted(p.name for p in (repos.area(8) / "phone" / "data").rglob("*"))
    asyncio.run(repo.delete_archive("kept"))  # accepted, but only appended as a new transaction
    asyncio.run(repo.compact())  # refused to free anything in append-only mode
    segments_after = sorted(p.name for p in (repos.area(8) / "phone" / "data").rglob("*"))
    assert set(segments_before) <= set(segments_after)  # every old segment is still there
    # Deleting the whole repository through the key is refused outright.
    env = {**os.environ, **settings.environment(None), "BORG_PASSPHRASE": "client secret",
           "BORG_DELETE_I_KNOW_WHAT_I_AM_DOING": "YES"}  # fmt: skip
    wiped = subprocess.run(["borg", "delete", repo.location.text], env=env, capture_output=True,
                           text=True, check=False)  # fmt: skip
    assert wiped.returncode == 2, wiped.stderr
    assert "append-only" in wiped.stderr
    assert (repos.area(8) / "phone" / "config").exists()
