"""Archive names and repository locations, spelled as borg spells them."""

from __future__ import annotations

import pytest

from syncoxide.backup.locations import parse_location
from syncoxide.backup.names import archive_name, check_prefix, default_prefix, prefix_glob
from syncoxide.errors import UsageError


def test_archive_names_sort_by_time_and_carry_their_prefix() -> None:
    first = archive_name("docs", 1796538631)
    later = archive_name("docs", 1796538631 + 3600)
    assert first == "docs-2026-12-06T06:30:31"
    assert sorted([later, first]) == [first, later]
    assert prefix_glob("docs") == "docs-*"


@pytest.mark.parametrize("bad", ["", "-x", "a/b", "a*", "a b", "x" * 65, "a::b"])
def test_prefixes_that_borg_would_misread_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        check_prefix(bad)


def test_default_prefix_comes_from_the_first_folder_name() -> None:
    assert default_prefix(["/home/ann/My Documents/", "/etc"]) == "My_Documents"
    assert default_prefix(["/"]) == "backup"


def test_locations_split_at_the_double_colon() -> None:
    ref = parse_location("/mnt/backup/repo::docs-2026-12-06T06:30:31")
    assert ref.repository.text == "/mnt/backup/repo"
    assert ref.archive == "docs-2026-12-06T06:30:31"
    assert ref.borg_spec == "/mnt/backup/repo::docs-2026-12-06T06:30:31"
    assert not ref.repository.remote
    assert parse_location("ssh://ann@host:2222/./repo").repository.remote
    assert parse_location("ann@host:repo").repository.remote
    assert parse_location("repo").archive is None


@pytest.mark.parametrize("bad", ["", "::a", "repo::", "repo::a/b"])
def test_bad_locations_are_refused_with_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_location(bad)


def test_an_archive_can_be_required() -> None:
    with pytest.raises(UsageError, match="names no archive"):
        parse_location("repo", archive_required=True)
