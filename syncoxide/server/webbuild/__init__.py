"""The offline web build: Pyodide, our wheels and on-demand scripts, for our own server."""

from syncoxide.server.webbuild.assemble import MANIFEST_NAME, ProjectPaths, build, project_root

__all__ = ["MANIFEST_NAME", "ProjectPaths", "build", "project_root"]
