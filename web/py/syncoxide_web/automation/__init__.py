"""The Automation view: rules that convert arrivals, and their jobs (dead letters too)."""
