from enum import StrEnum


class IndexCoverageResponse200SourcesItemState(StrEnum):
    CURRENT = "current"
    NEVER = "never"
    STALE = "stale"

    def __str__(self) -> str:
        return str(self.value)
