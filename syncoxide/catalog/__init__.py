"""The global view of a user's files: one index over every provider, searched in milliseconds.

Sans-IO like ``sync/``: entries and queries are frozen dataclasses, the index lives behind the
``CatalogStore`` port (SQLite with FTS5 on the server, PostgreSQL later), and ``refresh``
brings one provider's part of the index up to date through the Provider contract alone.
"""
