"""Automation on the server: a job queue that survives restarts, its worker, and rules that
turn arrivals (request links, server folders) into jobs. See docs/automation.md."""
