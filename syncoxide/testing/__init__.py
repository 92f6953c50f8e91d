"""Test kits shipped with the core: the provider conformance suite (importable without pytest)."""
