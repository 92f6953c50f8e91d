"""The storage port: metadata (accounts, tokens, sessions, events) and blobs.

Routes and services talk only to :class:`~syncoxide.server.storage.port.MetadataStore` and
:class:`~syncoxide.server.storage.port.BlobStore`. The embedded default is SQLite in WAL mode
plus files under the data directory; a PostgreSQL or S3 store replaces them by implementing the
same protocols and passing :mod:`syncoxide.server.storage.conformance`.
"""
