"""syncoxide: the shared core.

This package runs unchanged on CPython (CLI, server, native peer) and in the browser under
Pyodide. Everything under it except ``syncoxide.native`` is pure Python with no platform
imports; platform adapters are plugged in where the program is assembled.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
