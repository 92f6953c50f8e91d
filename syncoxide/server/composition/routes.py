"""The app's route table, in matching order: the API first (most requests), then the app's own
pages and files, signaling, sign-in, and each feature's pages and upload endpoints."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from syncoxide.server.accounts import cli_login
from syncoxide.server.accounts import pages as account_pages
from syncoxide.server.accountshares.unsubscribe_routes import unsubscribe_routes
from syncoxide.server.catalog import file_links
from syncoxide.server.composition.api_table import api_routes
from syncoxide.server.composition.web_app import WebApp
from syncoxide.server.files import uploads as storage_uploads
from syncoxide.server.files.service import FileService
from syncoxide.server.links import request_routes, share_routes, uploads
from syncoxide.server.links.service import LinkService
from syncoxide.server.rules.consent_routes import consent_routes
from syncoxide.server.services import store_database
from syncoxide.server.signaling.ice import IceSettings
from syncoxide.server.signaling.routes import signaling_routes
from syncoxide.server.torrents import routes as torrent_routes

_READ = ["GET", "HEAD"]


def app_routes(
    web: WebApp, *, ice: IceSettings, links: LinkService, files: FileService
) -> list[BaseRoute]:
    """Every route of the app; ``links`` and ``files`` serve the upload endpoints."""
    return [
        *api_routes(),
        *_own_pages(web),
        *signaling_routes(
            web.config, web.services.hub, ice, store_database(web.config, web.services)
        ),
        *account_pages.routes(),
        *cli_login.routes(),
        *file_links.routes(),
        *uploads.routes(links),
        *torrent_routes.routes(links),
        *share_routes.routes(),
        *request_routes.routes(),
        *consent_routes(),
        *unsubscribe_routes(),
        *storage_uploads.routes(files),
    ]


def _own_pages(web: WebApp) -> list[BaseRoute]:
    return [
        Route("/", web.index, methods=_READ),
        Route("/healthz", web.healthz, methods=_READ),
        Route("/static/{path:path}", web.static, methods=_READ),
        Route("/vendor/{folder}/{path:path}", web.vendor, methods=_READ),
    ]
