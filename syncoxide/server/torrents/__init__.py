"""Share links as BitTorrent downloads: a ``.torrent`` whose only source is our own web seed."""
