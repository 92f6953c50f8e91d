"""Backups on the server: repositories hosted for users (borg serve behind SSH keys)."""
