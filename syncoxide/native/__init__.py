"""CPython-only adapters: the CLI, local disk, native crypto, WebRTC. Never loaded in browsers."""
