"""Keys every instance of a deployment must hold alike, kept in its PostgreSQL.

A ticket or unlock cookie one instance signs must verify on any other (a load balancer sends
the next request anywhere), so on PostgreSQL the signing key lives in the ``server_keys``
table rather than in each host's data directory. The first instance to start stores it; the
rest read that one. A data directory that already has ``signing.key`` (a server moved from
the embedded default) offers its key first, so links and tickets it issued keep working.
"""

from __future__ import annotations

from syncoxide.server.signing import KEY_BYTES

SIGNING_KEY = "signing"


async def shared_key(url: str, name: str, offered: bytes) -> bytes:
    """The deployment's key called ``name``: the one stored, or ``offered`` if none was."""
    import psycopg  # only on PostgreSQL: the embedded default never loads it

    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as db:
        await db.execute(
            "INSERT INTO server_keys (name, key) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING",
            (name, offered),
        )
        row = await (
            await db.execute("SELECT key FROM server_keys WHERE name = %s", (name,))
        ).fetchone()
    assert row is not None  # inserted above, or already there; keys are never deleted
    key = bytes(row[0])
    if len(key) != KEY_BYTES:
        raise ValueError(f"the database's {name} key is {len(key)} bytes, not {KEY_BYTES}")
    return key
