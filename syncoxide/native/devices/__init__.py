"""CPython adapters for devices: Ed25519 through ``cryptography``, the key and trust store,
pairing through the signaling server."""
