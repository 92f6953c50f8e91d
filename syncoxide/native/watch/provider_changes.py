"""The change source a provider offers of itself, if any: a local folder's file events, or a
provider's change feed (our server's storage, Drive, Dropbox). Sync's ``--watch`` and the
mount both ask here, so a provider that gains a feed is followed by both at once."""

from __future__ import annotations

from syncoxide.catalog.refresh import ChangesFeed
from syncoxide.engine.watch import ChangeSource
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.watch.local_events import FolderEvents
from syncoxide.native.watch.remote_changes import FeedChanges


def own_change_source(provider: object, *, feed_seconds: float) -> ChangeSource | None:
    """Events or a feed for ``provider``; None when only listing it again can tell.

    ``feed_seconds`` spaces the calls to a feed that answers at once (Drive, Dropbox); a feed
    that holds the call until something changes (our server's) is asked again at once."""
    if isinstance(provider, LocalProvider):
        return FolderEvents(provider.full(""))
    if isinstance(provider, ChangesFeed):
        return FeedChanges(provider, feed_seconds)
    return None
