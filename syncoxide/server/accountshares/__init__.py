"""Account-to-account shares: invitations, and the server keeping both places in step."""
