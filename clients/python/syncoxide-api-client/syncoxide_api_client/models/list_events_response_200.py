from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_events_response_200_events_item import ListEventsResponse200EventsItem


T = TypeVar("T", bound="ListEventsResponse200")


@_attrs_define
class ListEventsResponse200:
    """
    Attributes:
        events (list[ListEventsResponse200EventsItem]):
        last_id (int):
    """

    events: list[ListEventsResponse200EventsItem]
    last_id: int

    def to_dict(self) -> dict[str, Any]:
        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        last_id = self.last_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "events": events,
                "last_id": last_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_events_response_200_events_item import ListEventsResponse200EventsItem  # noqa: PLC0415

        d = dict(src_dict)
        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = ListEventsResponse200EventsItem.from_dict(events_item_data)

            events.append(events_item)

        last_id = d.pop("last_id")

        list_events_response_200 = cls(
            events=events,
            last_id=last_id,
        )

        return list_events_response_200
