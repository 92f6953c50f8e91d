from enum import StrEnum


class AddRuleBodyOriginal(StrEnum):
    KEEP = "keep"
    MOVE = "move"

    def __str__(self) -> str:
        return str(self.value)
