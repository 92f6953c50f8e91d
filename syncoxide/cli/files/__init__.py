"""``syncoxide files``: the signed-in server's global view of files (its catalog API)."""
