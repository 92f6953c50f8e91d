"""The message bus between server instances: the port, one process's bus, Redis's and
NATS's.

Live notifications and signaling relay go through a ``Bus`` when the deployment names one
(``SYNCOXIDE_BUS``), so a socket on one instance hears what happened on another. With none
configured the server keeps its in-process paths exactly as before (docs/scaling.md).
"""
