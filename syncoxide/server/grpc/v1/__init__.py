"""Generated from protos/ by ./dev generate."""
