"""Backups with borg, the native half: borg 1.x run as a subprocess and the repository
operations built on it (``repository.py``); ``mounts.py`` for FUSE mounts.

How borg is started and what its exit means is ``settings.py``; ``process.py`` waits for it on
asyncio (progress, streams, the server), ``blocking.py`` with a plain ``subprocess`` (a CLI
``create`` nobody watches, which then never imports asyncio); ``create.py`` holds ``borg
create``'s arguments for both."""
