from enum import StrEnum


class RulesUpdateRuleBodyConflict(StrEnum):
    KEEP_BOTH = "keep-both"
    LARGER = "larger"
    NEWER = "newer"
    OLDER = "older"
    PATH1 = "path1"
    PATH2 = "path2"

    def __str__(self) -> str:
        return str(self.value)
