from enum import StrEnum


class AddRuleBodySourceKind(StrEnum):
    CONNECTION = "connection"
    FOLDER = "folder"
    REQUEST = "request"
    SHARE = "share"

    def __str__(self) -> str:
        return str(self.value)
