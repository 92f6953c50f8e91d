"""Retention's periods, apart from :mod:`.retention` so the CLI's parser lists its ``--keep-*``
options without loading the retention rules (a ``backup create`` that keeps everything)."""

#: Rule name -> strftime pattern of its period, in borg's order.
PERIODS = {
    "secondly": "%Y-%m-%d %H:%M:%S",
    "minutely": "%Y-%m-%d %H:%M",
    "hourly": "%Y-%m-%d %H",
    "daily": "%Y-%m-%d",
    "weekly": "%G-%V",
    "monthly": "%Y-%m",
    "yearly": "%Y",
}
