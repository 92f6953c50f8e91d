from enum import StrEnum


class OneEntryResponse200Kind(StrEnum):
    DIR = "dir"
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
