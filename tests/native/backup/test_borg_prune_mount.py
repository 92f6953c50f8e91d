"""Prune keeps exactly what our plan says borg keeps; mounts where FUSE is available."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from syncoxide.backup.retention import RetentionPolicy, plan_prune
from syncoxide.errors import ConfigError
from syncoxide.native.backup.mounts import fuse_available, mount, umount
from syncoxide.native.backup.repository import BorgRepository

from .conftest import make_tree, plain_borg, run

START = datetime(2026, 10, 28, 9, 0)


def test_prune_keeps_what_the_plan_predicts(
    tmp_path: Path, repository: BorgRepository, borg_base: Path
) -> None:
    make_tree(tmp_path / "src", files=2)
    days = [0, 1, 1, 3, 6, 9, 15, 33, 34]
    for number, day in enumerate(days):
        stamp = (START + timedelta(days=day, hours=number)).isoformat()
        made = plain_borg(
            borg_base, "create", "--timestamp", stamp,
            f"{repository.location.text}::docs-{number}", "src", cwd=tmp_path,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
    other = plain_borg(
        borg_base, "create", f"{repository.location.text}::other-1", "src", cwd=tmp_path
    )
    assert other.returncode == 0
    policy = RetentionPolicy(daily=3, weekly=2, monthly=1)
    before = [a for a in run(repository.summary()).archives if a.name.startswith("docs-")]
    plan = plan_prune(before, policy, START + timedelta(days=40))
    assert plan.delete  # the case prunes something
    left = run(repository.prune(policy, prefix="docs"))
    assert sorted(left) == sorted([*plan.keep, "other-1"])


@pytest.mark.skipif(not fuse_available() or os.geteuid() != 0, reason="needs FUSE")
def test_an_archive_mounts_as_a_folder(tmp_path: Path, repository: BorgRepository) -> None:
    tree = make_tree(tmp_path / "src", files=5)
    run(repository.create("m", ["src"], cwd=tmp_path))
    point = tmp_path / "mnt"
    run(mount(repository, point, "m"))
    try:
        name = sorted(tree)[0]
        assert (point / "src" / name).read_bytes() == tree[name]
    finally:
        run(umount(point, repository.settings))
    assert not os.path.ismount(point)


def test_borg_without_a_fuse_binding_says_what_to_install(
    tmp_path: Path, repository: BorgRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """borg's own words ("no FUSE support") become a ConfigError naming the package."""
    make_tree(tmp_path / "src", files=1)
    run(repository.create("m", ["src"], cwd=tmp_path))
    monkeypatch.setenv("BORG_FUSE_IMPL", "none")  # as if neither binding were installed
    with pytest.raises(ConfigError) as refused:
        run(mount(repository, tmp_path / "mnt", "m"))
    assert "python3-pyfuse3" in (refused.value.hint or "")
    assert not os.path.ismount(tmp_path / "mnt")
