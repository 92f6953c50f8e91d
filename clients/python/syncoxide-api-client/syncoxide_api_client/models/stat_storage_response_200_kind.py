from enum import StrEnum


class StatStorageResponse200Kind(StrEnum):
    DIR = "dir"
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
