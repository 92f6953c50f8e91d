"""Storage providers: the contract every backend implements, and the in-memory provider."""
