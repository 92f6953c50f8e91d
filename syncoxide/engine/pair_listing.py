"""Listing both sides of a pair, in two steps: read the trees, then build the listings.

Reading only asks the providers (``.syncignore`` and every entry); building sorts the entries
into keys, removes the partial writes a killed run left and sets aside what cannot be mapped.
They are apart so a rerun can read the trees while it finishes the interrupted run's copies
(``syncoxide.engine.resume_overlap``) and build only once those copies are done: removing
partials while the resume writes would take the very partial object it is about to commit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from syncoxide.providers.contract import Entry, Provider
from syncoxide.sync.clashes import set_aside_clashes
from syncoxide.sync.filters import FilterSet, Rule
from syncoxide.sync.listing import Listing, build_listing, set_aside_unmappable
from syncoxide.sync.plan import Mode, Side

from .listing_io import read_syncignore, read_tree, remove_partials


@dataclass(frozen=True)
class Trees:
    """Both sides' entries as listed, and the filters they were listed with."""

    filters: FilterSet
    one: list[Entry]
    two: list[Entry]


async def read_trees(one: Provider, two: Provider, *, mode: Mode, rules: tuple[Rule, ...]) -> Trees:
    """Both sides' entries under the run's rules and the ``.syncignore`` that applies
    (the source's; both sides' in bisync). Changes nothing."""
    ignore1, ignore2 = await asyncio.gather(read_syncignore(one), read_syncignore(two))
    extra = ignore1 + (ignore2 if mode is Mode.BISYNC else [])
    filters = FilterSet((*rules, *extra))
    entries1, entries2 = await asyncio.gather(read_tree(one, filters), read_tree(two, filters))
    return Trees(filters, entries1, entries2)


async def build_listings(
    one: Provider, two: Provider, trees: Trees, *, mode: Mode
) -> tuple[Listing, Listing, int]:
    """The two listings, with partial writes removed (their count) and names that cannot be
    written on the other side, or that clash there, set aside."""
    sensitive = one.features.case_sensitive and two.features.case_sensitive
    filters = trees.filters
    first = build_listing(trees.one, Side.PATH1, filters=filters, case_sensitive=sensitive)
    second = build_listing(trees.two, Side.PATH2, filters=filters, case_sensitive=sensitive)
    removed = await remove_partials(one, first.partials) + await remove_partials(
        two, second.partials
    )
    if not two.features.byte_names:
        set_aside_unmappable(first, Side.PATH1, "path2")
    if mode is Mode.BISYNC and not one.features.byte_names:
        set_aside_unmappable(second, Side.PATH2, "path1")
    folding = [
        side for side, p in ((Side.PATH1, one), (Side.PATH2, two)) if not p.features.case_sensitive
    ]
    set_aside_clashes({Side.PATH1: first, Side.PATH2: second}, folding=folding)
    return first, second, removed
