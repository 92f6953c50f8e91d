"""The server's side of the global view: the index store, refreshes, trash and the API."""
