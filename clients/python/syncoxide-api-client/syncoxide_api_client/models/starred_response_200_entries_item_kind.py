from enum import StrEnum


class StarredResponse200EntriesItemKind(StrEnum):
    DIR = "dir"
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
