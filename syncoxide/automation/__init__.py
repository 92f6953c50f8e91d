"""Automation's sans-IO core: which action turns one file into another, what inputs each takes,
the guards an archive must pass before anything is unpacked, how long a failed job waits, when
a polled file whose hand-off failed is tried again, and which names say a file is still being
written.

No file, process or clock is touched here: the native actions (``syncoxide.native.actions``)
run what these modules decide, and the server's job queue schedules it.
"""
