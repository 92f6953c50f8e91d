"""The Starlette application: routes stay thin, the pieces they call live beside them.

``create_app`` reads the configuration and composes the server from ``composition/``: each
feature's services (``composition/features.py``), the route table (``routes.py``), the error
pages, the middleware and the lifespan that starts and stops the background work.
"""

from __future__ import annotations

from starlette.applications import Starlette

from syncoxide.server.composition.api_table import API_OPERATIONS, api_document
from syncoxide.server.composition.error_pages import EXCEPTION_HANDLERS
from syncoxide.server.composition.features import attach_features
from syncoxide.server.composition.files import file_service, link_service
from syncoxide.server.composition.lifespan import lifespan
from syncoxide.server.composition.middleware import add_middleware
from syncoxide.server.composition.routes import app_routes
from syncoxide.server.composition.web_app import WebApp
from syncoxide.server.config import GrpcAddress, ServerConfig
from syncoxide.server.ratelimit import RateLimits
from syncoxide.server.services import Services

#: Also imported from here: ``api_document`` by clients/generate.py, the table by tools.
__all__ = ["API_OPERATIONS", "api_document", "create_app"]


def create_app(
    config: ServerConfig,
    services: Services | None = None,
    limits: RateLimits | None = None,
    *,
    grpc: GrpcAddress | None = None,
) -> Starlette:
    """The server for ``config``, on ``services`` (the deployment's, opened here by default)."""
    web = WebApp(config, services)
    ice = config.ice()
    if limits is not None:
        web.services.limits = limits
    links = link_service(config, web.services)
    files = file_service(config, web.services, links)
    app = Starlette(
        routes=app_routes(web, ice=ice, links=links, files=files),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.services = web.services
    app.state.grpc_address = grpc
    app.state.ice = ice
    attach_features(app.state, config, web.services, links=links, files=files)
    add_middleware(app, config)
    return app
