from enum import StrEnum


class SharedWithMeResponse200SharesItemEntriesItemKind(StrEnum):
    DIR = "dir"
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
