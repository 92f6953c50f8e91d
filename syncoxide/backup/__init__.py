"""Backups with borg, the sans-IO half: what to ask borg and how to read what it answers.

Nothing here runs borg or touches a file. ``locations`` parses ``REPO::ARCHIVE``, ``names``
makes and checks archive names, ``retention`` is borg's prune rule (to preview what a prune
keeps), ``schedule`` turns "daily at 02:30" into a next run, a systemd timer and a cron line,
``borg_log`` reads ``--log-json`` lines into progress events and our errors, ``listing`` reads
``borg list --json`` / ``--json-lines``, and ``tar_stream`` frames files as a tar stream for
``borg import-tar``. The native adapter ``syncoxide.native.backup`` runs borg with them.
"""
