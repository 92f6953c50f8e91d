"""When backups run: ``hourly``, ``daily``, ``daily at 02:30``, ``weekly``, ``every 6h``.

One spelling serves three runners: the server's scheduler asks :meth:`Schedule.next_after`,
``syncoxide backup schedule`` writes a systemd user timer (:meth:`Schedule.on_calendar`) or a
cron line (:meth:`Schedule.cron_fields`). Times of day are the machine's local time, as systemd
and cron read them; ``next_after`` takes and returns naive local datetimes for that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from syncoxide.errors import UsageError

_AT = re.compile(r"^(hourly|daily|weekly|monthly)(?: at (\d{1,2}):(\d{2}))?$")
_EVERY = re.compile(r"^every (\d+) ?(m|min|minutes?|h|hours?)$")
_HINT = "Write hourly, daily, daily at 02:30, weekly, monthly, or every 6h / every 30m."


@dataclass(frozen=True)
class Schedule:
    period: str  # hourly, daily, weekly, monthly, or "every" (a fixed number of minutes)
    hour: int = 0
    minute: int = 0
    every_minutes: int = 0

    @classmethod
    def parse(cls, text: str) -> Schedule:
        spelled = " ".join(text.lower().split())
        every = _EVERY.match(spelled)
        if every:
            count = int(every.group(1))
            minutes = count * 60 if every.group(2).startswith("h") else count
            if not 5 <= minutes <= 24 * 60:
                raise UsageError(f"'{text}' is too often or too rare.", hint=_HINT)
            if (minutes < 60 and 60 % minutes) or (minutes > 60 and minutes % 60):
                raise UsageError(
                    f"'{text}' does not divide an hour or a day evenly.",
                    hint="Use minutes that divide 60 (5, 10, 15, 20, 30) or whole hours.",
                )
            return cls("every", every_minutes=minutes)
        at = _AT.match(spelled)
        if not at:
            raise UsageError(f"'{text}' is not a schedule.", hint=_HINT)
        hour, minute = int(at.group(2) or 0), int(at.group(3) or 0)
        if hour > 23 or minute > 59:
            raise UsageError(f"'{text}' names no time of day.", hint=_HINT)
        if at.group(1) == "hourly" and at.group(2):
            raise UsageError("An hourly schedule has no time of day.", hint=_HINT)
        return cls(at.group(1), hour, minute)

    def __str__(self) -> str:
        if self.period == "every":
            minutes = self.every_minutes
            return f"every {minutes // 60}h" if minutes % 60 == 0 else f"every {minutes}m"
        if self.period == "hourly":
            return "hourly"
        return f"{self.period} at {self.hour:02d}:{self.minute:02d}"

    def next_after(self, moment: datetime) -> datetime:
        """The first planned time strictly after ``moment`` (naive local time)."""
        start = moment.replace(second=0, microsecond=0)
        if self.period == "every":
            step = self.every_minutes
            day = start.replace(hour=0, minute=0)
            elapsed = (start - day) // timedelta(minutes=1)
            return day + timedelta(minutes=(elapsed // step + 1) * step)
        if self.period == "hourly":
            return start.replace(minute=0) + timedelta(hours=1)
        candidate = start.replace(hour=self.hour, minute=self.minute)
        while candidate <= moment or not self._day_matches(candidate):
            candidate += timedelta(days=1)
        return candidate

    def _day_matches(self, moment: datetime) -> bool:
        if self.period == "weekly":
            return moment.weekday() == 0  # Mondays, as systemd's "weekly"
        if self.period == "monthly":
            return moment.day == 1
        return True

    def on_calendar(self) -> str:
        """The ``OnCalendar=`` value of a systemd timer."""
        clock = f"{self.hour:02d}:{self.minute:02d}:00"
        return {
            "every": self._every_calendar(),
            "hourly": "*-*-* *:00:00",
            "daily": f"*-*-* {clock}",
            "weekly": f"Mon *-*-* {clock}",
            "monthly": f"*-*-01 {clock}",
        }[self.period]

    def _every_calendar(self) -> str:
        minutes = self.every_minutes
        if minutes < 60:
            return f"*-*-* *:00/{minutes}:00"
        return f"*-*-* 00/{minutes // 60}:00:00"

    def cron_fields(self) -> str:
        """The five time fields of a crontab line."""
        minutes = self.every_minutes
        if self.period == "every":
            return f"*/{minutes} * * * *" if minutes < 60 else f"0 */{minutes // 60} * * *"
        return {
            "hourly": "0 * * * *",
            "daily": f"{self.minute} {self.hour} * * *",
            "weekly": f"{self.minute} {self.hour} * * 1",
            "monthly": f"{self.minute} {self.hour} 1 * *",
        }[self.period]
