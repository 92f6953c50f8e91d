"""The API: every feature's operation table joined into one, its routes and its OpenAPI document.

Joined here so no feature names another; ``api.routing`` routes and describes them all.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, WebSocketRoute

from syncoxide.server.accounts.api import ACCOUNT_OPERATIONS
from syncoxide.server.accounts.auth import who
from syncoxide.server.accountshares.api import ACCOUNT_SHARE_OPERATIONS
from syncoxide.server.api import routing as api
from syncoxide.server.api.openapi import openapi_document
from syncoxide.server.api.spec import PREFIX as API_PREFIX
from syncoxide.server.api.spec import Operation
from syncoxide.server.automation.api import AUTOMATION_OPERATIONS
from syncoxide.server.backups.api import BACKUP_OPERATIONS
from syncoxide.server.catalog.api import CATALOG_OPERATIONS
from syncoxide.server.catalog.provider_history_api import PROVIDER_HISTORY_OPERATIONS
from syncoxide.server.events.api import EVENT_OPERATIONS
from syncoxide.server.events.live import live_events
from syncoxide.server.files import uploads as storage_uploads
from syncoxide.server.files.api import STORAGE_OPERATIONS
from syncoxide.server.files.changes_api import CHANGES_OPERATIONS
from syncoxide.server.links.api import LINK_OPERATIONS
from syncoxide.server.links.api import tus_openapi_paths as link_tus_paths
from syncoxide.server.links.mail_api import LINK_MAIL_OPERATIONS
from syncoxide.server.photos.api import PHOTO_OPERATIONS
from syncoxide.server.rules.api import RULE_OPERATIONS
from syncoxide.server.signaling.api import ICE_OPERATIONS

#: Every API operation: each feature's table, joined here so no feature names another.
API_OPERATIONS: tuple[Operation, ...] = (
    ACCOUNT_OPERATIONS
    + EVENT_OPERATIONS
    + ICE_OPERATIONS
    + LINK_OPERATIONS
    + LINK_MAIL_OPERATIONS
    + RULE_OPERATIONS
    + STORAGE_OPERATIONS
    + CHANGES_OPERATIONS
    + BACKUP_OPERATIONS
    + CATALOG_OPERATIONS
    + PROVIDER_HISTORY_OPERATIONS
    + ACCOUNT_SHARE_OPERATIONS
    + AUTOMATION_OPERATIONS
    + PHOTO_OPERATIONS
)


def _tus_paths() -> dict[str, dict[str, Any]]:
    return {**link_tus_paths(), **storage_uploads.tus_openapi_paths()}


def api_document() -> dict[str, Any]:
    """The OpenAPI document the server serves at /api/v1/openapi.json (clients are made from it)."""
    return openapi_document(API_OPERATIONS, _tus_paths())


def api_routes() -> list[BaseRoute]:
    """The API's routes; the app lists them first, so API calls match after few checks."""
    return [
        *api.routes(API_OPERATIONS, who, _tus_paths()),
        WebSocketRoute(API_PREFIX + "/events/live", live_events),
    ]
