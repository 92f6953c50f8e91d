from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.index_coverage_response_200_sources_item import IndexCoverageResponse200SourcesItem


T = TypeVar("T", bound="IndexCoverageResponse200")


@_attrs_define
class IndexCoverageResponse200:
    """
    Attributes:
        sources (list[IndexCoverageResponse200SourcesItem]):
    """

    sources: list[IndexCoverageResponse200SourcesItem]

    def to_dict(self) -> dict[str, Any]:
        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sources": sources,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.index_coverage_response_200_sources_item import IndexCoverageResponse200SourcesItem  # noqa: PLC0415

        d = dict(src_dict)
        sources = []
        _sources = d.pop("sources")
        for sources_item_data in _sources:
            sources_item = IndexCoverageResponse200SourcesItem.from_dict(sources_item_data)

            sources.append(sources_item)

        index_coverage_response_200 = cls(
            sources=sources,
        )

        return index_coverage_response_200
