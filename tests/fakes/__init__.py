"""FAKE cloud services for tests: small Starlette apps that imitate the documented subset of
the Google Drive v3 and Dropbox v2 APIs that syncoxide's providers use. They are not the real
services and do not prove compatibility with them; see docs/providers-cloud.md."""
