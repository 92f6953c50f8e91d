"""Each user's own files on the server: an API, resumable uploads, a sync provider's far end."""
