"""Encryption formats, name encryption and the key vault (pure; primitives behind ``backend``).

See ``docs/crypto.md``. Modules: ``keys`` (secrets, HKDF schedule), ``format`` (file header and
chunk layout), ``stream`` (seal/open drivers), ``names`` (directory-bound name encryption),
``vault`` (password-wrapped master key), ``backend`` (the async primitive port).
"""
