"""Share links (download) and request-files links (upload), for people with no account."""
