"""Backups with borg, the native half: borg 1.x run as a subprocess (``borg.py``) and the
repository operations built on it (``repository.py``); ``mounts.py`` for FUSE mounts."""
