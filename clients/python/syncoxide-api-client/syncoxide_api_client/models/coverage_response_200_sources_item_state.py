from enum import StrEnum


class CoverageResponse200SourcesItemState(StrEnum):
    CURRENT = "current"
    NEVER = "never"
    STALE = "stale"

    def __str__(self) -> str:
        return str(self.value)
