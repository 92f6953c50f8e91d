"""Schedules: one spelling, three runners (server, systemd, cron)."""

from __future__ import annotations

from datetime import datetime

import pytest

from syncoxide.backup.schedule import Schedule
from syncoxide.errors import UsageError

NOW = datetime(2026, 12, 2, 14, 37, 12)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "following", "calendar", "cron"),
    [
        ("hourly", datetime(2026, 12, 2, 15, 0), "*-*-* *:00:00", "0 * * * *"),
        ("daily", datetime(2026, 12, 3, 0, 0), "*-*-* 00:00:00", "0 0 * * *"),
        ("Daily at 02:30", datetime(2026, 12, 3, 2, 30), "*-*-* 02:30:00", "30 2 * * *"),
        ("daily at 23:00", datetime(2026, 12, 2, 23, 0), "*-*-* 23:00:00", "0 23 * * *"),
        ("weekly at 01:00", datetime(2026, 12, 7, 1, 0), "Mon *-*-* 01:00:00", "0 1 * * 1"),
        ("monthly", datetime(2027, 1, 1, 0, 0), "*-*-01 00:00:00", "0 0 1 * *"),
        ("every 15m", datetime(2026, 12, 2, 14, 45), "*-*-* *:00/15:00", "*/15 * * * *"),
        ("every 6h", datetime(2026, 12, 2, 18, 0), "*-*-* 00/6:00:00", "0 */6 * * *"),
    ],
)
def test_schedules_agree_across_runners(
    text: str, following: datetime, calendar: str, cron: str
) -> None:
    schedule = Schedule.parse(text)
    assert schedule.next_after(NOW) == following
    assert schedule.on_calendar() == calendar
    assert schedule.cron_fields() == cron
    assert Schedule.parse(str(schedule)) == schedule


def test_next_after_is_strictly_later() -> None:
    daily = Schedule.parse("daily at 14:37")
    assert daily.next_after(datetime(2026, 12, 2, 14, 37)) == datetime(2026, 12, 3, 14, 37)
    assert daily.next_after(datetime(2026, 12, 2, 14, 36, 59)) == datetime(2026, 12, 2, 14, 37)


NOT_SCHEDULES = (
    *("", "sometimes", "daily at 25:00", "hourly at 02:00"),
    *("every 7m", "every 2m", "every 90m", "every 48h"),
)


@pytest.mark.parametrize("bad", NOT_SCHEDULES)
def test_bad_schedules_say_how_to_write_one(bad: str) -> None:
    with pytest.raises(UsageError):
        Schedule.parse(bad)
