"""The data directory's lock: servers share it, a migration needs it alone, and each is
refused with a message while the other holds it; a folder that is not there is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncoxide.errors import ConfigError
from syncoxide.server.datadir_lock import migrating, serving


def test_servers_share_the_directory_and_keep_a_migration_out(tmp_path: Path) -> None:
    running = pytest.raises(ConfigError, match="A syncoxide server is running")
    with serving(tmp_path), serving(tmp_path), running, migrating(tmp_path):  # two instances
        pass
    # every server gone, the lock went with them: now a migration keeps servers out
    with migrating(tmp_path), pytest.raises(ConfigError, match="A migration"), serving(tmp_path):
        pass


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No data directory"), migrating(tmp_path / "nowhere"):
        pass
    assert not (tmp_path / "nowhere").exists()
