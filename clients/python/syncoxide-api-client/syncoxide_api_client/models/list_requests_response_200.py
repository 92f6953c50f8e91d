from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_requests_response_200_links_item import ListRequestsResponse200LinksItem


T = TypeVar("T", bound="ListRequestsResponse200")


@_attrs_define
class ListRequestsResponse200:
    """
    Attributes:
        links (list[ListRequestsResponse200LinksItem]):
    """

    links: list[ListRequestsResponse200LinksItem]

    def to_dict(self) -> dict[str, Any]:
        links = []
        for links_item_data in self.links:
            links_item = links_item_data.to_dict()
            links.append(links_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "links": links,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_requests_response_200_links_item import ListRequestsResponse200LinksItem  # noqa: PLC0415

        d = dict(src_dict)
        links = []
        _links = d.pop("links")
        for links_item_data in _links:
            links_item = ListRequestsResponse200LinksItem.from_dict(links_item_data)

            links.append(links_item)

        list_requests_response_200 = cls(
            links=links,
        )

        return list_requests_response_200
