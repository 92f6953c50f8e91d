from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_events_response_200_events_item_payload import ListEventsResponse200EventsItemPayload


T = TypeVar("T", bound="ListEventsResponse200EventsItem")


@_attrs_define
class ListEventsResponse200EventsItem:
    """
    Attributes:
        created_at (int):
        id (int):
        kind (str):
        payload (ListEventsResponse200EventsItemPayload):
    """

    created_at: int
    id: int
    kind: str
    payload: ListEventsResponse200EventsItemPayload

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        kind = self.kind

        payload = self.payload.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "kind": kind,
                "payload": payload,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_events_response_200_events_item_payload import ListEventsResponse200EventsItemPayload  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        kind = d.pop("kind")

        payload = ListEventsResponse200EventsItemPayload.from_dict(d.pop("payload"))

        list_events_response_200_events_item = cls(
            created_at=created_at,
            id=id,
            kind=kind,
            payload=payload,
        )

        return list_events_response_200_events_item
