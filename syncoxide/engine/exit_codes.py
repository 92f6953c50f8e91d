"""Exit codes of ``syncoxide sync`` (documented in docs/sync.md)."""

EXIT_OK = 0
EXIT_PARTIAL = 1  # some files failed; the rest was done; run again to retry them
EXIT_USAGE = 2
EXIT_SAFETY_STOP = 3  # a safety valve (--max-delete) stopped the run before any change
EXIT_NOT_RUN = 4  # the run could not start (unreadable journal or state, unreachable root)
