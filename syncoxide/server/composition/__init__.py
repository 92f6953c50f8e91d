"""How the server is put together: each feature's services wired from the configuration, the
route table, the error pages, the middleware and the start/stop sequence of the background work.

``syncoxide.server.app.create_app`` calls these in order; nothing else imports this package, so
the features never name each other and only this package knows how they depend on one another.
One module per feature builds that feature's service (``files``, ``rules``, ``backups``, ...);
``features`` attaches them all to the app's state.
"""
