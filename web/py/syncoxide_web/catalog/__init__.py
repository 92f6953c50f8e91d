"""The global view in the app: All files, Recent, Starred, Shared, Trash and a file's history."""
