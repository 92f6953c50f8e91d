"""``python -m syncoxide.cli``: the same as the ``syncoxide`` command."""

import sys

from syncoxide.cli.main import main

sys.exit(main())
