"""The API handlers a user's scheduled rules share, sync rules and backup rules alike: list
(each with its last runs), create, read, change, delete, run now.

Each feature gives its service (through ``service_of``), the name of its rule id in the path
and how its rules and runs become JSON; the handlers are the same code for both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from starlette.requests import HTTPConnection

from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import Call

#: The largest id a path may name; past it there is no such row, and SQLite could not be asked.
MAX_ID = 2**62
#: How many of a rule's runs the list of rules shows with each rule.
RUNS_LISTED = 5

RuleT = TypeVar("RuleT")
RunT = TypeVar("RunT")


class RuleBook(Protocol[RuleT, RunT]):
    """A feature's rules, as its service offers them (NotFoundError for another's rule)."""

    async def rules_with_runs(
        self, user_id: int, runs: int
    ) -> list[tuple[RuleT, Sequence[RunT]]]: ...
    async def create_rule(self, user_id: int, body: dict[str, Any]) -> RuleT: ...
    async def rule(self, user_id: int, rule_id: int) -> RuleT: ...
    async def runs(self, user_id: int, rule_id: int) -> list[RunT]: ...
    async def update_rule(self, user_id: int, rule_id: int, body: dict[str, Any]) -> RuleT: ...
    async def delete_rule(self, user_id: int, rule_id: int) -> None: ...
    async def run_now(self, user_id: int, rule_id: int) -> RuleT: ...


def path_id(call: Call, name: str) -> int:
    """The id ``name`` in the request's path; 404 for one no row can have."""
    value: int = call.request.path_params[name]
    if value > MAX_ID:
        raise ApiError(404, "not_found", f"There is no {name.removesuffix('_id')} {value}.")
    return value


def rule_json(rule: Any, runs: Sequence[Any] | None = None) -> dict[str, Any]:
    """A rule's fields but its owner, with its runs when given (records are dataclasses)."""
    answer = {k: v for k, v in rule.__dict__.items() if k != "user_id"}
    if runs is not None:
        answer["runs"] = [dict(r.__dict__) for r in runs]
    return answer


@dataclass(frozen=True)
class RuleHandlers(Generic[RuleT, RunT]):
    service_of: Callable[[HTTPConnection], RuleBook[RuleT, RunT]]
    id_name: str  # the rule id's name in the operation's path ("rule_id")

    def _id(self, call: Call) -> int:
        return path_id(call, self.id_name)

    async def list_rules(self, call: Call) -> dict[str, Any]:
        """Each rule with its last few runs: what the app shows."""
        found = await self.service_of(call.request).rules_with_runs(call.user.id, RUNS_LISTED)
        return {"rules": [rule_json(rule, runs) for rule, runs in found]}

    async def create_rule(self, call: Call) -> dict[str, Any]:
        return rule_json(await self.service_of(call.request).create_rule(call.user.id, call.json))

    async def get_rule(self, call: Call) -> dict[str, Any]:
        service, rule_id = self.service_of(call.request), self._id(call)
        rule = await service.rule(call.user.id, rule_id)
        return rule_json(rule, await service.runs(call.user.id, rule_id))

    async def update_rule(self, call: Call) -> dict[str, Any]:
        service = self.service_of(call.request)
        return rule_json(await service.update_rule(call.user.id, self._id(call), call.json))

    async def delete_rule(self, call: Call) -> None:
        await self.service_of(call.request).delete_rule(call.user.id, self._id(call))

    async def run_rule(self, call: Call) -> dict[str, Any]:
        return rule_json(await self.service_of(call.request).run_now(call.user.id, self._id(call)))
