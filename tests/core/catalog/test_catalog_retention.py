"""Retention of old versions and trash, with the clock given: day 29 kept, day 31 gone."""

from __future__ import annotations

from syncoxide.catalog.retention import (
    DAY,
    Kept,
    RetentionPolicy,
    over_cap,
    trash_to_purge,
    versions_to_drop,
)

NOW = 1_800_000_000
POLICY = RetentionPolicy()


def test_trash_keeps_day_29_drops_day_31_and_keeps_what_is_kept_forever() -> None:
    items = [
        Kept(1, NOW - 29 * DAY),
        Kept(2, NOW - 31 * DAY),
        Kept(3, NOW - 400 * DAY, keep_forever=True),
    ]
    assert trash_to_purge(items, NOW, POLICY) == {2}


def test_versions_older_than_the_max_age_go_unless_kept_forever() -> None:
    versions = [
        Kept(1, NOW - 29 * DAY),
        Kept(2, NOW - 31 * DAY),
        Kept(3, NOW - 90 * DAY, keep_forever=True),
    ]
    assert versions_to_drop(versions, NOW, POLICY) == {2}


def test_versions_are_thinned_closer_together_when_newer() -> None:
    # One version a second for the last 20 s (id = age): under 10 s old, one per 2 s is kept;
    # from 10 s, one per 10 s.
    versions = [Kept(age, NOW - age) for age in range(1, 21)]
    kept = {v.id for v in versions} - versions_to_drop(versions, NOW, POLICY)
    assert kept == {1, 3, 5, 7, 9, 19}


def test_two_versions_an_hour_apart_a_week_ago_one_survives() -> None:
    versions = [Kept(1, NOW - 7 * DAY), Kept(2, NOW - 7 * DAY - 3600)]
    assert versions_to_drop(versions, NOW, POLICY) == {2}


def test_the_cap_drops_the_oldest_first_and_never_what_is_kept_forever() -> None:
    items = [
        Kept(1, NOW - 3, size=50, keep_forever=True),
        Kept(2, NOW - 2, size=50),
        Kept(3, NOW - 1, size=50),
    ]
    assert over_cap(items, 100) == {2}
    assert over_cap(items, 40) == {2, 3}
