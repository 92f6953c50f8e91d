"""Exit codes of ``syncoxide sync`` (documented in docs/sync.md and the README).

Each safety stop has its own code so a script can tell which flag would let the run go on.
"""

from syncoxide.errors import SafetyLimitError

EXIT_OK = 0
EXIT_PARTIAL = 1  # some files failed; the rest was done; run again to retry them
EXIT_USAGE = 2
EXIT_SAFETY_STOP = 3  # --max-delete stopped the run before any change
EXIT_NOT_RUN = 4  # the run could not start or failed before any change (state, journal, root)
EXIT_EMPTY_SIDE = 5  # a side lists empty though the pair had files there (--allow-empty-side)
EXIT_DELETE_SHARE = 6  # too large a share of a side would be deleted (--max-delete-share, --force)
EXIT_ALL_CHANGED = 7  # every file on a side changed since the last run (--force)
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM: the journal lets the next run resume (128 + SIGINT)

_STOP_CODES = {
    "safety_limit": EXIT_SAFETY_STOP,
    "safety_empty_side": EXIT_EMPTY_SIDE,
    "safety_delete_share": EXIT_DELETE_SHARE,
    "safety_all_changed": EXIT_ALL_CHANGED,
}


def stop_exit_code(error: SafetyLimitError) -> int:
    """The exit code of the safety stop ``error`` (3 for any stop without its own code)."""
    return _STOP_CODES.get(error.code, EXIT_SAFETY_STOP)
