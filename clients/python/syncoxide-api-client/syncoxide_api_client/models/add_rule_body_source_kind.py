from enum import StrEnum


class AddRuleBodySourceKind(StrEnum):
    FOLDER = "folder"
    REQUEST = "request"

    def __str__(self) -> str:
        return str(self.value)
