from enum import StrEnum


class AcceptAccountShareResponse200Role(StrEnum):
    OWNER = "owner"
    RECIPIENT = "recipient"

    def __str__(self) -> str:
        return str(self.value)
