"""Device sync over ports: a shared folder kept on any Provider and the session that keeps it
in step with a peer over any frame link. The browser app runs these in the page (OPFS folders,
its RTCDataChannel); the protocol is the CLI daemon's (``syncoxide/devices/wire.py``)."""
