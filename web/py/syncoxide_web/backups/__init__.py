"""The Backups view: hosted borg repositories, their archives, and provider backups."""
