"""Where a deployment keeps its state when it outgrows one process (docs/scaling.md).

``settings.py`` reads the three targets (metadata database, blob store, message bus) from
``[deployment]`` in settings.toml and from ``SYNCOXIDE_DATABASE``, ``SYNCOXIDE_BLOBS`` and
``SYNCOXIDE_BUS``, which override it; ``check.py`` proves each one answers before the
deployment takes traffic (``syncoxide serve --check-config``).
"""
