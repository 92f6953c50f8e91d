from enum import StrEnum


class RecentResponse200EntriesItemKind(StrEnum):
    DIR = "dir"
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
