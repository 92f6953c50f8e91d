"""Device sync over ports: the one sync session with a peer over any frame link (the CLI
daemon and the browser both run it), the folder port it drives, and a shared folder kept on any
Provider. The messages are ``syncoxide/devices/wire.py``'s."""
