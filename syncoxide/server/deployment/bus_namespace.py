"""Where one deployment's names live on a Redis or NATS shared with other deployments.

Redis's pub/sub channels are one space for the whole Redis server, whatever database number
the URL selects (``SELECT`` scopes keys only), and NATS subjects and key-value buckets are one
space per NATS account. Two deployments on one bus (staging beside production, two customers)
would hear each other's live messages: user 7's file events on one reaching the page user 7
has open on the other, a room's signaling offers reaching the other's peers. So every name a
deployment uses on its bus carries its namespace:

    ?namespace=NAME in the bus URL      that name (letters, digits, ``-`` and ``_``, 1-40)
    redis://host:6379/N, N not 0        ``dbN``: deployments an operator keeps apart by
                                        Redis database are kept apart on pub/sub as well
    otherwise                           none: the names earlier versions used, unchanged

The ``namespace`` parameter is ours: it is taken out of the URL before the client sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from syncoxide.errors import ConfigError

PARAMETER = "namespace"
_VALID = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class BusAddress:
    """A bus URL as its client takes it, and the deployment's namespace on that bus."""

    url: str
    namespace: str

    def joined(self, first: str, separator: str) -> str:
        return namespaced(first, self.namespace, separator)


def namespaced(first: str, namespace: str, separator: str) -> str:
    """``first`` followed by ``namespace`` and ``separator`` (``first`` alone without one):
    the start of every name a deployment uses on its bus."""
    return f"{first}{namespace}{separator}" if namespace else first


def bus_address(url: str, source: str = "SYNCOXIDE_BUS") -> BusAddress:
    """The client's URL and the namespace of ``url``; ``ConfigError`` for a bad namespace."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    named = [value for key, value in pairs if key == PARAMETER]
    kept = [(key, value) for key, value in pairs if key != PARAMETER]
    client_url = urlunsplit(parts._replace(query=urlencode(kept)))
    if named:
        namespace = named[-1]
        if not _VALID.fullmatch(namespace):
            raise ConfigError(
                f"{source}: the bus namespace {namespace!r} is not one this server can use.",
                hint="Use 1-40 letters, digits, '-' or '_', e.g. ?namespace=staging.",
            )
        return BusAddress(client_url, namespace)
    if parts.scheme.lower() in ("redis", "rediss"):
        number = _redis_database(parts.path, dict(kept))
        return BusAddress(client_url, f"db{number}" if number else "")
    return BusAddress(client_url, "")


def _redis_database(path: str, query: dict[str, str]) -> int:
    """The database number redis-py selects for this URL: ``?db=N``, else the path's ``/N``."""
    text = query.get("db") or path.strip("/") or "0"
    return int(text) if text.isascii() and text.isdigit() else 0
