"""Outgoing email: invitations, change digests and links sent to an address (docs/email.md)."""
