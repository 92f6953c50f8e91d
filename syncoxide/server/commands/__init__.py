"""The commands the server adds to ``syncoxide`` (entry-point group ``syncoxide.commands``).

Plain strings only, so listing them for ``syncoxide --help`` imports nothing of the server.
"""

#: name -> (summary for ``--help``, module whose ``register(commands)`` defines it)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("run the web app and API server", "syncoxide.server.commands.serve"),
    "build-web": ("assemble the offline browser bundle", "syncoxide.server.commands.build_web"),
    "user": ("manage the server's local user accounts", "syncoxide.server.commands.accounts"),
    "token": ("API tokens for scripts and the CLI", "syncoxide.server.commands.accounts"),
    "admin": (
        "operator tasks: move a server onto PostgreSQL and S3",
        "syncoxide.server.commands.admin",
    ),
}
