from enum import StrEnum


class ListPlaceResponse200EntriesItemKind(StrEnum):
    DIR = "dir"
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
