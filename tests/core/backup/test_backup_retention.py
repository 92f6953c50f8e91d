"""Retention follows borg 1.2's prune rule (a live-borg check is in tests/native/backup)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from syncoxide.backup.retention import ArchiveStamp, RetentionPolicy, plan_prune, within_hours
from syncoxide.errors import UsageError

START = datetime(2026, 12, 1, 3, 0)


def daily(count: int, per_day: int = 1) -> list[ArchiveStamp]:
    return [
        ArchiveStamp(f"a-{day:02d}-{n}", START + timedelta(days=day, hours=n))
        for day in range(count)
        for n in range(per_day)
    ]


def test_keep_daily_keeps_the_newest_of_each_day() -> None:
    archives = daily(5, per_day=2)
    plan = plan_prune(archives, RetentionPolicy(daily=3), START + timedelta(days=10))
    assert set(plan.keep) == {"a-04-1", "a-03-1", "a-02-1"}
    assert plan.keep["a-04-1"] == "daily #1"
    assert len(plan.delete) == 7
    assert plan.delete[0] == "a-04-0"


def test_a_rule_short_of_archives_also_keeps_the_oldest() -> None:
    plan = plan_prune(daily(2), RetentionPolicy(weekly=4), START + timedelta(days=3))
    assert plan.keep == {"a-01-0": "weekly #1", "a-00-0": "weekly[oldest] #2"}
    assert plan.delete == []


def test_rules_do_not_count_an_archive_twice() -> None:
    archives = daily(40)
    plan = plan_prune(archives, RetentionPolicy(daily=7, monthly=2), START + timedelta(days=41))
    assert sum(rule.startswith("daily") for rule in plan.keep.values()) == 7
    monthly = {name: rule for name, rule in plan.keep.items() if rule.startswith("monthly")}
    # January's newest is already a daily keep: its period is used up without a monthly keep,
    # so December's newest is monthly #1 and, short of archives, the oldest is #2.
    assert monthly == {"a-30-0": "monthly #1", "a-00-0": "monthly[oldest] #2"}


def test_within_keeps_everything_younger() -> None:
    archives = daily(10)
    now = START + timedelta(days=9, hours=1)
    plan = plan_prune(archives, RetentionPolicy(within="3d"), now)
    assert set(plan.keep) == {"a-09-0", "a-08-0", "a-07-0"}
    assert within_hours("2w") == 336


def test_checkpoints_are_dropped_unless_newest() -> None:
    archives = [
        *daily(3),
        ArchiveStamp("a-01-0.checkpoint", START + timedelta(days=1, minutes=30)),
        ArchiveStamp("a-05-0.checkpoint", START + timedelta(days=5)),
    ]
    plan = plan_prune(archives, RetentionPolicy(daily=10), START + timedelta(days=6))
    assert plan.keep["a-05-0.checkpoint"] == "newest checkpoint"
    assert "a-01-0.checkpoint" in plan.delete


def test_policy_spells_borg_flags_and_refuses_to_delete_everything() -> None:
    policy = RetentionPolicy(daily=7, weekly=4, within="2d")
    assert policy.borg_args() == ["--keep-within", "2d", "--keep-daily", "7", "--keep-weekly", "4"]
    assert policy.as_dict() == {"within": "2d", "daily": 7, "weekly": 4}
    with pytest.raises(UsageError, match="at least one rule"):
        RetentionPolicy().borg_args()
    with pytest.raises(UsageError):
        RetentionPolicy(within="3 days")
    with pytest.raises(UsageError):
        RetentionPolicy(daily=-1)
