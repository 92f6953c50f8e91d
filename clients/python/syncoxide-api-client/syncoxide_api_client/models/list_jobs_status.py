from enum import StrEnum


class ListJobsStatus(StrEnum):
    CANCELLED = "cancelled"
    DEAD = "dead"
    DONE = "done"
    QUEUED = "queued"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
