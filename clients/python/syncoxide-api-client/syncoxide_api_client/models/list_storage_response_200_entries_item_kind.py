from enum import StrEnum


class ListStorageResponse200EntriesItemKind(StrEnum):
    DIR = "dir"
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
