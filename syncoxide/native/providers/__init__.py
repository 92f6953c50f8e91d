"""Providers that talk to remote stores over the network: S3, WebDAV, SFTP (CPython only)."""
