"""The browser side of syncoxide: the UI of its pages and browser adapters over the ``js`` FFI.

Loaded only in Pyodide. The shared core (``syncoxide``) never imports from here; this package
plugs browser capabilities (WebCrypto, OPFS, RTCDataChannel, fetch) into the core's ports.
"""
