"""Archives computed from metadata alone, so they can be streamed and resumed with ranges."""
