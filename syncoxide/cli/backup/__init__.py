"""``syncoxide backup ...``: borg backups of local folders from the command line."""
