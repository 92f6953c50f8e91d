from enum import StrEnum


class RulesCreateRuleBodyMode(StrEnum):
    BISYNC = "bisync"
    COPY = "copy"
    SYNC = "sync"

    def __str__(self) -> str:
        return str(self.value)
