from enum import StrEnum


class RulesUpdateRuleBodyMode(StrEnum):
    BISYNC = "bisync"
    COPY = "copy"
    SYNC = "sync"

    def __str__(self) -> str:
        return str(self.value)
