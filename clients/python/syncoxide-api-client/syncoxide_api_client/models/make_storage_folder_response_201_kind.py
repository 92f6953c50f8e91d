from enum import StrEnum


class MakeStorageFolderResponse201Kind(StrEnum):
    DIR = "dir"
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
