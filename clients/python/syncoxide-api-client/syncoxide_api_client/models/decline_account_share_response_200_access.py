from enum import StrEnum


class DeclineAccountShareResponse200Access(StrEnum):
    READ_ONLY = "read-only"
    READ_WRITE = "read-write"

    def __str__(self) -> str:
        return str(self.value)
