"""What sync rules and backup rules share: the task that starts due rules, and the API
handlers for a user's rules and their runs."""
