from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.update_connection_response_200_options import UpdateConnectionResponse200Options


T = TypeVar("T", bound="UpdateConnectionResponse200")


@_attrs_define
class UpdateConnectionResponse200:
    """
    Attributes:
        created_at (int):
        id (int):
        kind (str):
        name (str):
        options (UpdateConnectionResponse200Options):
        secrets (list[str]):
        state (str):
        state_message (str):
        checked_at (int | None | Unset):
    """

    created_at: int
    id: int
    kind: str
    name: str
    options: UpdateConnectionResponse200Options
    secrets: list[str]
    state: str
    state_message: str
    checked_at: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        kind = self.kind

        name = self.name

        options = self.options.to_dict()

        secrets = self.secrets

        state = self.state

        state_message = self.state_message

        checked_at: int | None | Unset
        if isinstance(self.checked_at, Unset):
            checked_at = UNSET
        else:
            checked_at = self.checked_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "kind": kind,
                "name": name,
                "options": options,
                "secrets": secrets,
                "state": state,
                "state_message": state_message,
            }
        )
        if checked_at is not UNSET:
            field_dict["checked_at"] = checked_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.update_connection_response_200_options import UpdateConnectionResponse200Options  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        kind = d.pop("kind")

        name = d.pop("name")

        options = UpdateConnectionResponse200Options.from_dict(d.pop("options"))

        secrets = cast(list[str], d.pop("secrets"))

        state = d.pop("state")

        state_message = d.pop("state_message")

        def _parse_checked_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        checked_at = _parse_checked_at(d.pop("checked_at", UNSET))

        update_connection_response_200 = cls(
            created_at=created_at,
            id=id,
            kind=kind,
            name=name,
            options=options,
            secrets=secrets,
            state=state,
            state_message=state_message,
            checked_at=checked_at,
        )

        return update_connection_response_200
