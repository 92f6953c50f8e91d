"""The async executor: applies a Plan through providers, journal first, verifying every copy."""
