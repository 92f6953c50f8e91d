from enum import StrEnum


class DeclineAccountShareResponse200Role(StrEnum):
    OWNER = "owner"
    RECIPIENT = "recipient"

    def __str__(self) -> str:
        return str(self.value)
