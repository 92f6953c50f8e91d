"""Automation from the command line: ``convert`` (local files) and ``automate`` (server rules)."""
