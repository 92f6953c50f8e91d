from enum import StrEnum


class ListAccountSharesResponse200SharesItemRole(StrEnum):
    OWNER = "owner"
    RECIPIENT = "recipient"

    def __str__(self) -> str:
        return str(self.value)
