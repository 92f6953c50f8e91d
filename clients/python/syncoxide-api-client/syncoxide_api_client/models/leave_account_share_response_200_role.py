from enum import StrEnum


class LeaveAccountShareResponse200Role(StrEnum):
    OWNER = "owner"
    RECIPIENT = "recipient"

    def __str__(self) -> str:
        return str(self.value)
