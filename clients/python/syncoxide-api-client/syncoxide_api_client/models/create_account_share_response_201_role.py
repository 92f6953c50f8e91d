from enum import StrEnum


class CreateAccountShareResponse201Role(StrEnum):
    OWNER = "owner"
    RECIPIENT = "recipient"

    def __str__(self) -> str:
        return str(self.value)
