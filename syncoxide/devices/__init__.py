"""Devices: long-term identities, device IDs and the signed web of trust between them.

Sans-IO like the rest of the core: the modules here take bytes and return bytes, records or
decisions. Ed25519 is reached through the ``Ed25519`` port (``signing.py``), implemented by
``syncoxide.native.devices`` on CPython (and by WebCrypto in the browser).
"""
