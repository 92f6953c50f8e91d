from enum import StrEnum


class SyncAccountShareResponse202Role(StrEnum):
    OWNER = "owner"
    RECIPIENT = "recipient"

    def __str__(self) -> str:
        return str(self.value)
