"""gRPC beside REST: the same operations for files, shares, events, sync rules, backups and
the catalog, with streaming.

``bridge`` runs the REST operation a call names (same handler, checks, limits, answers);
``servicers`` maps the services of ``protos/syncoxide/v1/api.proto`` onto it, with streaming
uploads, downloads and events; ``listener`` serves them on the server's event loop. The stubs
in ``v1`` are generated (``./dev generate``).
"""
