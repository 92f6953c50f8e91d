from enum import StrEnum


class CreateAccountShareResponse201Access(StrEnum):
    READ_ONLY = "read-only"
    READ_WRITE = "read-write"

    def __str__(self) -> str:
        return str(self.value)
