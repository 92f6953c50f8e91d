"""Sync rules that run on the server: provider connections, rules between them, their runs."""
