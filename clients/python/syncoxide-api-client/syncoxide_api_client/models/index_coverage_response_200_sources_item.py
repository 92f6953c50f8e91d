from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.index_coverage_response_200_sources_item_state import IndexCoverageResponse200SourcesItemState

T = TypeVar("T", bound="IndexCoverageResponse200SourcesItem")


@_attrs_define
class IndexCoverageResponse200SourcesItem:
    """
    Attributes:
        refreshed_at (int):
        refreshing (bool):
        source (str):
        stale_after_hours (float):
        state (IndexCoverageResponse200SourcesItemState):
    """

    refreshed_at: int
    refreshing: bool
    source: str
    stale_after_hours: float
    state: IndexCoverageResponse200SourcesItemState

    def to_dict(self) -> dict[str, Any]:
        refreshed_at = self.refreshed_at

        refreshing = self.refreshing

        source = self.source

        stale_after_hours = self.stale_after_hours

        state = self.state.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "refreshed_at": refreshed_at,
                "refreshing": refreshing,
                "source": source,
                "stale_after_hours": stale_after_hours,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        refreshed_at = d.pop("refreshed_at")

        refreshing = d.pop("refreshing")

        source = d.pop("source")

        stale_after_hours = d.pop("stale_after_hours")

        state = IndexCoverageResponse200SourcesItemState(d.pop("state"))

        index_coverage_response_200_sources_item = cls(
            refreshed_at=refreshed_at,
            refreshing=refreshing,
            source=source,
            stale_after_hours=stale_after_hours,
            state=state,
        )

        return index_coverage_response_200_sources_item
