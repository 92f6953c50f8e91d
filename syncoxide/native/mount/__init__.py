"""``syncoxide mount``: any provider as a local folder through FUSE (mfusepy, libfuse 3)."""
