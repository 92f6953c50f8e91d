from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.shared_with_me_response_200_shares_item_entries_item import (
        SharedWithMeResponse200SharesItemEntriesItem,
    )


T = TypeVar("T", bound="SharedWithMeResponse200SharesItem")


@_attrs_define
class SharedWithMeResponse200SharesItem:
    """
    Attributes:
        access (str):
        entries (list[SharedWithMeResponse200SharesItemEntriesItem]):
        id (int):
        location (str):
        name (str):
        owner (str):
        last_sync_at (int | None | Unset):
        sync_status (str | Unset):
    """

    access: str
    entries: list[SharedWithMeResponse200SharesItemEntriesItem]
    id: int
    location: str
    name: str
    owner: str
    last_sync_at: int | None | Unset = UNSET
    sync_status: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        access = self.access

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        id = self.id

        location = self.location

        name = self.name

        owner = self.owner

        last_sync_at: int | None | Unset
        if isinstance(self.last_sync_at, Unset):
            last_sync_at = UNSET
        else:
            last_sync_at = self.last_sync_at

        sync_status = self.sync_status

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "access": access,
                "entries": entries,
                "id": id,
                "location": location,
                "name": name,
                "owner": owner,
            }
        )
        if last_sync_at is not UNSET:
            field_dict["last_sync_at"] = last_sync_at
        if sync_status is not UNSET:
            field_dict["sync_status"] = sync_status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.shared_with_me_response_200_shares_item_entries_item import (
            SharedWithMeResponse200SharesItemEntriesItem,  # noqa: PLC0415
        )

        d = dict(src_dict)
        access = d.pop("access")

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = SharedWithMeResponse200SharesItemEntriesItem.from_dict(entries_item_data)

            entries.append(entries_item)

        id = d.pop("id")

        location = d.pop("location")

        name = d.pop("name")

        owner = d.pop("owner")

        def _parse_last_sync_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_sync_at = _parse_last_sync_at(d.pop("last_sync_at", UNSET))

        sync_status = d.pop("sync_status", UNSET)

        shared_with_me_response_200_shares_item = cls(
            access=access,
            entries=entries,
            id=id,
            location=location,
            name=name,
            owner=owner,
            last_sync_at=last_sync_at,
            sync_status=sync_status,
        )

        return shared_with_me_response_200_shares_item
