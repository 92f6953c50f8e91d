"""The Settings view: account, devices and tokens, connected providers."""
