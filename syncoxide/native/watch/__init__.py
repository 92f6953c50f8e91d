"""Change sources for ``syncoxide.engine.watch``: local file events, provider change feeds and a
polling timer for providers that have no feed."""
