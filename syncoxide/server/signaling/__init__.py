"""WebSocket signaling for peer-to-peer transfers: rooms, presence and relay.

A transfer gets a room (``POST /signal/rooms``); the sender and the receiver join it over
``/signal/{room}`` with the room token from the link, then trade offer, answer and ICE candidates
through it until their data channel opens. The server never sees file content.

    messages.py   the JSON message schemas, their validation and the close codes
    tokens.py     room ids, HMAC room tokens and short codes
    limits.py     per-connection and per-address rate limits (token buckets)
    hub.py        the Hub port and the in-process hub that routes messages between peers
    fallbacks.py  where a room's server copy (a share link) is remembered: memory or SQLite
    routes.py     the Starlette endpoints that tie the pieces to HTTP and WebSockets
"""
