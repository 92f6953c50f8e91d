"""Sans-IO wire protocols: bytes and dataclasses in, events and bytes out, no IO anywhere.

    frames.py     the transfer protocol's binary framing (byte diagram at the top)
    manifest.py   what a transfer offers: files, folders, sizes, SHA-256; unsafe paths refused
    transfer.py   the per-connection state machine (one transition table) and its events
    sending.py    the sender's side: answers requests within the receiver's credit
    receiving.py  the receiver's side: resume offsets, credit, streaming SHA-256 per file

Described for people in docs/protocol.md.
"""
