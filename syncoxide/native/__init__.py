"""CPython-only adapters: the CLI, local disk, native crypto and WebRTC. Never loaded in the browser."""
