"""The sync journal (write-ahead log): record codec and replay rules. Pure: bytes in, bytes out."""
