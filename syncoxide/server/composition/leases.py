"""The job leases that keep two instances from running the same scheduled work at once."""

from __future__ import annotations

from syncoxide.server.config import ServerConfig
from syncoxide.server.services import Services, store_database
from syncoxide.server.storage.leases import JobLeases


def job_leases(config: ServerConfig, services: Services) -> JobLeases | None:
    """Job leases when instances share the work (a bus is configured); none embedded."""
    if services.shared_bus is None:
        return None
    holder, seconds = services.instance_id, config.lease_seconds
    return JobLeases(store_database(config, services), holder, seconds, services.clock)
